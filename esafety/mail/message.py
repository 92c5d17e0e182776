"""An email's parts as the outbox keeps them, and the email built from them when it is sent."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


def build_message(
    to: str | list[str],
    subject: str,
    body: str,
    attachments: list[Attachment] | tuple = (),
    message_id: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = recipients_of(to)
    message["Subject"] = subject
    message["Message-ID"] = message_id or _new_message_id()
    message.set_content(body)
    for item in attachments:
        maintype, _, subtype = item.mimetype.partition("/")
        message.add_attachment(
            item.content, maintype=maintype, subtype=subtype, filename=item.filename
        )
    return message


#: Starts the content of an outbox row that holds the message's parts rather than the email.
_PARTS = b"esafety-mail-parts/1\n"


def recipients_of(to: str | list[str]) -> str:
    return ", ".join(to) if isinstance(to, list) else to


def _new_message_id() -> str:
    return f"<{uuid.uuid4()}@esafety>"


def parts_of(
    to: str | list[str], subject: str, body: str, attachments: list[Attachment] | tuple
) -> bytes:
    """What the worker needs to build the email: the Message-ID is fixed now, so a message
    tried again is the same message."""
    parts = {
        "to": to,
        "subject": subject,
        "body": body,
        "message_id": _new_message_id(),
        "attachments": [
            {
                "filename": item.filename,
                "mimetype": item.mimetype,
                "content": base64.b64encode(item.content).decode("ascii"),
            }
            for item in attachments
        ],
    }
    return _PARTS + json.dumps(parts).encode()


def message_bytes(content: bytes) -> bytes:
    """The email an outbox row holds, built from its parts (a row written whole by an earlier
    version is sent as it is)."""
    if not content.startswith(_PARTS):
        return content
    parts = json.loads(content[len(_PARTS) :])
    attachments = [
        Attachment(item["filename"], base64.b64decode(item["content"]), item["mimetype"])
        for item in parts["attachments"]
    ]
    message = build_message(
        parts["to"], parts["subject"], parts["body"], attachments, parts["message_id"]
    )
    return bytes(message)
