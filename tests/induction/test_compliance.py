"""Where everyone stands: due dates, re-signs, the state on a past date, the dashboard and CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from esafety.auth.roles import Role
from esafety.clock import today
from esafety.extensions import db
from esafety.induction import compliance, training
from esafety.induction.compliance import ItemState
from esafety.induction.models import ChangeSize, TrainingKind
from esafety.school.models import StaffProfile
from tests import factories
from tests.induction.helpers import (
    add_course,
    days_ago,
    make_staff,
    new_version,
    publish_policy,
    read_pass_sign,
    standard_setup,
    teacher_pathway,
)


def test_a_new_starter_has_ten_days_from_their_start_date():
    setup = standard_setup()
    starter = make_staff(start=today() - timedelta(days=3))
    induction = compliance.induction_of(starter)
    assert induction.due_on == today() + timedelta(days=7)
    item = induction.policies[0]
    assert item.state == ItemState.TO_DO and not item.overdue
    assert [c.course.id for c in induction.courses] == [setup.course.id]
    assert induction.status == "In progress" and induction.done == 0 and induction.total == 2


def test_nothing_done_after_the_due_date_is_overdue():
    standard_setup()
    late = make_staff(start=today() - timedelta(days=11))
    induction = compliance.induction_of(late)
    assert induction.overdue and induction.status == "Overdue"


def test_signing_everything_completes_the_induction():
    setup = standard_setup()
    teacher = make_staff()
    read_pass_sign(teacher, setup.version, setup.course)
    induction = compliance.induction_of(teacher)
    assert induction.complete and induction.done == induction.total == 2


def test_people_without_a_pathway_for_their_role_have_no_induction():
    standard_setup()
    office = factories.make_user(Role.OFFICE_ADMIN)
    assert compliance.induction_of(office) is None


def test_a_re_sign_is_due_ten_days_after_the_major_version():
    setup = standard_setup()
    teacher = make_staff()
    read_pass_sign(teacher, setup.version, setup.course, at=days_ago(30))
    new_version(setup.head, setup.version, ChangeSize.MAJOR, at=days_ago(4))
    item = compliance.induction_of(teacher).policies[0]
    assert item.state == ItemState.NEEDS_RESIGN
    assert item.due_on == today() - timedelta(days=4) + timedelta(days=10)
    assert not item.overdue


def test_the_state_on_a_past_date_comes_from_the_records_of_that_time():
    setup = standard_setup()  # version 1 published now; backdate by publishing a history
    teacher = make_staff()
    read_pass_sign(teacher, setup.version, setup.course)
    db.session.commit()
    yesterday = today() - timedelta(days=1)
    # Before anything was published, there was nothing to sign.
    assert compliance.dashboard(yesterday).policies == []
    assert compliance.dashboard().policies[0].current == 1


def test_the_dashboard_on_a_past_date_shows_who_was_current_then():
    setup = standard_setup()
    old_hand = make_staff(first_name="Old", last_name="Hand")
    latecomer = make_staff(first_name="Late", last_name="Comer")
    read_pass_sign(old_hand, setup.version, setup.course)  # today
    db.session.commit()
    # A second policy with a history: published 60 days ago, signed 50 days ago, major 10 ago.
    aup = publish_policy(setup.head, "Acceptable Use Policy", "acceptable-use", at=days_ago(60))
    course = add_course("acceptable-use", "acceptable-use")
    teacher_pathway(setup.head, aup.policy_id)
    read_pass_sign(latecomer, aup, course, at=days_ago(50))
    new_version(setup.head, aup, ChangeSize.MAJOR, at=days_ago(10))
    db.session.commit()

    then = compliance.dashboard(today() - timedelta(days=20))
    row = next(r for r in then.policies if r.policy.id == aup.policy_id)
    assert (row.version.number, row.required, row.current) == (1, 3, 1)  # head, two teachers
    now = compliance.dashboard()
    row = next(r for r in now.policies if r.policy.id == aup.policy_id)
    assert (row.version.number, row.current, row.needs_resign, row.not_signed) == (2, 0, 1, 2)


def test_leavers_and_people_not_yet_started_are_left_out():
    standard_setup()
    leaver = make_staff(first_name="Gone")
    db.session.get(StaffProfile, leaver.id).left_on = today() - timedelta(days=1)
    make_staff(first_name="Future", start=today() + timedelta(days=5))
    names = [i.user.first_name for i in compliance.dashboard().inductions]
    assert "Gone" not in names and "Future" not in names


def standard_setup_again():
    """The same policy and course, reloaded after the session was cleared."""
    from esafety.induction.models import Course, PolicyVersion
    from tests.induction.helpers import Setup

    version = db.session.scalars(db.select(PolicyVersion)).one()
    course = db.session.scalars(db.select(Course)).one()
    return Setup(db.session.get(type(version.approved_by), version.approved_by_id), version, course)


def _add_staff(setup, count: int, start: int = 0) -> None:
    """Staff in a mix of states: half signed, everyone with safeguarding training."""
    for n in range(start, start + count):
        teacher = make_staff(first_name=f"Staff{n}", email=f"staff{n}@school.example")
        if n % 2:
            read_pass_sign(teacher, setup.version, setup.course)
        training.add_training_record(
            teacher,
            teacher,
            kind=TrainingKind.SAFEGUARDING,
            course="Safeguarding refresher",
            provider="Local authority",
            completed_on=today() - timedelta(days=350),
        )
    db.session.commit()
    db.session.expunge_all()


def test_the_dashboard_uses_the_same_number_of_queries_for_few_and_many_staff(count_queries):
    setup = standard_setup()
    _add_staff(setup, 3)
    with count_queries() as few:
        small = compliance.dashboard()
    assert len(small.inductions) == 4

    setup = standard_setup_again()
    _add_staff(setup, 40, start=3)
    with count_queries() as many:
        large = compliance.dashboard()
    assert len(large.inductions) > 40
    assert few.count == many.count, (few.statements, many.statements)


def test_the_dashboard_page_uses_the_same_number_of_queries_for_few_and_many(
    client, login_as, count_queries
):
    setup = standard_setup()
    login_as(setup.head)
    _add_staff(setup, 3)
    with count_queries() as few:
        assert client.get("/induction/dashboard").status_code == 200
    _add_staff(standard_setup_again(), 30, start=3)
    with count_queries() as many:
        assert client.get("/induction/dashboard").status_code == 200
    assert few.count == many.count


def test_training_expiring_within_thirty_days_is_listed():
    standard_setup()
    teacher = make_staff()
    training.add_training_record(
        teacher,
        teacher,
        kind=TrainingKind.SAFEGUARDING,
        course="Safeguarding refresher",
        provider="Local authority",
        completed_on=today() - timedelta(days=350),
    )
    board = compliance.dashboard()
    assert [(t.record.user_id, t.state) for t in board.expiring_training] == [
        (teacher.id, "expiring")
    ]
    assert board.safeguarding[teacher.id] == "expiring"


def test_a_refresher_replaces_the_expiring_record():
    standard_setup()
    teacher = make_staff()
    for days in (350, 5):
        training.add_training_record(
            teacher,
            teacher,
            kind=TrainingKind.SAFEGUARDING,
            course="Safeguarding  refresher",
            provider="Local authority",
            completed_on=today() - timedelta(days=days),
        )
    board = compliance.dashboard()
    assert board.expiring_training == []
    assert board.safeguarding[teacher.id] == "current"


def test_the_csv_has_a_row_per_person_and_neutralises_formulas():
    setup = standard_setup()
    sly = make_staff(first_name="=HYPERLINK(1)", last_name="+Evil")
    read_pass_sign(sly, setup.version, setup.course)
    make_staff(first_name="@Sum", last_name="-Minus")
    body = compliance.dashboard_csv(compliance.dashboard())
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:5] == ["Name", "Job title", "Start date", "Induction due", "Status"]
    assert "Social Media Policy" in rows[0]
    names = [r[0] for r in rows[1:]]
    assert "'=HYPERLINK(1) +Evil" in names and "'@Sum -Minus" in names
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    signed = next(r for r in rows if r[0].startswith("'=HYPERLINK"))
    assert signed[rows[0].index("Social Media Policy")].startswith("Signed version 1 on ")
