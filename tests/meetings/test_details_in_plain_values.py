"""An evening's details are checked all at once, from what staff typed alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from esafety.meetings import planning
from esafety.meetings.locking import places_text
from esafety.meetings.models import Audience

GOOD = planning.MeetingDetails(
    title="Staying safe online",
    description="",
    starts_at=datetime(2026, 11, 12, 18, 30),
    ends_at=datetime(2026, 11, 12, 19, 30),
    location="School hall",
    online_url="",
    capacity=30,
    max_places_per_booking=3,
    booking_opens_at=datetime(2026, 10, 1),
    booking_closes_at=datetime(2026, 11, 12, 12),
    cancellation_deadline=datetime(2026, 11, 11),
    audience=Audience.ALL_PARENTS,
)


def test_good_details_have_no_problems():
    assert planning.details_problems(GOOD) == {}


def test_every_problem_is_found_at_once_beside_its_field():
    problems = planning.details_problems(
        replace(
            GOOD,
            title=" ",
            ends_at=GOOD.starts_at,
            location="",
            online_url="ftp://example.org",
            max_places_per_booking=40,
            booking_closes_at=datetime(2026, 11, 13),
            audience=Audience.YEAR_GROUPS,
        )
    )
    assert sorted(problems) == [
        "booking_closes_at",
        "ends_at",
        "max_places_per_booking",
        "online_url",
        "title",
        "year_groups",
    ]
    assert problems["max_places_per_booking"].endswith("the 30 places available.")


def test_places_are_counted_in_words():
    assert (places_text(1), places_text(2)) == ("1 place", "2 places")
