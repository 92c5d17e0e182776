"""A real SMTP server on loopback (aiosmtpd), and stand-ins for one that refuses or hangs."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink


class Collect(Sink):
    """Keeps every message it is given; answers 550 to addresses it is told to refuse."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse = refuse
        #: Answer every message with a temporary refusal, as a busy or greylisting server does.
        self.busy = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.busy:
            return "451 Busy just now, try again later"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailServer:
    """Start, stop and swap the server on one fixed loopback port during a test."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.handler = Collect()
        self._controller: Controller | None = None
        self._hanging: socket.socket | None = None

    def start(self, refuse: tuple[str, ...] = ()) -> Collect:
        self.stop()
        self.handler.refuse = refuse
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self.handler

    def hang(self) -> None:
        """Accept connections (the kernel completes them) but never say a word."""
        self.stop()
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._hanging = listener

    def stop(self) -> None:
        """Nothing listens: a connection is refused at once."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._hanging is not None:
            self._hanging.close()
            self._hanging = None

    def subjects(self) -> list[str]:
        from email import message_from_bytes, policy

        return [
            message_from_bytes(raw, policy=policy.default)["Subject"]
            for _, _, raw in self.handler.messages
        ]


@pytest.fixture
def mail_server(app) -> Iterator[MailServer]:
    """Point the app at a loopback port with nothing on it yet; short timeouts, quick retries."""
    server = MailServer(free_port())
    keys = (
        "MAIL_SERVER",
        "MAIL_PORT",
        "MAIL_USE_TLS",
        "MAIL_TIMEOUT",
        "MAIL_RETRY_SECONDS",
        "MAIL_MAX_ATTEMPTS",
    )
    saved = {k: app.config[k] for k in keys}
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=server.port,
        MAIL_USE_TLS=False,
        MAIL_TIMEOUT=0.5,
        MAIL_RETRY_SECONDS=60,
        MAIL_MAX_ATTEMPTS=4,
    )
    try:
        yield server
    finally:
        server.stop()
        app.config.update(saved)
