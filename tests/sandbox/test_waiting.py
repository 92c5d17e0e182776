"""Writing left waiting too long: the class teachers get one email (no pupil's words), never
twice for the same waiting; the queues and the start page mark it; the mail worker runs it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from esafety import mail, periodic
from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.extensions import db
from esafety.mail.delivery import run_worker
from esafety.sandbox import moderation, services, waiting
from esafety.sandbox.models import WaitNotice
from esafety.school.models import ClassTeacher, YearGroup
from tests import factories


@pytest.fixture
def blog(db, app):
    teacher = factories.make_user(Role.TEACHER, first_name="Fatima", email="fatima@school.example")
    helper = factories.make_user(Role.SUPPORT_STAFF, email="helper@school.example")
    ash = factories.make_class(YearGroup.YEAR_2, name="Ash", teacher=teacher)
    db.session.add(ClassTeacher(class_id=ash.id, user_id=helper.id))
    pupil = factories.make_pupil(ash, first_name="Ava", last_name="Jones")
    services.open_window(teacher, ash.id, None)
    db.session.commit()
    return teacher, ash, pupil


def _send(pupil, class_id, title, hours_ago):
    post = services.save_post(pupil.user, class_id, title, "We planted seeds today", send=True)
    post.submitted_at = utcnow() - timedelta(hours=hours_ago)
    db.session.commit()
    return post


def _sent() -> list:
    db.session.commit()
    return [m for m in mail.outbox_messages() if "waited" in m["Subject"]]


def _run(app) -> str:
    result = app.test_cli_runner().invoke(args=["sandbox", "remind-waiting"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_class_teacher_is_emailed_once_with_a_count_and_a_link_and_no_pupil_words(app, blog):
    teacher, ash, pupil = blog
    hours = app.config["BLOG_WAIT_ALERT_HOURS"]
    _send(pupil, ash.id, "Not yet late", hours_ago=hours - 1)
    _send(pupil, ash.id, "Seeds", hours_ago=hours + 2)
    assert "Emails to teachers: 1, about 1 piece" in _run(app)
    sent = _sent()
    assert [m["To"] for m in sent] == ["fatima@school.example"]  # the teacher, not the helper
    body = sent[0].get_content()
    assert "Ash: 1 post or comment is waiting." in body
    assert f"/sandbox/classes/{ash.id}/moderation" in body
    for private in ("Ava", "Jones", "Seeds", "planted"):
        assert private not in body
    # Run as often as you like: the same waiting is never told twice.
    assert "Emails to teachers: 0" in _run(app)
    assert "Emails to teachers: 0" in _run(app)
    assert len(_sent()) == 1


def test_new_long_waits_are_told_with_the_whole_count_and_a_resent_post_counts_again(app, blog):
    teacher, ash, pupil = blog
    hours = app.config["BLOG_WAIT_ALERT_HOURS"]
    first = _send(pupil, ash.id, "Seeds", hours_ago=hours + 5)
    waiting.notice_long_waits()
    _send(pupil, ash.id, "Beans", hours_ago=hours + 1)
    report = waiting.notice_long_waits()
    assert (report.emails, report.items) == (1, 1)
    assert "Ash: 2 posts and comments are waiting." in _sent()[-1].get_content()
    # Sent back, changed and sent again: a new wait, told again when it is too long.
    moderation.return_with_feedback(teacher, first, "Tell us more", seen=first.revision)
    services.save_post(
        pupil.user,
        ash.id,
        "Seeds",
        "We planted seeds. They grew.",
        send=True,
        post=first,
        seen=first.revision,
    )
    assert waiting.notice_long_waits().items == 0
    first.submitted_at = utcnow() - timedelta(hours=hours + 1)
    assert waiting.notice_long_waits().items == 1
    assert db.session.scalar(select(func.count(WaitNotice.id))) == 3


def test_approved_writing_is_not_told_and_a_class_without_staff_is_told_later(app, blog):
    teacher, ash, pupil = blog
    hours = app.config["BLOG_WAIT_ALERT_HOURS"]
    post = _send(pupil, ash.id, "Seeds", hours_ago=hours + 1)
    moderation.approve(teacher, post, seen=post.revision)
    assert waiting.notice_long_waits().items == 0
    lonely = factories.make_class(YearGroup.YEAR_1, name="Elm")
    other = factories.make_pupil(lonely)
    services.open_window(factories.make_user(Role.HEADTEACHER), lonely.id, None)
    post = services.save_post(other.user, lonely.id, "Hello", "Hello everyone", send=True)
    post.submitted_at = utcnow() - timedelta(hours=hours + 1)
    report = waiting.notice_long_waits()
    assert report.emails == 0 and report.untold_classes == ["Elm"]
    # Not recorded: once the class has a teacher, they are told.
    db.session.add(ClassTeacher(class_id=lonely.id, user_id=teacher.id))
    assert waiting.notice_long_waits().emails == 1


def test_the_queues_and_the_start_page_mark_writing_waiting_too_long(client, login_as, app, blog):
    teacher, ash, pupil = blog
    hours = app.config["BLOG_WAIT_ALERT_HOURS"]
    _send(pupil, ash.id, "Seeds", hours_ago=hours + 1)
    _send(pupil, ash.id, "Beans", hours_ago=1)
    login_as(teacher)
    mark = f"Waiting more than {hours} hours"
    for url in ("/sandbox/moderation", f"/sandbox/classes/{ash.id}/moderation"):
        assert client.get(url).get_data(as_text=True).count(mark) == 1
    start = client.get("/").get_data(as_text=True)
    assert f"(1 waiting more than {hours} hours)" in start


def test_the_mail_worker_runs_the_job_every_few_minutes(app, blog):
    _, ash, pupil = blog
    _send(pupil, ash.id, "Seeds", hours_ago=app.config["BLOG_WAIT_ALERT_HOURS"] + 1)
    assert (waiting.JOB, waiting.notice_long_waits) in periodic.features.periodic_jobs()
    calls = []
    jobs = periodic.Periodic([(waiting.JOB, lambda: calls.append(waiting.notice_long_waits()))])
    stop = threading.Event()

    def between_rounds():
        jobs()
        jobs()  # straight after: not due again yet
        stop.set()

    run_worker(0.01, stop=stop, between_rounds=between_rounds)
    assert len(calls) == 1 and calls[0].emails == 1
    assert db.session.scalar(select(func.count(WaitNotice.id))) == 1  # committed by the worker
    jobs(utcnow() + periodic.EVERY + timedelta(seconds=1))
    assert len(calls) == 2 and calls[1].emails == 0
