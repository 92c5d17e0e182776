"""Moving school: the child-protection file goes to the new school apart from the main record,
within 5 school days, with a confirmation of receipt (KCSIE); files arriving are imported.

The package is a zip (format "esafety-cp-file/1"):
- chronology.json: the pupil and each concern with their part, actions, referrals, evidence;
- chronology.html: the same, printable, in the sending school's local time;
- evidence/NN-name: the files as uploaded (never pictures withheld as possibly sexual, never
  destroyed ones: only their SHA-256 and name are listed);
- manifest.json: every file above with its SHA-256 and size; SHA256SUMS: the same for
  `sha256sum -c`. An import checks every hash and refuses the package if any differs.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import zipfile
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from sqlalchemy import select

from .. import audit, mail, uploads
from ..auth.models import User
from ..auth.roles import Role
from ..clock import school_time, utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..school.models import Pupil
from . import casefile, evidence, routing, services
from .models import (
    ActionKind,
    Concern,
    ConcernKind,
    ConcernSource,
    FileTransfer,
    Involved,
    PupilPart,
    TransferDirection,
    Urgency,
)

FORMAT = "esafety-cp-file/1"
#: School days the receiving school has to confirm receipt before the DSL is reminded.
RECEIPT_SCHOOL_DAYS = 5
MAX_PACKAGE_BYTES = 50 * 1024 * 1024
KINDS = {k.value for k in ConcernKind}
PARTS = {p.value for p in PupilPart}


def _dsl_only(actor: User) -> None:
    if not actor.has_role(Role.DSL):
        raise NotFoundError("We could not find that page.")


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _add(archive: zipfile.ZipFile, name: str, content: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=utcnow().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, content)


def _package(actor: User, pupil: Pupil, concerns: list[Concern], to_school: str) -> bytes:
    parts = {
        c.id: next(link.part for link in c.pupils if link.pupil_id == pupil.id) for c in concerns
    }
    files: list[tuple[str, bytes]] = []
    document_concerns = []
    n = 0
    for concern in concerns:
        listed = []
        for item in concern.evidence:
            entry = {
                "original_name": item.original_name,
                "media_type": item.media_type,
                "sha256": item.sha256,
                "file": None,
            }
            if item.destroyed_at is None and not (item.is_image and concern.images_withheld):
                n += 1
                name = f"evidence/{n:02d}-{item.original_name}"
                files.append((name, evidence.read_stored(item.stored_path)))
                entry["file"] = name
            listed.append(entry)
        document_concerns.append(
            {
                "reference": concern.reference,
                "kind": concern.kind.value,
                "involved": concern.involved.value,
                "urgency": concern.urgency.value,
                "status": concern.status.value,
                "part": parts[concern.id].value,
                "raised_at": concern.created_at.isoformat() + "Z",
                "description": concern.description,
                "quoted_text": concern.quoted_text,
                "actions": [
                    {
                        "at": a.at.isoformat() + "Z",
                        "kind": a.kind.value,
                        "what": a.kind.label,
                        "note": a.note,
                        "by": a.by.full_name if a.by else "recorded automatically",
                    }
                    for a in concern.actions
                ],
                "referrals": [
                    {
                        "agency": r.agency_label,
                        "reference": r.reference,
                        "referred_on": r.referred_on.isoformat(),
                        "outcome": r.outcome,
                    }
                    for r in concern.referrals
                ],
                "evidence": listed,
            }
        )
    document = {
        "format": FORMAT,
        "from_school": current_app.config["SCHOOL_NAME"],
        "to_school": to_school,
        "made_at": utcnow().isoformat() + "Z",
        "made_by": actor.full_name,
        "pupil": {
            "first_name": pupil.first_name,
            "last_name": pupil.last_name,
            "date_of_birth": pupil.date_of_birth.isoformat() if pupil.date_of_birth else None,
            "reference": pupil.reference,
        },
        "concerns": document_concerns,
    }
    chronology = json.dumps(document, indent=2).encode()
    html = render_template(
        "safeguarding/transfer_chronology.html",
        document=document,
        concerns=concerns,
        when=lambda moment: school_time(moment, with_date=True),
    ).encode()
    files = [("chronology.json", chronology), ("chronology.html", html), *files]
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "files": [{"path": name, "sha256": _sha(body), "bytes": len(body)} for name, body in files],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in files:
            _add(archive, name, body)
        _add(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
        sums = "".join(f"{entry['sha256']}  {entry['path']}\n" for entry in manifest["files"])
        _add(archive, "SHA256SUMS", sums.encode())
    return buffer.getvalue()


def send_file(actor: User, pupil_id: int, to_school: str) -> tuple[FileTransfer, str]:
    """Package the pupil's child-protection file for their new school and record the
    hand-over; returns the transfer and the one-time receipt link (shown once)."""
    _dsl_only(actor)
    to_school = (to_school or "").strip()
    if not to_school:
        raise DomainError("Name the school the pupil is moving to.", "to_school")
    if len(to_school) > 200:
        raise DomainError("Please shorten the school's name.", "to_school")
    pupil, concerns, _ = casefile.chronology_for_pupil(actor, pupil_id)
    if not concerns:
        raise DomainError("This pupil has no safeguarding file to send.", "to_school")
    content = _package(actor, pupil, concerns, to_school)
    token = secrets.token_urlsafe(24)
    stored = f"safeguarding/transfers/{uploads.new_name('zip')}"
    uploads.write(uploads.root() / stored, content, field="to_school", private=True)
    sent = FileTransfer(
        pupil_id=pupil.id,
        direction=TransferDirection.SENT,
        other_school=to_school,
        made_by_id=actor.id,
        package_sha256=_sha(content),
        stored_path=stored,
        receipt_token_hash=_sha(token.encode()),
        receipt_due_at=services.working_days_after(utcnow(), RECEIPT_SCHOOL_DAYS),
    )
    db.session.add(sent)
    db.session.flush()
    for concern in concerns:
        services._add_action(
            concern, ActionKind.NOTE, actor, f"Child-protection file sent to {to_school}."
        )
    audit.record("safeguarding.file_sent", actor=actor, target=sent, concerns=len(concerns))
    return sent, token


def transfer_for(actor: User, transfer_id: int) -> FileTransfer:
    _dsl_only(actor)
    found = db.session.get(FileTransfer, transfer_id)
    if found is None:
        raise NotFoundError("We could not find that transfer.")
    services.log_access(actor, None, f"file transfer {found.id}")
    return found


def package_of(actor: User, transfer_id: int) -> tuple[str, bytes]:
    sent = transfer_for(actor, transfer_id)
    if not sent.stored_path:
        raise NotFoundError("That package is not kept here.")
    content = (uploads.root() / sent.stored_path).read_bytes()
    return f"child-protection-file-{sent.id}.zip", content


def confirm_receipt(token: str, received_by: str) -> FileTransfer:
    """The receiving school confirms, through the one-time link, that the file arrived."""
    sent = db.session.scalar(
        select(FileTransfer).where(FileTransfer.receipt_token_hash == _sha((token or "").encode()))
    )
    if sent is None or sent.received_at is not None:
        raise NotFoundError("This link has been used or does not exist.")
    received_by = (received_by or "").strip()
    if not received_by:
        raise DomainError("Give your name and role at the receiving school.", "received_by")
    if len(received_by) > 160:
        raise DomainError("Please shorten that.", "received_by")
    sent.received_at = utcnow()
    sent.received_by = received_by
    sent.receipt_token_hash = None
    audit.record("safeguarding.file_received", target=sent, by=received_by)
    return sent


def record_receipt(actor: User, transfer_id: int, received_by: str) -> FileTransfer:
    """The DSL types the receipt given another way (a phone call, a letter)."""
    sent = transfer_for(actor, transfer_id)
    if sent.received_at is not None:
        raise DomainError("The receipt is already recorded.", "received_by")
    received_by = (received_by or "").strip()
    if not received_by:
        raise DomainError("Who confirmed receipt, and how?", "received_by")
    sent.received_at = utcnow()
    sent.received_by = received_by[:160] + " (recorded by " + actor.full_name + ")"
    sent.receipt_token_hash = None
    audit.record("safeguarding.file_received", actor=actor, target=sent)
    return sent


def remind_receipts(now: datetime | None = None) -> list[FileTransfer]:
    """Files sent 5 school days ago without a receipt: remind each DSL once."""
    now = now or utcnow()
    late = list(
        db.session.scalars(
            select(FileTransfer).where(
                FileTransfer.direction == TransferDirection.SENT,
                FileTransfer.received_at.is_(None),
                FileTransfer.receipt_due_at <= now,
                FileTransfer.reminded_at.is_(None),
            )
        )
    )
    for sent in late:
        sent.reminded_at = now
        for dsl in routing.dsls():
            if dsl.email:
                mail.queue(
                    dsl.email,
                    "A child-protection file has no confirmation of receipt",
                    f"Dear {dsl.first_name},\n\nA child-protection file sent to "
                    f"{sent.other_school} five school days ago has not been confirmed as "
                    "received. Please contact the school's DSL and record the receipt:\n\n"
                    f"{mail.link('safeguarding.transfer_page', transfer_id=sent.id)}\n",
                    private=True,
                )
    db.session.flush()
    return late


# --- Files arriving from another school ------------------------------------------------------


def _read_package(content: bytes) -> tuple[dict, dict[str, bytes]]:
    """Open a package and check every file against the manifest (all or nothing)."""
    if len(content) > MAX_PACKAGE_BYTES:
        raise DomainError("That file is too large to be a child-protection file.", "package")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        manifest = json.loads(archive.read("manifest.json"))
        files = {e["path"]: archive.read(e["path"]) for e in manifest["files"]}
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as error:
        raise DomainError(
            "This is not a child-protection file from esafety (or it is incomplete).", "package"
        ) from error
    if manifest.get("format") != FORMAT:
        raise DomainError("This file's format is not one we can read.", "package")
    for entry in manifest["files"]:
        if _sha(files[entry["path"]]) != entry["sha256"]:
            raise DomainError(
                f"{entry['path']} does not match its SHA-256: the file was changed or damaged "
                "on the way. Ask the sending school for it again.",
                "package",
            )
    return json.loads(files["chronology.json"]), files


def import_file(actor: User, pupil_id: int, content: bytes) -> FileTransfer:
    """Import a child-protection file from the pupil's previous school: each concern comes
    in with its chronology as notes, and its evidence, every hash checked."""
    _dsl_only(actor)
    pupil = db.session.get(Pupil, pupil_id)
    if pupil is None:
        raise DomainError("Choose the pupil from the list.", "pupil_id")
    document, files = _read_package(content)
    arrived = document["pupil"]
    if (arrived.get("date_of_birth") or None) != (
        pupil.date_of_birth.isoformat() if pupil.date_of_birth else None
    ):
        raise DomainError(
            f"This file is for {arrived.get('first_name')} {arrived.get('last_name')}, born "
            f"{arrived.get('date_of_birth')}: the dates of birth do not match.",
            "pupil_id",
        )
    from_school = str(document.get("from_school", "another school"))[:200]
    for item in document["concerns"]:
        concern = Concern(
            kind=ConcernKind(item["kind"])
            if item["kind"] in set(ConcernKind)
            else ConcernKind.OTHER,
            involved=Involved.UNKNOWN,
            source=ConcernSource.TRANSFER,
            reporter_id=actor.id,
            pupil_id=pupil.id,
            class_id=pupil.class_id,
            keep_from_class=True,
            urgency=Urgency.ROUTINE,
            description=(
                f"From {from_school} ({item['reference']}, raised {item['raised_at']}):\n\n"
                + item["description"]
            ),
            quoted_text=item.get("quoted_text", ""),
        )
        part = PupilPart(item["part"]) if item["part"] in PARTS else PupilPart.HARMED
        checked = [
            evidence.check_upload(e["original_name"], io.BytesIO(files[e["file"]]))
            for e in item["evidence"]
            if e.get("file")
        ]
        services._file(actor, concern, checked, [(pupil.id, part)])
        for action in item["actions"]:
            services._add_action(
                concern,
                ActionKind.NOTE,
                None,
                f"[{from_school}, {action['at']}] {action['what']}"
                + (f": {action['note']}" if action["note"] else "")
                + f" ({action['by']})",
            )
        for referral in item["referrals"]:
            services._add_action(
                concern,
                ActionKind.NOTE,
                None,
                f"[{from_school}] Referral to {referral['agency']} on {referral['referred_on']}"
                + (f", reference {referral['reference']}" if referral["reference"] else "")
                + (f": {referral['outcome']}" if referral["outcome"] else ""),
            )
    received = FileTransfer(
        pupil_id=pupil.id,
        direction=TransferDirection.RECEIVED,
        other_school=from_school,
        made_by_id=actor.id,
        package_sha256=_sha(content),
        received_at=utcnow(),
        received_by=actor.full_name,
    )
    db.session.add(received)
    db.session.flush()
    audit.record(
        "safeguarding.file_imported",
        actor=actor,
        target=received,
        concerns=len(document["concerns"]),
    )
    return received


def transfers_of(actor: User, pupil_id: int) -> list[FileTransfer]:
    if not actor.has_role(Role.DSL):
        return []
    return list(
        db.session.scalars(
            select(FileTransfer)
            .where(FileTransfer.pupil_id == pupil_id)
            .order_by(FileTransfer.id.desc())
        )
    )
