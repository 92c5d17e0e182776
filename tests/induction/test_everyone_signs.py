"""Everyone who must sign: light pathways for volunteers and others, a yearly re-sign
(KCSIE every September) beside the major-version rule, governors signing their own code."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from esafety.auth.roles import Role
from esafety.errors import DomainError
from esafety.induction import compliance, ledger, pathways, policies
from esafety.induction.compliance import ItemState
from tests.induction.helpers import (
    Setup,
    add_course,
    make_head,
    make_staff,
    publish_policy,
    read_all,
    read_pass_sign,
    standard_setup,
    teacher_pathway,
)


def _volunteer_pathway(head, policy_id: int) -> None:
    pathways.save_pathway(
        head,
        None,
        name="Volunteers and visitors",
        roles=[Role.VOLUNTEER, Role.SUPPLY_STAFF, Role.STUDENT, Role.CONTRACTOR],
        policy_ids=[policy_id],
        course_ids=[],
        due_within_days=2,
        sign_only=True,
    )


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.SUPPLY_STAFF, Role.STUDENT, Role.CONTRACTOR])
def test_a_light_role_reads_and_signs_without_the_course(role):
    setup = standard_setup()  # the policy has a course: teachers must pass its quiz
    _volunteer_pathway(setup.head, setup.version.policy_id)
    helper = make_staff(role, first_name="Jo", last_name="Parry")
    induction = compliance.induction_of(helper)
    assert [p.policy.id for p in induction.policies] == [setup.version.policy_id]
    assert induction.courses == [] and induction.policies[0].courses == []
    with pytest.raises(DomainError, match="open every section"):
        ledger.sign_policy(helper, helper, setup.version, agreed=True, typed_name="Jo Parry")
    read_all(helper, setup.version)
    ledger.sign_policy(helper, helper, setup.version, agreed=True, typed_name="Jo Parry")
    assert compliance.induction_of(helper).complete
    assert not helper.is_staff  # signing gives no staff powers


def test_a_teacher_still_needs_the_quiz():
    setup = standard_setup()
    _volunteer_pathway(setup.head, setup.version.policy_id)
    teacher = make_staff(Role.TEACHER)
    read_all(teacher, setup.version)
    with pytest.raises(DomainError, match="pass the course's quiz"):
        ledger.sign_policy(
            teacher, teacher, setup.version, agreed=True, typed_name=teacher.full_name
        )


def _setup_published_in(at: datetime) -> Setup:
    head = make_head()
    version = publish_policy(head, at=at)
    course = add_course()
    teacher_pathway(head, version.policy_id)
    return Setup(head, version, course)


def test_the_yearly_re_sign_makes_last_septembers_sign_offs_out_of_date_on_the_day():
    setup = _setup_published_in(datetime(2025, 6, 1, 9, 0))
    policies.set_policy_rules(
        setup.head, setup.version.policy, annual_resign_month=9, open_to_families=False
    )
    teacher = make_staff(start=date(2024, 9, 1))
    signed_at = datetime(2025, 9, 3, 10, 0)
    read_pass_sign(teacher, setup.version, setup.course, at=signed_at)
    item = compliance.induction_of(teacher, date(2026, 8, 31)).policies[0]
    assert item.state is ItemState.DONE
    item = compliance.induction_of(teacher, date(2026, 9, 1)).policies[0]
    assert item.state is ItemState.NEEDS_RESIGN and item.yearly
    assert item.due_on == date(2026, 9, 1) + timedelta(days=10)
    with pytest.raises(DomainError, match="already been signed"):
        read_pass_sign(teacher, setup.version, setup.course, at=datetime(2026, 8, 30, 9))
    again = read_pass_sign(teacher, setup.version, setup.course, at=datetime(2026, 9, 2, 9))
    item = compliance.induction_of(teacher, date(2026, 9, 2)).policies[0]
    assert item.state is ItemState.DONE and item.sign_off_id == again.id
    assert ledger.verify_ledger().ok


def test_without_a_yearly_month_only_a_major_version_asks_again():
    setup = _setup_published_in(datetime(2025, 6, 1, 9, 0))
    teacher = make_staff(start=date(2024, 9, 1))
    read_pass_sign(teacher, setup.version, setup.course, at=datetime(2025, 9, 3, 10, 0))
    item = compliance.induction_of(teacher, date(2026, 9, 2)).policies[0]
    assert item.state is ItemState.DONE


def test_governors_sign_their_own_code():
    setup = standard_setup()
    code = publish_policy(setup.head, title="Governors' Code of Conduct", slug="governors-code")
    pathways.save_pathway(
        setup.head,
        None,
        name="Governors",
        roles=[Role.GOVERNOR],
        policy_ids=[code.policy_id],
        course_ids=[],
        sign_only=True,
    )
    governor = make_staff(Role.GOVERNOR, first_name="Grace", last_name="Okoye")
    assert [p.policy.title for p in compliance.induction_of(governor).policies] == [
        "Governors' Code of Conduct"
    ]
    read_pass_sign(governor, code, None)
    assert compliance.induction_of(governor).complete


def test_the_pathway_form_offers_the_light_pathway(client, login_as):
    setup = standard_setup()
    login_as(setup.head)
    response = client.post(
        "/induction/manage/pathways/new",
        data={
            "name": "Visitors",
            "roles": ["volunteer", "contractor"],
            "policy_ids": [setup.version.policy_id],
            "due_within_days": 1,
            "sign_only": "y",
        },
    )
    assert response.status_code == 302
    saved = next(p for p in pathways.all_pathways() if p.name == "Visitors")
    assert saved.sign_only and saved.role_set == {Role.VOLUNTEER, Role.CONTRACTOR}
