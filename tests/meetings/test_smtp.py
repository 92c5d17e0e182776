"""One email goes through a real SMTP server on this machine (aiosmtpd), calendar file and all."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from icalendar import Calendar

from esafety.extensions import db
from esafety.meetings import bookings
from tests.meetings.conftest import sent_mail


class Collect(Sink):
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    handler = Collect()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
    )
    try:
        yield handler
    finally:
        app.config.update(saved)
        controller.stop()


def test_a_confirmation_is_delivered_over_smtp_with_its_calendar_file(
    smtp_server, make_meeting, make_family
):
    meeting = make_meeting(title="Gaming and group chats")
    parent = make_family(email="delivered@school.example")
    bookings.book_places(meeting.id, parent.id, 2)
    db.session.commit()

    assert sent_mail() == []  # it went to the server, not the outbox
    [(sender, recipients, raw)] = smtp_server.messages
    assert recipients == ["delivered@school.example"]
    assert sender == "esafety@school.example"
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == "Your place is booked: Gaming and group chats"
    [calendar_part] = list(message.iter_attachments())
    assert calendar_part.get_content_type() == "text/calendar"
    calendar = Calendar.from_ical(calendar_part.get_content())
    assert calendar.walk("VEVENT")[0]["SUMMARY"] == "Gaming and group chats"
