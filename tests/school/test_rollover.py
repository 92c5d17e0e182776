"""The academic-year rollover: classes up a year group, Year 6 leave, consent starts afresh."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from esafety.auth.roles import Role
from esafety.errors import DomainError
from esafety.extensions import db
from esafety.school import rollover, services
from esafety.school.models import ConsentSource, SchoolClass, YearGroup
from tests import factories


def test_rollover_moves_every_class_up_and_year_6_leave(school):
    office = factories.make_user(Role.OFFICE_ADMIN)
    year_5 = school.pupils[YearGroup.YEAR_5]
    leavers = school.pupils[YearGroup.YEAR_6]
    for pupil in year_5:
        services.record_photo_consent(
            office,
            pupil,
            school.year,
            class_blog=True,
            website=True,
            source=ConsentSource.PAPER_FORM,
        )
    old_class_ids = {c.id for c in school.classes.values()}

    plan = rollover.apply_rollover(office)
    db.session.commit()

    assert plan.leavers == len(leavers)
    new_year = services.current_academic_year()
    assert new_year.name == plan.to_year != school.year.name
    current = db.session.scalars(
        select(SchoolClass).where(SchoolClass.academic_year_id == new_year.id)
    ).all()
    assert sorted(c.year_group for c in current) == list(range(1, 7))
    for pupil in year_5:
        db.session.refresh(pupil)
        assert pupil.school_class.year_group == YearGroup.YEAR_6
    for pupil in leavers:
        db.session.refresh(pupil)
        assert pupil.class_id is None and pupil.left_on is not None
        assert not pupil.user.active
    assert all(db.session.get(SchoolClass, i).archived for i in old_class_ids)
    assert services.photo_consent_for([p.id for p in year_5], "class_blog") == {
        p.id: False for p in year_5
    }
    # Teachers move up with their class.
    teacher = school.teachers[YearGroup.YEAR_2]
    assert [c.year_group for c in services.classes_for(teacher)] == [YearGroup.YEAR_3]


def test_rollover_cannot_run_twice_for_the_same_year(school):
    rollover.apply_rollover(None)
    with pytest.raises(DomainError):
        rollover.apply_rollover(None)


def test_the_office_previews_then_confirms(client, school, login_as):
    login_as(Role.OFFICE_ADMIN)
    preview = client.get("/school/rollover")
    assert b"Leave the school" in preview.data
    refused = client.post("/school/rollover", data={})
    assert b"Tick the box" in refused.data
    assert services.current_academic_year().id == school.year.id
    done = client.post("/school/rollover", data={"confirm": "yes"}, follow_redirects=True)
    assert b"has started" in done.data
