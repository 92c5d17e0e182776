"""The pictures on the class's name tiles: a coloured shape for each pupil.

They are drawn from their own set, never from the picture-password pictures, so a tile never
shows anyone one of their secret pictures; within a class each tile's picture is different, so a
child who cannot yet read their name finds "my green heart".
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

#: Outline of each shape in a 96 x 96 box.
SHAPES: dict[str, str] = {
    "heart": "M48 84C20 62 8 48 8 32 8 18 19 8 31 8c8 0 14 4 17 10 3-6 9-10 17-10 12 0 23 10 23 24"
    " 0 16-12 30-40 52Z",
    "circle": "M48 10a38 38 0 1 1 0 76 38 38 0 1 1 0-76Z",
    "square": "M14 14h68v68H14Z",
    "triangle": "M48 8l42 76H6Z",
    "diamond": "M48 4l40 44-40 44L8 48Z",
    "hexagon": "M27 10h42l21 38-21 38H27L6 48Z",
    "leaf": "M12 84C12 40 40 12 84 12c0 44-28 72-72 72Z",
    "drop": "M48 6S18 44 18 62c0 17 13 28 30 28s30-11 30-28C78 44 48 6 48 6Z",
}
#: Colours told apart by name; each tile also shows the pupil's name, for children who read.
COLOURS: dict[str, str] = {
    "red": "#d62828",
    "orange": "#f07f00",
    "yellow": "#f5c400",
    "green": "#2a9d3f",
    "blue": "#1d6fd6",
    "purple": "#7b3fbf",
}
#: "green-heart" -> "Green heart"; 48 in all, more than any class has pupils.
AVATARS: dict[str, str] = {
    f"{colour}-{shape}": f"{colour.capitalize()} {shape}" for shape in SHAPES for colour in COLOURS
}


def drawing(key: str) -> tuple[str, str]:
    """The outline and colour of an avatar (an unknown key draws as a grey circle)."""
    colour, _, shape = key.partition("-")
    return SHAPES.get(shape, SHAPES["circle"]), COLOURS.get(colour, "#8a8a8a")


def label(key: str) -> str:
    return AVATARS.get(key, "")


def pick_free(taken: Iterable[str]) -> str:
    """A random avatar no one in the class has yet (a repeat only past 48 pupils in a class)."""
    taken = set(taken)
    free = [key for key in AVATARS if key not in taken]
    return secrets.choice(free or list(AVATARS))
