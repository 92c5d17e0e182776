"""The whole policy on one page: sections are recorded as read as they scroll into view, or all
at once with the plain button, and signing still needs every section read."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from esafety.auth.roles import Role
from esafety.errors import DomainError
from esafety.extensions import db
from esafety.induction import courses, ledger, policies
from esafety.induction.models import SectionRead, SignOff
from tests import factories
from tests.induction.helpers import answers, make_staff, policy_text, standard_setup

JSON = {"Accept": "application/json"}


def _read_positions(user, version) -> list[int]:
    read = policies.read_section_ids(user, version)
    return [s.position for s in version.sections if s.id in read]


# --- The rule, without HTTP ----------------------------------------------------------------------


def test_only_the_sections_seen_are_recorded_and_unknown_ones_are_ignored(db):
    setup = standard_setup()
    teacher = make_staff()
    policies.mark_sections_read(teacher, setup.version, [2, 3, 99])
    assert _read_positions(teacher, setup.version) == [2, 3]


def test_saying_you_have_read_all_of_it_records_every_section_once(db):
    setup = standard_setup()
    teacher = make_staff()
    policies.mark_sections_read(teacher, setup.version, [1])
    read = policies.mark_sections_read(teacher, setup.version, None)
    again = policies.mark_sections_read(teacher, setup.version, None)
    assert read == again == {s.id for s in setup.version.sections}
    rows = db.session.scalars(select(SectionRead).where(SectionRead.user_id == teacher.id)).all()
    assert len(rows) == len(setup.version.sections) == 4


def test_reading_a_draft_records_nothing(db):
    setup = standard_setup()
    draft = policies.start_new_version(
        setup.head,
        setup.version.policy,
        body_markdown=policy_text(" v2"),
        change="minor",
        change_summary="x",
    )
    assert policies.mark_sections_read(setup.head, draft, None) == set()
    assert db.session.scalar(select(SectionRead.section_id)) is None


def test_signing_still_needs_every_section_read(db):
    setup = standard_setup()
    teacher = make_staff()
    courses.submit_quiz(teacher, setup.course, answers(setup.course, 5))
    policies.mark_sections_read(teacher, setup.version, [1, 2, 3])
    with pytest.raises(DomainError, match="1 section is still to read"):
        ledger.sign_policy(
            teacher, teacher, setup.version, agreed=True, typed_name=teacher.full_name
        )
    policies.mark_sections_read(teacher, setup.version, [4])
    sign_off = ledger.sign_policy(
        teacher, teacher, setup.version, agreed=True, typed_name=teacher.full_name
    )
    assert sign_off.policy_sha256 == setup.version.sha256


# --- The pages -----------------------------------------------------------------------------------


def test_the_whole_policy_is_on_one_page_in_plain_words(client, login_as):
    setup = standard_setup()
    login_as(make_staff())
    db.session.commit()
    page = client.get(f"/induction/policies/{setup.version.id}").get_data(as_text=True)
    for section in setup.version.sections:
        assert f'id="section-{section.position}-h">{section.heading}</h2>' in page
    assert "Do not friend pupils or parents." in page and "Every year." in page
    approved = setup.version.published_at.strftime("%-d %B %Y")
    assert f"Version 1, approved {approved} by" in page
    assert setup.version.sha256[:8] not in page and "fingerprint" not in page
    assert "0</span> of 4 sections read" in page
    assert 'name="everything"' in page and "I have read all of it" in page
    assert "js/induction-reading.js" in page and "<script>" not in page


def test_sections_seen_are_recorded_and_the_page_script_is_told_what_is_left(client, login_as):
    setup = standard_setup()
    teacher = login_as(make_staff())
    url = f"/induction/policies/{setup.version.id}/read"
    response = client.post(url, data={"sections": "1,3"}, headers=JSON)
    assert response.status_code == 200
    assert response.get_json() == {"read": [1, 3], "unread": 2}
    assert _read_positions(teacher, setup.version) == [1, 3]
    page = client.get(f"/induction/policies/{setup.version.id}").get_data(as_text=True)
    assert "2</span> of 4 sections read" in page


@pytest.mark.parametrize("sent", ["1;drop", "x", "1," * 300, "-1"])
def test_nonsense_sections_are_refused_without_an_error_page(client, login_as, sent):
    setup = standard_setup()
    teacher = login_as(make_staff())
    url = f"/induction/policies/{setup.version.id}/read"
    response = client.post(url, data={"sections": sent}, headers=JSON)
    assert response.status_code == 400 and "could not be recorded" in response.get_json()["problem"]
    response = client.post(url, data={"sections": sent}, follow_redirects=True)
    assert response.status_code == 200
    assert "could not be recorded" in response.get_data(as_text=True)
    assert _read_positions(teacher, setup.version) == []


def test_without_javascript_the_button_records_it_all_and_shows_the_next_step(client, login_as):
    setup = standard_setup()
    teacher = login_as(make_staff())
    response = client.post(f"/induction/policies/{setup.version.id}/read", data={"everything": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/induction/policies/{setup.version.id}#sign-off")
    assert _read_positions(teacher, setup.version) == [1, 2, 3, 4]
    page = client.get(f"/induction/policies/{setup.version.id}").get_data(as_text=True)
    assert "Take the course: Social media at our school" in page
    assert "I have read all of it" not in page


def test_the_sign_off_is_at_the_end_of_the_policy_once_read_and_passed(client, login_as):
    setup = standard_setup()
    teacher = login_as(make_staff())
    policies.mark_sections_read(teacher, setup.version)
    courses.submit_quiz(teacher, setup.course, answers(setup.course, 5))
    db.session.commit()
    page = client.get(f"/induction/policies/{setup.version.id}").get_data(as_text=True)
    end_of_policy = page.index("Every year.")
    form = page.index(f'action="/induction/policies/{setup.version.id}/sign"')
    assert form > end_of_policy
    assert ">Sign the policy</button>" in page and ">Sign<" not in page
    response = client.post(
        f"/induction/policies/{setup.version.id}/sign",
        data={"agree": "y", "full_name": teacher.full_name},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(SignOff.user_id)) == teacher.id


@pytest.mark.parametrize("role", [Role.PUPIL, Role.PARENT])
def test_pupils_and_parents_cannot_record_reading(client, login_as, role):
    setup = standard_setup()
    if role == Role.PUPIL:
        login_as(factories.make_pupil(factories.make_class()).user)
    else:
        login_as(role)
    response = client.post(f"/induction/policies/{setup.version.id}/read", data={"everything": "y"})
    assert response.status_code == 403
    assert db.session.scalar(select(SectionRead.section_id)) is None


def test_a_teacher_cannot_record_reading_a_draft(client, login_as):
    setup = standard_setup()
    draft = policies.start_new_version(
        setup.head,
        setup.version.policy,
        body_markdown=policy_text(" v2"),
        change="minor",
        change_summary="x",
    )
    login_as(make_staff())
    db.session.commit()
    response = client.post(f"/induction/policies/{draft.id}/read", data={"everything": "y"})
    assert response.status_code == 403
    assert db.session.scalar(select(SectionRead.section_id)) is None
