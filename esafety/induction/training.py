"""Training records: safeguarding and other courses, with certificates and refresh dates.

Staff receive regular, ongoing safeguarding training (the school's policy): safeguarding is
refreshed every year, the designated safeguarding lead's training every two years. A refresher
is a new record; the old one stays, so the history is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from .. import audit, uploads
from ..auth.models import User
from ..clock import today, utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..images import clean_picture
from .models import TrainingKind, TrainingRecord
from .rules import add_months, is_inductee, is_manager

#: Months until a refresher is due, when the certificate gives no expiry date.
DEFAULT_REFRESH_MONTHS: dict[TrainingKind, int | None] = {
    TrainingKind.SAFEGUARDING: 12,
    TrainingKind.DSL: 24,
    TrainingKind.ONLINE_SAFETY: 12,
    TrainingKind.OTHER: None,
}
MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """An uploaded file, read into memory (certificates are small)."""

    filename: str
    content: bytes


def default_expiry(kind: TrainingKind, completed_on: date) -> date | None:
    months = DEFAULT_REFRESH_MONTHS[kind]
    return add_months(completed_on, months) if months else None


def _kind_of_content(content: bytes) -> tuple[str, str] | None:
    """What the file really is, from its first bytes (its name and stated type can lie)."""
    if content.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    return None


def _check_pdf(content: bytes) -> None:
    """Open the PDF and count its pages: a file that only starts like a PDF is refused."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted or len(reader.pages) < 1:
            raise ValueError("no readable pages")
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise DomainError(
            "That PDF could not be opened (it may be damaged or password-protected). "
            "Please save the certificate again as a PDF, or upload a photo of it.",
            "file",
        ) from None


def _clean_image(content: bytes) -> bytes:
    """Re-encode a picture so nothing hidden (location, metadata, trailing data) is kept."""
    return clean_picture(content, field="file").data


def store_certificate(upload: Upload) -> tuple[str, str]:
    """Check a certificate by its content, clean it, and store it under a random name."""
    content = upload.content
    if not content:
        raise DomainError("That file is empty.", "file")
    if len(content) > MAX_CERTIFICATE_BYTES:
        raise DomainError("That file is larger than 10 MB. Please upload a smaller one.", "file")
    found = _kind_of_content(content)
    if found is None:
        raise DomainError("Please upload the certificate as a PDF, PNG or JPEG file.", "file")
    mimetype, extension = found
    if extension in ("png", "jpg"):
        content = _clean_image(content)
    else:
        _check_pdf(content)
    name = uploads.new_name(extension)
    uploads.write(uploads.root() / "induction" / name, content, field="file")
    return name, mimetype


def add_training_record(
    actor: User,
    user: User,
    *,
    kind: TrainingKind,
    course: str,
    provider: str,
    completed_on: date,
    expires_on: date | None = None,
    certificate: Upload | None = None,
    at: datetime | None = None,
) -> TrainingRecord:
    """Record completed training: staff add their own, leaders and the office anyone's."""
    if actor.id != user.id and not is_manager(actor):
        raise NotFoundError("We could not find that person.")
    if not is_inductee(user):
        raise DomainError("Training records are kept for staff and governors.", "user_id")
    course = " ".join(course.split())
    provider = " ".join(provider.split())
    if not course:
        raise DomainError("Please give the course's name.", "course")
    if not provider:
        raise DomainError("Please say who ran the course.", "provider")
    if completed_on > (at.date() if at else today()):
        raise DomainError("The completion date cannot be in the future.", "completed_on")
    expires_on = expires_on or default_expiry(kind, completed_on)
    if expires_on is not None and expires_on <= completed_on:
        raise DomainError("The expiry date must be after the completion date.", "expires_on")
    file_name = mimetype = None
    if certificate is not None and certificate.content:
        file_name, mimetype = store_certificate(certificate)
    record = TrainingRecord(
        user_id=user.id,
        kind=kind,
        course=course[:160],
        provider=provider[:160],
        completed_on=completed_on,
        expires_on=expires_on,
        certificate_file=file_name,
        certificate_mimetype=mimetype,
        recorded_by_id=actor.id,
        recorded_at=at or utcnow(),
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        "induction.training_recorded",
        actor=actor,
        target=record,
        user_id=user.id,
        kind=kind.value,
        expires_on=expires_on,
    )
    return record


def training_of(user: User) -> list[TrainingRecord]:
    return list(
        db.session.scalars(
            select(TrainingRecord)
            .where(TrainingRecord.user_id == user.id)
            .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())
        )
    )


def certificate_file(viewer: User, record_id: int) -> tuple[Path, TrainingRecord]:
    """The stored certificate, for its owner and for leaders who keep staff records."""
    record = db.session.get(TrainingRecord, record_id)
    allowed = record is not None and (record.user_id == viewer.id or is_manager(viewer))
    if record is None or not allowed or not record.certificate_file:
        raise NotFoundError("We could not find that certificate.")
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "induction" / record.certificate_file
    if not path.is_file():
        raise NotFoundError("The certificate file is missing. Please upload it again.")
    return path, record
