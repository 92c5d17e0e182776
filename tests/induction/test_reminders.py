"""Reminders go once per stage: overdue inductions, re-signs, expiring training, policy reviews."""

from __future__ import annotations

from datetime import timedelta

from esafety import mail
from esafety.clock import today
from esafety.extensions import db
from esafety.induction import reminders, training
from esafety.induction.models import ChangeSize, ReminderSent, ReminderStage, TrainingKind
from tests.induction.helpers import (
    days_ago,
    make_staff,
    new_version,
    read_pass_sign,
    standard_setup,
)


def _subjects() -> list[tuple[str, str]]:
    """What went out once the reminders' transaction committed, as the command commits it."""
    db.session.commit()
    return sorted((m["To"], m["Subject"]) for m in mail.outbox_messages())


def test_an_overdue_induction_is_reminded_once():
    setup = standard_setup()
    make_staff(email="late@school.example", start=today() - timedelta(days=20))
    make_staff(first_name="New", email="new@school.example", start=today() - timedelta(days=2))
    counts = reminders.send_reminders()
    db.session.commit()
    assert counts["induction_overdue"] >= 1
    assert ("late@school.example", "Your induction is overdue") in _subjects()
    assert not any(to == "new@school.example" for to, _ in _subjects())
    before = len(mail.outbox_messages())
    assert reminders.send_reminders() == {}
    assert len(mail.outbox_messages()) == before
    assert setup


def test_an_out_of_date_sign_off_gets_a_notice_then_an_overdue_reminder():
    setup = standard_setup()
    teacher = make_staff(email="anna@school.example")
    read_pass_sign(teacher, setup.version, setup.course, at=days_ago(60))
    new_version(setup.head, setup.version, ChangeSize.MAJOR, at=days_ago(3))
    db.session.commit()
    mine = [s for to, s in _subjects() if to == "anna@school.example"]
    assert mine == ["Please read and sign version 2 of the Social Media Policy"]

    reminders.send_reminders()  # the notice was already sent at publication: nothing new
    assert [s for to, s in _subjects() if to == "anna@school.example"] == mine

    reminders.send_reminders(today() + timedelta(days=8))  # past the ten days
    reminders.send_reminders(today() + timedelta(days=9))
    mine = [s for to, s in _subjects() if to == "anna@school.example"]
    assert mine == [
        "Please read and sign version 2 of the Social Media Policy",
        "Reminder: please read and sign version 2 of the Social Media Policy",
    ]
    stages = db.session.scalars(db.select(ReminderSent.stage)).all()
    assert ReminderStage.RESIGN_OVERDUE in stages


def test_expiring_training_is_reminded_once_then_once_more_when_expired():
    standard_setup()
    teacher = make_staff(email="ta@school.example")
    training.add_training_record(
        teacher,
        teacher,
        kind=TrainingKind.SAFEGUARDING,
        course="Safeguarding refresher",
        provider="Local authority",
        completed_on=today() - timedelta(days=350),
    )
    reminders.send_reminders()
    reminders.send_reminders()
    reminders.send_reminders(today() + timedelta(days=40))
    mine = [s for to, s in _subjects() if to == "ta@school.example"]
    assert mine.count("Your Safeguarding refresher training expires soon") == 1
    assert mine.count("Your Safeguarding refresher training has expired") == 1


def test_a_refreshed_training_record_is_not_reminded():
    standard_setup()
    teacher = make_staff(email="fresh@school.example")
    for days in (350, 3):
        training.add_training_record(
            teacher,
            teacher,
            kind=TrainingKind.SAFEGUARDING,
            course="Safeguarding refresher",
            provider="Local authority",
            completed_on=today() - timedelta(days=days),
        )
    reminders.send_reminders()
    assert not any("training" in s for to, s in _subjects() if to == "fresh@school.example")


def test_the_policy_owner_is_reminded_of_the_annual_review(app):
    setup = standard_setup()
    db.session.commit()
    runner = app.test_cli_runner()
    soon = (setup.version.review_due_on - timedelta(days=10)).isoformat()
    late = (setup.version.review_due_on + timedelta(days=1)).isoformat()
    for day in (soon, soon, late, late):
        result = runner.invoke(args=["induction", "send-reminders", "--date", day])
        assert result.exit_code == 0, result.output
    owner = setup.head.email
    mine = [s for to, s in _subjects() if to == owner]
    assert mine.count("The Social Media Policy is due for its review") == 1
    assert mine.count("The Social Media Policy is overdue for its review") == 1


def test_the_command_says_when_nothing_was_due(app):
    result = app.test_cli_runner().invoke(args=["induction", "send-reminders"])
    assert result.exit_code == 0 and "No reminders were due" in result.output
