"""Who can be seen in the photos, and whether their parents agreed this year.

Policy: photos show only children whose parents gave consent for that place (the class blog or
the school website) this academic year; staff say who is in each photo before it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol, TypeVar

from ..errors import DomainError


class Tag(Protocol):
    pupil_id: int


class Named(Protocol):
    """A pupil as the photo rule names them (a Pupil, or a row of their names)."""

    @property
    def first_name(self) -> str: ...

    @property
    def full_name(self) -> str: ...


N = TypeVar("N", bound=Named)


T = TypeVar("T", bound=Tag)


def check_tag_choice(wanted: set[int], nobody_in_photos: bool) -> None:
    """Pupils chosen and "nobody can be seen" ticked cannot both be right."""
    if wanted and nobody_in_photos:
        raise DomainError(
            "You ticked that nobody can be seen, but also chose pupils. Please choose one.",
            field="pupils",
        )


def needs_tagging(has_photos: bool, tagged: Mapping[int, Named], nobody_in_photos: bool) -> bool:
    """Photos wait until someone has said who is in them, or that nobody is."""
    return has_photos and not tagged and not nobody_in_photos


def lacking_consent(tagged: Mapping[int, N], consent: dict[int, bool]) -> list[N]:
    """The tagged pupils without consent this year, by first name."""
    return sorted(
        (pupil for pid, pupil in tagged.items() if not consent.get(pid, False)),
        key=lambda p: p.first_name,
    )


def retagged(tags: list[T], wanted: Iterable[int], make_tag: Callable[[int], T]) -> list[T]:
    """The tags kept, and new ones for pupils newly chosen (in id order)."""
    chosen = set(wanted)
    kept = [tag for tag in tags if tag.pupil_id in chosen]
    return kept + [make_tag(pid) for pid in sorted(chosen - {t.pupil_id for t in tags})]
