"""Mail survives a mail server that refuses or hangs: nothing lost, no request kept waiting."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from esafety import mail
from esafety.audit import AuditEntry
from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.extensions import db
from esafety.mail import delivery
from esafety.mail.models import MailState, OutgoingMail
from esafety.meetings import planning
from esafety.meetings.models import Booking
from tests import factories
from tests.meetings.conftest import details


@pytest.fixture
def evening(db):
    officer = factories.make_user(Role.ESAFETY_OFFICER, email="sarah@school.example")
    meeting = planning.create_meeting(officer, details(capacity=10))
    db.session.commit()
    return meeting


@pytest.fixture
def parent(school):
    child = factories.make_pupil(school.classes[next(iter(school.classes))], first_name="Ada")
    parent = factories.make_parent(child, email="ada.parent@school.example")
    db.session.commit()
    return parent


def _book_through_the_page(client, login_as, parent, evening) -> float:
    login_as(parent)
    # Warm up (templates compiled, connections open): time the booking, not a cold start.
    assert client.get(f"/meetings/{evening.id}/book").status_code == 200
    started = time.perf_counter()
    response = client.post(f"/meetings/{evening.id}/book", data={"places": "1"})
    took = time.perf_counter() - started
    assert response.status_code == 302
    assert db.session.scalar(select(Booking).where(Booking.parent_id == parent.id)) is not None
    return took


def _the_message() -> OutgoingMail:
    db.session.expire_all()
    [row] = db.session.scalars(select(OutgoingMail)).all()
    return row


def test_a_booking_with_the_mail_server_refusing_is_quick_and_its_mail_goes_later(
    client, login_as, parent, evening, mail_server
):
    mail_server.stop()  # nothing listens: connections are refused

    assert _book_through_the_page(client, login_as, parent, evening) < 1.0
    assert _the_message().state is MailState.WAITING

    report = delivery.deliver_due()
    assert (report.sent, report.retrying) == (0, 1)
    row = _the_message()
    assert row.attempts == 1 and "refused the connection" in row.last_error
    assert row.next_attempt_at >= utcnow() + timedelta(seconds=50)

    handler = mail_server.start()
    assert delivery.deliver_due().tried == 0  # not due yet: the pause is kept
    report = delivery.deliver_due(utcnow() + timedelta(minutes=2))
    assert report.sent == 1
    assert mail_server.subjects() == [f"Your place is booked: {evening.title}"]
    assert handler.messages[0][1] == ["ada.parent@school.example"]
    row = _the_message()
    assert row.state is MailState.SENT and row.content is None  # nothing lingers once sent
    assert delivery.deliver_due(utcnow() + timedelta(days=1)).tried == 0  # sent exactly once


def test_a_booking_with_the_mail_server_hanging_is_quick_and_its_mail_goes_later(
    client, login_as, parent, evening, mail_server
):
    mail_server.hang()

    assert _book_through_the_page(client, login_as, parent, evening) < 1.0

    started = time.perf_counter()
    report = delivery.deliver_due()
    assert report.retrying == 1
    assert time.perf_counter() - started < 3  # the worker's short timeout, not 30 s
    assert "did not answer in time" in _the_message().last_error

    mail_server.start()
    assert delivery.deliver_due(utcnow() + timedelta(minutes=2)).sent == 1
    assert mail_server.subjects() == [f"Your place is booked: {evening.title}"]


def test_a_dead_server_costs_one_timeout_for_a_whole_batch(app, mail_server):
    mail_server.hang()
    for n in range(5):
        mail.queue(f"p{n}@school.example", f"Notice {n}", "Hello")
    db.session.commit()

    started = time.perf_counter()
    report = delivery.deliver_due()
    assert report.retrying == 5
    assert time.perf_counter() - started < 2


def test_pauses_double_and_the_message_is_set_aside_after_the_last_try(app, mail_server):
    mail_server.stop()
    mail.queue("late@school.example", "Reminder", "Hello")
    db.session.commit()

    pauses = []
    now = utcnow()
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"] - 1):
        assert delivery.deliver_due(now).retrying == 1
        row = _the_message()
        pauses.append((row.next_attempt_at - now).total_seconds())
        now = row.next_attempt_at
    assert pauses == [60, 120, 240]
    assert delivery.deliver_due(now).failed == 1
    row = _the_message()
    assert row.state is MailState.FAILED and row.attempts == 4
    assert delivery.deliver_due(now + timedelta(days=1)).tried == 0


def test_an_address_refused_for_good_is_set_aside_and_the_office_can_send_it_again(
    app, client, login_as, mail_server
):
    mail_server.start(refuse=("gone@school.example",))
    mail.queue("gone@school.example", "Your invitation", "Hello")
    mail.queue("here@school.example", "Your invitation", "Hello")
    db.session.commit()

    report = delivery.deliver_due()
    assert (report.sent, report.failed) == (1, 1)  # one bad address does not stop the other
    gone = db.session.scalar(
        select(OutgoingMail).where(OutgoingMail.recipients == "gone@school.example")
    )
    assert gone.state is MailState.FAILED and "550" in gone.last_error

    office = login_as(Role.OFFICE_ADMIN)
    page = client.get("/school/mail").get_data(as_text=True)
    assert "gone@school.example" in page and "Not delivered" in page
    assert "here@school.example" not in page

    mail_server.start()  # the address has been fixed at the other end
    response = client.post("/school/mail/retry", data={"mail_id": str(gone.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutgoingMail, gone.id).state is MailState.WAITING
    assert delivery.deliver_due().sent == 1
    assert mail_server.handler.messages[-1][1] == ["gone@school.example"]
    retried = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mail.retried"))
    assert retried.actor_id == office.id and retried.target_id == gone.id
    assert "Every email has gone." in client.get("/school/mail").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.TEACHER, Role.PARENT, Role.DSL])
def test_the_undelivered_mail_page_is_for_the_office(client, login_as, role):
    login_as(role)
    assert client.get("/school/mail").status_code == 403
    assert client.post("/school/mail/retry").status_code == 403


def test_the_office_sees_no_subject_of_a_private_notice(app, client, login_as, mail_server):
    mail_server.start(refuse=("dsl@school.example",))
    mail.queue("dsl@school.example", "A safeguarding concern for you: C-0001", "Hi", private=True)
    db.session.commit()
    delivery.deliver_due()
    login_as(Role.OFFICE_ADMIN)
    page = client.get("/school/mail").get_data(as_text=True)
    assert "dsl@school.example" in page and mail.PRIVATE_LABEL in page
    assert "C-0001" not in page


def test_mail_of_a_rolled_back_change_never_goes(app):
    mail.queue("nobody@school.example", "Booked", "Hello")
    db.session.flush()
    db.session.rollback()
    assert mail.outbox_messages() == []
    assert db.session.scalars(select(OutgoingMail)).all() == []


def test_mail_waits_for_its_transaction_to_commit(app):
    mail.queue("soon@school.example", "Booked", "Hello")
    assert mail.outbox_messages() == []  # a worker cannot see it yet, and neither does this
    db.session.commit()
    assert [m["To"] for m in mail.outbox_messages()] == ["soon@school.example"]


@pytest.mark.commits
def test_the_worker_sends_committed_mail_within_seconds(app):
    """The worker runs on its own (here a thread with its own app context and session)."""
    stop = threading.Event()

    def work() -> None:
        with app.app_context():
            delivery.run_worker(0.1, stop)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    try:
        mail.queue("quick@school.example", "Booked", "Hello")
        db.session.commit()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            db.session.expire_all()
            if db.session.scalar(select(OutgoingMail.state)) is MailState.SENT:
                break
            db.session.rollback()
            time.sleep(0.05)
        assert db.session.scalar(select(OutgoingMail.state)) is MailState.SENT
    finally:
        stop.set()
        worker.join(5)
    assert not worker.is_alive()


def test_healthz_reports_the_mail_backlog(app, client, mail_server):
    mail_server.stop()
    mail.queue("a@school.example", "One", "Hello")
    db.session.commit()
    delivery.deliver_due()
    body = client.get("/healthz").get_json()
    assert body["mail"]["waiting"] == 1 and body["mail"]["failed"] == 0


def test_records_of_sent_mail_go_after_a_year(app):
    from esafety.records import retention

    mail.queue("old@school.example", "Booked", "Hello")
    mail.queue("waiting@school.example", "Booked", "Hello")
    db.session.commit()
    delivery.deliver_due()
    db.session.execute(
        OutgoingMail.__table__.update().values(created_at=utcnow() - timedelta(days=400))
    )
    db.session.execute(
        OutgoingMail.__table__.update()
        .where(OutgoingMail.recipients == "waiting@school.example")
        .values(state=MailState.WAITING)
    )
    db.session.commit()
    due = [r for r in retention.find_due() if r.rule == "sent_mail"]
    assert len(due) == 1  # mail still waiting to go is never deleted
    retention.apply(due)
    db.session.commit()
    assert db.session.scalars(select(OutgoingMail.recipients)).all() == ["waiting@school.example"]


def test_a_message_that_cannot_be_sent_does_not_hold_up_the_others(app, mail_server, monkeypatch):
    handler = mail_server.start()
    mail.queue("first@school.example", "Broken", "Hello")
    mail.queue("second@school.example", "Fine", "Hello")
    db.session.commit()
    real_send = delivery.SmtpTransport.send

    def send(self, content: bytes) -> None:
        if b"Subject: Broken" in content:
            raise ValueError("a header the server cannot take")
        real_send(self, content)

    monkeypatch.setattr(delivery.SmtpTransport, "send", send)
    report = delivery.deliver_due()
    assert (report.sent, report.failed) == (1, 1)
    assert [rcpt for _, rcpt, _ in handler.messages] == [["second@school.example"]]
    broken = db.session.scalar(select(OutgoingMail).where(OutgoingMail.subject == "Broken"))
    assert broken.state is MailState.FAILED and "could not be sent as it is" in broken.last_error


def test_a_server_saying_try_later_gets_the_message_again_later(
    client, login_as, parent, evening, mail_server
):
    handler = mail_server.start()
    handler.busy = True

    assert _book_through_the_page(client, login_as, parent, evening) < 1.0
    report = delivery.deliver_due()
    assert (report.retrying, report.failed) == (1, 0)  # a 4xx answer is never the end
    row = _the_message()
    assert row.state is MailState.WAITING and "451" in row.last_error

    handler.busy = False
    assert delivery.deliver_due(utcnow() + timedelta(minutes=2)).sent == 1
    assert mail_server.subjects() == [f"Your place is booked: {evening.title}"]


def test_the_outbox_keeps_the_parts_and_the_email_is_built_when_it_is_sent(app):
    """A request stores what the email says; the worker builds it (the same email each try),
    and a row written whole by an earlier version is sent as it is."""
    from email import message_from_bytes

    from esafety.mail.message import Attachment, build_message, message_bytes

    row = mail.queue(
        ["a@school.example", "b@school.example"],
        "Your place is booked",
        "See you there.\n",
        [Attachment("evening.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")],
    )
    assert row is not None and row.content is not None
    assert b"MIME-Version" not in row.content  # no email was built in the request
    assert row.recipients == "a@school.example, b@school.example"
    first, again = message_bytes(row.content), message_bytes(row.content)
    built = message_from_bytes(first)
    assert built["Message-ID"] == message_from_bytes(again)["Message-ID"]
    assert built["To"] == "a@school.example, b@school.example"
    assert built["Subject"] == "Your place is booked"
    [text, calendar] = [part for part in built.walk() if not part.is_multipart()]
    assert text.get_payload(decode=True) == b"See you there.\n"
    assert calendar.get_filename() == "evening.ics"
    assert calendar.get_payload(decode=True) == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    whole = bytes(build_message("c@school.example", "Earlier", "Written whole.\n"))
    assert message_bytes(whole) == whole
