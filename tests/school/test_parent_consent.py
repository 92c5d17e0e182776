"""Consent parents give themselves: on their own account, for their own children, at once."""

from __future__ import annotations

import pytest

from esafety.auth.roles import Role
from esafety.errors import NotFoundError
from esafety.extensions import db
from esafety.school import services
from esafety.school.models import ConsentKind, ConsentSource, YearGroup
from tests import factories

ALL_NO = {kind: False for kind in ConsentKind}


def test_a_parent_answers_for_their_own_child_and_the_register_keeps_the_history(school):
    pupil = school.pupils[YearGroup.YEAR_2][0]
    parent = factories.make_parent(pupil, first_name="Priya", last_name="Shah")
    office = factories.make_user(Role.OFFICE_ADMIN)
    services.record_photo_consent(
        office, pupil, school.year, class_blog=True, website=True, source=ConsentSource.PAPER_FORM
    )
    consent = services.give_photo_consent(
        parent, pupil.id, {**ALL_NO, ConsentKind.CLASS_BLOG: True, ConsentKind.VIDEO: True}
    )
    assert (consent.source, consent.recorded_by_id) == (ConsentSource.PARENT_PORTAL, parent.id)
    assert services.photo_consent_for([pupil.id], "website") == {pupil.id: False}
    assert services.photo_consent_for([pupil.id], ConsentKind.VIDEO) == {pupil.id: True}
    history = services.consent_history([pupil.id], school.year)[pupil.id]
    assert [(h.source, h.recorded_by_id, h.website) for h in history] == [
        (ConsentSource.PARENT_PORTAL, parent.id, False),
        (ConsentSource.PAPER_FORM, office.id, True),
    ]
    assert history[0].summary == "yes to class blog photos, video clips"


def test_a_parent_cannot_answer_for_someone_elses_child(school):
    mine, theirs = school.pupils[YearGroup.YEAR_2][:2]
    parent = factories.make_parent(mine)
    with pytest.raises(NotFoundError):
        services.give_photo_consent(parent, theirs.id, {ConsentKind.CLASS_BLOG: True})
    teacher = school.teachers[YearGroup.YEAR_2]
    with pytest.raises(NotFoundError):
        services.give_photo_consent(teacher, mine.id, {ConsentKind.CLASS_BLOG: True})
    assert services.photo_consent_for([theirs.id], "class_blog") == {theirs.id: False}


def test_families_who_have_not_answered_are_reminded_once_a_week(school, app):
    answered, waiting = school.pupils[YearGroup.YEAR_3][:2]
    factories.make_parent(answered, email="done@family.example")
    parent = factories.make_parent(waiting, email="waiting@family.example")
    factories.make_user(Role.PARENT, email="nochildren@family.example")
    office = factories.make_user(Role.OFFICE_ADMIN)
    services.record_photo_consent(
        office, answered, school.year, class_blog=True, source=ConsentSource.PAPER_FORM
    )
    families = services.families_without_answer(school.year)
    assert list(families) == [parent]
    assert services.remind_families_about_consent(office) == 1
    assert services.remind_families_about_consent(office) == 0
    services.give_photo_consent(parent, waiting.id, ALL_NO)
    assert services.families_without_answer(school.year) == {}


def test_a_parent_gives_consent_from_their_phone_page(client, school, login_as):
    pupil = school.pupils[YearGroup.YEAR_5][0]
    other = school.pupils[YearGroup.YEAR_5][1]
    parent = factories.make_parent(pupil)
    login_as(parent)
    page = client.get("/school/my-children/photo-consent")
    assert page.status_code == 200
    assert pupil.first_name.encode() in page.data and b"Not answered yet" in page.data
    assert other.first_name.encode() not in page.data
    response = client.post(
        f"/school/my-children/photo-consent/{pupil.id}",
        data={f"c{pupil.id}-press": "y", f"c{pupil.id}-class_blog": "y"},
        follow_redirects=True,
    )
    assert b"your choices are saved" in response.data
    assert services.photo_consent_for([pupil.id], "press") == {pupil.id: True}
    assert services.photo_consent_for([pupil.id], "website") == {pupil.id: False}
    assert client.post(f"/school/my-children/photo-consent/{other.id}").status_code == 404
    db.session.rollback()


@pytest.mark.parametrize("role", [Role.TEACHER, Role.PUPIL, Role.GOVERNOR])
def test_only_parents_reach_the_parent_consent_page(client, school, login_as, role):
    login_as(role)
    assert client.get("/school/my-children/photo-consent").status_code == 403
