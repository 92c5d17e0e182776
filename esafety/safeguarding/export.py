"""A case as a zip for a referral, and counts for the annual policy review (no names)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, extract, func, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..auth.models import User
from ..auth.roles import Role
from ..clock import school_time, today, utcnow
from ..errors import NotFoundError
from ..extensions import db
from ..school.services import academic_year_for
from . import evidence, services
from .models import ActionKind, Concern, ConcernAccess, ConcernKind, ConcernStatus


def _when(value: datetime | None) -> str:
    """The school's local time, labelled with its zone (GMT or BST)."""
    return school_time(value, with_date=True) if value else "not given"


def case_summary(concern: Concern) -> str:
    """The case as plain text: what was reported, the route, and the chronology."""
    occurred = concern.occurred_on.strftime("%d %b %Y") if concern.occurred_on else "not given"
    if concern.occurred_time:
        occurred += " at " + concern.occurred_time.strftime("%H:%M")
    lines = [
        f"Safeguarding concern {concern.reference}",
        "=" * 40,
        f"Kind: {concern.kind.label}",
        f"Who is involved: {concern.involved.label}",
        f"Procedure: {concern.procedure.label}",
        f"Status: {concern.status.label}"
        + (f" ({concern.referred_to.label})" if concern.referred_to else ""),
        f"Raised: {_when(concern.created_at)} by {concern.reporter.full_name}",
        f"Source: {concern.source.label}",
        f"When it happened: {occurred}",
        f"Where: {concern.platform or 'not given'}",
        f"Link: {concern.link or 'not given'}",
        f"Names given: {concern.names or 'none'}",
        "Material marked: "
        + (", ".join(m.label.lower() for m in concern.material) or "none")
        + (" (consider police)" if concern.consider_police else ""),
        f"Handler: {concern.handler.full_name if concern.handler else 'not assigned'}",
        f"Closed: {_when(concern.closed_at) if concern.closed_at else 'open'}",
        "",
        "What happened",
        "-" * 40,
        concern.description,
    ]
    if concern.quoted_text:
        lines += ["", "The reported words (copy)", "-" * 40, concern.quoted_text]
    lines += ["", "Chronology", "-" * 40]
    for action in concern.actions:
        who = action.by.full_name if action.by else "esafety (automatic)"
        lines.append(f"{_when(action.at)} | {action.kind.label} | {who}")
        if action.note:
            lines.append(f"    {action.note}")
    lines += ["", "Evidence", "-" * 40]
    for item in concern.evidence:
        lines.append(
            f"{item.original_name}: {item.media_type}, {item.size_bytes} bytes, "
            f"uploaded {_when(item.uploaded_at)} by {item.uploaded_by.full_name}, "
            f"SHA-256 {item.sha256}"
        )
    return "\n".join(lines) + "\n"


def _add(archive: zipfile.ZipFile, name: str, content: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=utcnow().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    archive.writestr(info, content)


def export_case(actor: User, concern_id: int) -> tuple[str, bytes]:
    """Build the referral zip: case.txt, the evidence files as uploaded, and a manifest of
    SHA-256s (checked against those recorded at upload). Audited and access-logged."""
    concern = services.open_concern(actor, concern_id, "export for referral")
    manifest: list[dict] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n, item in enumerate(concern.evidence, start=1):
            if item.destroyed_at is not None or (item.is_image and concern.images_withheld):
                # Never copied: the record and the SHA-256 recorded at upload go instead.
                manifest.append(
                    {
                        "file": None,
                        "original_name": item.original_name,
                        "sha256_at_upload": item.sha256,
                        "withheld": "destroyed" if item.destroyed_at else "may be sexual",
                    }
                )
                continue
            content = evidence.read_stored(item.stored_path)
            digest = hashlib.sha256(content).hexdigest()
            name = f"evidence/{n:02d}-{item.original_name}"
            _add(archive, name, content)
            manifest.append(
                {
                    "file": name,
                    "sha256": digest,
                    "sha256_at_upload": item.sha256,
                    "unchanged": digest == item.sha256,
                    "media_type": item.media_type,
                    "size_bytes": len(content),
                    "uploaded_at": item.uploaded_at.isoformat(),
                    "uploaded_by": item.uploaded_by.full_name,
                    "incident_on": item.incident_on.isoformat() if item.incident_on else None,
                    "incident_time": item.incident_time.isoformat() if item.incident_time else None,
                }
            )
        summary = case_summary(concern).encode()
        _add(archive, "case.txt", summary)
        manifest.insert(
            0,
            {"file": "case.txt", "sha256": hashlib.sha256(summary).hexdigest()},
        )
        lines = [f"{entry['sha256']}  {entry['file']}" for entry in manifest if entry.get("file")]
        _add(archive, "SHA256SUMS", ("\n".join(lines) + "\n").encode())
        _add(
            archive,
            "manifest.json",
            json.dumps(
                {
                    "concern": concern.reference,
                    "exported_at": utcnow().isoformat(),
                    "exported_by": actor.full_name,
                    "files": manifest,
                },
                indent=2,
            ).encode(),
        )
    services._add_action(concern, ActionKind.EXPORTED, actor, f"{len(concern.evidence)} files")
    audit.record(
        "safeguarding.concern_exported",
        actor=actor,
        target=concern,
        files=len(concern.evidence),
    )
    return f"{concern.reference}.zip", buffer.getvalue()


# --- The annual review ----------------------------------------------------------------------


@dataclass
class ReviewCounts:
    """Concerns by kind and month for a school year: numbers only, no names."""

    year_name: str
    months: list[date]
    kinds: list[ConcernKind]
    counts: dict[tuple[ConcernKind, date], int]
    by_kind: Counter
    by_month: Counter
    total: int


def _not_about(actor: User) -> list[ColumnElement[bool]]:
    """Counts never include a concern about the person reading them (they could infer it),
    nor one about the headteacher for anyone but the chair."""
    conditions: list[ColumnElement[bool]] = [
        (Concern.staff_member_id.is_(None)) | (Concern.staff_member_id != actor.id)
    ]
    if actor.id != services.chair_id():
        conditions.append(Concern.about_headteacher.is_(False))
    return conditions


def review_counts(actor: User, day: date | None = None) -> ReviewCounts:
    """Counts for the school year containing `day` (default: today), logged as a view."""
    name, starts_on, ends_on = academic_year_for(day or today())
    year_col = extract("year", Concern.created_at)
    month_col = extract("month", Concern.created_at)
    rows = db.session.execute(
        select(Concern.kind, year_col, month_col, func.count(Concern.id))
        .where(
            Concern.created_at >= datetime.combine(starts_on, time()),
            Concern.created_at < datetime.combine(ends_on + timedelta(days=1), time()),
            *_not_about(actor),
        )
        .group_by(Concern.kind, year_col, month_col)
    )
    counts: dict[tuple[ConcernKind, date], int] = {}
    by_kind: Counter = Counter()
    by_month: Counter = Counter()
    for kind, year, month, number in rows:
        month_start = date(int(year), int(month), 1)
        counts[(kind, month_start)] = counts.get((kind, month_start), 0) + number
        by_kind[kind] += number
        by_month[month_start] += number
    months = []
    current = starts_on.replace(day=1)
    while current <= ends_on:
        months.append(current)
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
    services.log_access(actor, None, f"review counts {name}")
    return ReviewCounts(
        name, months, list(ConcernKind), counts, by_kind, by_month, sum(by_kind.values())
    )


# --- Governors' counts ---------------------------------------------------------------------

#: Counts below this are shown as "fewer than 3", so no child can be picked out.
SMALL_NUMBER = 3
TERMS = (("Autumn", (9, 10, 11, 12)), ("Spring", (1, 2, 3)), ("Summer", (4, 5, 6, 7, 8)))


def shown_count(number: int) -> str:
    """A count as governors see it: small numbers (but not nought) are not given exactly."""
    return f"fewer than {SMALL_NUMBER}" if 0 < number < SMALL_NUMBER else str(number)


@dataclass
class GovernorCounts:
    """Termly and yearly counts by kind, year group and outcome: numbers only, never names."""

    year_name: str
    terms: list[str]
    #: Section title -> [(row label, [count per term..., year total])].
    sections: dict[str, list[tuple[str, list[int]]]]


def _outcome(concern: Concern) -> str:
    if concern.referrals or concern.status is ConcernStatus.REFERRED:
        return "Referred to another agency"
    return "Resolved" if concern.status is ConcernStatus.RESOLVED else "Still open"


def governor_counts(actor: User, day: date | None = None) -> GovernorCounts:
    """Counts for the governing body's termly report (logged as a view)."""
    name, starts_on, ends_on = academic_year_for(day or today())
    concerns = db.session.scalars(
        select(Concern)
        .where(
            Concern.created_at >= datetime.combine(starts_on, time()),
            Concern.created_at < datetime.combine(ends_on + timedelta(days=1), time()),
            *_not_about(actor),
        )
        .options(selectinload(Concern.referrals), selectinload(Concern.school_class))
    )
    terms = [term for term, _ in TERMS]
    term_of = {month: n for n, (_, months) in enumerate(TERMS) for month in months}
    tallies: dict[str, dict[str, list[int]]] = {
        "By kind": {k.label: [0] * (len(terms) + 1) for k in ConcernKind},
        "By year group": {},
        "By outcome": {},
    }
    for concern in concerns:
        column = term_of[concern.created_at.month]
        group = concern.school_class.year_group.label if concern.school_class else "No class named"
        for section, label in (
            ("By kind", concern.kind.label),
            ("By year group", group),
            ("By outcome", _outcome(concern)),
        ):
            row = tallies[section].setdefault(label, [0] * (len(terms) + 1))
            row[column] += 1
            row[-1] += 1
    services.log_access(actor, None, f"governors' counts {name}")
    return GovernorCounts(
        name,
        terms,
        {title: sorted(rows.items()) for title, rows in tallies.items()},
    )


# --- The access log -------------------------------------------------------------------------


def access_log(viewer: User, limit: int = 500) -> list[ConcernAccess]:
    """Who opened which safeguarding page, newest first; for the headteacher and the DSL, never
    showing a concern they may not open (about the headteacher, or about themselves)."""
    if not viewer.has_role(Role.HEADTEACHER, Role.DSL):
        raise NotFoundError("We could not find that page.")
    query = (
        select(ConcernAccess)
        .outerjoin(Concern, Concern.id == ConcernAccess.concern_id)
        .where(
            (ConcernAccess.concern_id.is_(None))
            | (
                Concern.about_headteacher.is_(False)
                & ((Concern.staff_member_id.is_(None)) | (Concern.staff_member_id != viewer.id))
            )
        )
        .order_by(ConcernAccess.id.desc())
        .limit(limit)
    )
    entries = list(db.session.scalars(query))
    services.log_access(viewer, None, "access log")
    return entries
