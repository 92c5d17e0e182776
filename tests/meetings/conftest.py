"""Helpers for the e-safety evening tests: an evening open for booking, parents with children."""

from __future__ import annotations

from datetime import timedelta

import pytest

from esafety import mail
from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.extensions import db
from esafety.meetings import planning
from esafety.meetings.models import Audience, Meeting
from esafety.school.models import YearGroup
from tests import factories


def details(**overrides) -> planning.MeetingDetails:
    """An evening a week away, open for booking now, changes allowed until the day before."""
    now = utcnow().replace(second=0, microsecond=0)
    starts = overrides.pop("starts_at", now + timedelta(days=7))
    values = {
        "title": "Staying safe on phones and tablets",
        "description": "What children meet online, and **simple steps** for home.",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=1, minutes=30),
        "location": "School hall",
        "online_url": "",
        "capacity": 20,
        "max_places_per_booking": 3,
        "booking_opens_at": min(now, starts) - timedelta(days=1),
        "booking_closes_at": starts - timedelta(minutes=10),
        "cancellation_deadline": starts - timedelta(days=1),
        "audience": Audience.ALL_PARENTS,
        "year_groups": [],
    }
    values.update(overrides)
    return planning.MeetingDetails(**values)


@pytest.fixture
def officer(db):
    return factories.make_user(
        Role.ESAFETY_OFFICER, first_name="Sarah", email="sarah@school.example"
    )


@pytest.fixture
def make_meeting(officer):
    """Arrange an evening through the real service (committed), with any detail overridden."""

    def _make(**overrides) -> Meeting:
        meeting = planning.create_meeting(officer, details(**overrides))
        db.session.commit()
        return meeting

    return _make


@pytest.fixture
def make_family(school):
    """A parent with one child in the given year group (committed)."""
    counter = iter(range(1, 10_000))

    def _make(year_group: YearGroup = YearGroup.YEAR_3, first_name: str | None = None, **kw):
        n = next(counter)
        child = factories.make_pupil(school.classes[year_group], first_name=f"Child{n}")
        parent = factories.make_parent(
            child,
            first_name=first_name or f"Parent{n}",
            email=kw.pop("email", None) or f"family{n}.{year_group.key}@school.example",
            **kw,
        )
        db.session.commit()
        return parent

    return _make


def sent_mail():
    return mail.outbox_messages()


def attachments(message) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}
