"""The pictures a pupil chooses from to sign in; each has a file in static/img/pictures/."""

from __future__ import annotations

#: Twelve easily named, easily told apart pictures; a sequence of three gives 1,728 choices,
#: which is why five wrong tries lock the account.
PICTURES: dict[str, str] = {
    "cat": "Cat",
    "dog": "Dog",
    "fish": "Fish",
    "bird": "Bird",
    "sun": "Sun",
    "moon": "Moon",
    "star": "Star",
    "tree": "Tree",
    "flower": "Flower",
    "apple": "Apple",
    "car": "Car",
    "boat": "Boat",
}
SEQUENCE_LENGTH = 3


def encode_sequence(sequence: list[str]) -> str:
    """The text that is hashed: picture names joined by commas, in the order chosen."""
    if len(sequence) != SEQUENCE_LENGTH or any(p not in PICTURES for p in sequence):
        raise ValueError("A picture password is three pictures from the grid.")
    return ",".join(sequence)
