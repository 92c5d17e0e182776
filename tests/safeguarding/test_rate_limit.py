"""A flood of concerns from one account is stopped, kindly, before it buries the real ones."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from esafety.errors import DomainError
from esafety.extensions import db
from esafety.safeguarding import services
from esafety.safeguarding.models import Concern

from .conftest import details


def test_one_person_sends_at_most_the_hourly_number_of_concerns(people):
    for _ in range(services.CONCERNS_PER_HOUR):
        services.raise_concern(people.parent, details())
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.raise_concern(people.parent, details())
    assert "speak to the designated safeguarding lead" in refused.value.message
    db.session.rollback()
    count = db.session.scalar(select(func.count(Concern.id)))
    assert count == services.CONCERNS_PER_HOUR
    # Someone else is not held back by it.
    services.raise_concern(people.governor, details())


def test_a_pupil_who_tells_again_and_again_is_never_turned_away(people):
    """A worried child is heard every time: the flood limit is for adults' report forms."""
    pupil = people.child.user
    for _ in range(services.CONCERNS_PER_HOUR + 2):
        services.tell_a_teacher(pupil, services.TellChoice.UNKIND)
    db.session.commit()
    assert db.session.scalar(select(func.count(Concern.id))) == services.CONCERNS_PER_HOUR + 2
