"""Subject-access requests: every record about one person, as readable HTML and as JSON, in a zip.

Safeguarding records are listed for a safeguarding role to review and redact, never exported.
"""

from __future__ import annotations

import importlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from flask import render_template
from sqlalchemy import select

from .. import audit
from ..auth.models import User
from ..clock import utcnow
from ..extensions import db
from ..school.models import Pupil, StaffProfile

#: Modules with a `subject_records(subject: DataSubject) -> SubjectRecords` function.
PROVIDERS: list[str] = [
    "esafety.records.school_records",
    "esafety.lessons.records",
    "esafety.meetings.records",
    "esafety.sandbox.records",
    "esafety.induction.records",
    "esafety.safeguarding.records",
    "esafety.governance.records",
]


@dataclass
class DataSubject:
    """The person a request is about: an account, and their pupil or staff record if any."""

    user: User
    pupil: Pupil | None
    staff: StaffProfile | None

    @classmethod
    def of(cls, user: User) -> DataSubject:
        return cls(
            user=user,
            pupil=db.session.scalar(select(Pupil).where(Pupil.user_id == user.id)),
            staff=db.session.get(StaffProfile, user.id),
        )


@dataclass
class SubjectRecords:
    #: Section title -> rows (plain dicts of JSON-friendly values).
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Files to include: (name inside the zip, path on disk).
    files: list[tuple[str, Path]] = field(default_factory=list)
    #: Records held back for a safeguarding role to review and redact.
    withheld: list[dict[str, Any]] = field(default_factory=list)


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def row(obj: Any, *columns: str) -> dict[str, Any]:
    return {name: plain(getattr(obj, name)) for name in columns}


def collect(subject: DataSubject) -> SubjectRecords:
    combined = SubjectRecords()
    for module_name in PROVIDERS:
        part: SubjectRecords = importlib.import_module(module_name).subject_records(subject)
        for title, rows in part.sections.items():
            combined.sections.setdefault(title, []).extend(rows)
        combined.files.extend(part.files)
        combined.withheld.extend(part.withheld)
    return combined


def build_export(actor: User | None, user: User) -> tuple[str, bytes]:
    """The zip for one person: summary.html, records.json and their files. Audited."""
    subject = DataSubject.of(user)
    records = collect(subject)
    made_at = utcnow()
    document = {
        "subject": {"id": user.id, "name": user.full_name},
        "made_at": plain(made_at),
        "made_by": actor.full_name if actor else "the school's data command",
        "records": records.sections,
        "withheld_for_review": records.withheld,
        "files": [name for name, _ in records.files],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("records.json", json.dumps(document, indent=2, default=plain))
        archive.writestr(
            "summary.html",
            render_template(
                "records/export_summary.html", subject=subject, document=document, records=records
            ),
        )
        for name, path in records.files:
            if path.exists():
                archive.write(path, f"files/{name}")
    audit.record(
        "records.subject_access_export",
        actor=actor,
        target=user,
        sections=sorted(records.sections),
        files=len(records.files),
        withheld=len(records.withheld),
    )
    slug = f"{user.first_name}-{user.last_name}".lower().replace(" ", "-")
    return f"subject-access-{slug}-{made_at:%Y%m%d}.zip", buffer.getvalue()
