"""Subject-access requests: every record about one person, as readable HTML and as JSON, in a zip.

Safeguarding records are listed for a safeguarding role to review and redact, never exported.
"""

from __future__ import annotations

import io
import json
import zipfile

from flask import render_template

from .. import audit, personal_data
from ..auth.models import User
from ..clock import utcnow
from ..personal_data import DataSubject, SubjectRecords, plain


def collect(subject: DataSubject) -> SubjectRecords:
    combined = SubjectRecords()
    for provider in personal_data.providers():
        part: SubjectRecords = provider.subject_records(subject)
        for title, rows in part.sections.items():
            combined.sections.setdefault(title, []).extend(rows)
        combined.files.extend(part.files)
        combined.withheld.extend(part.withheld)
    return combined


def build_export(actor: User | None, user: User) -> tuple[str, bytes]:
    """The zip for one person: summary.html, records.json and their files. Audited."""
    subject = DataSubject.of(user, actor)
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
    )
    slug = f"{user.first_name}-{user.last_name}".lower().replace(" ", "-")
    return f"subject-access-{slug}-{made_at:%Y%m%d}.zip", buffer.getvalue()
