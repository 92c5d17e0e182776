"""A case as a zip for a referral (with SHA-256s), and anonymous counts for the policy review."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime

from sqlalchemy import select

from esafety import audit
from esafety.extensions import db
from esafety.safeguarding import evidence, export, services
from esafety.safeguarding.models import ActionKind, Concern, ConcernAccess, ConcernKind

from .conftest import details, forget_concern_limits, jpeg_with_exif, pdf_bytes, upload


def _case(people):
    concern = services.raise_concern(
        people.parent,
        details(description="He keeps messaging my son."),
        [upload("chat.jpg", jpeg_with_exif()), upload("profile.pdf", pdf_bytes())],
    )
    services.record_action(people.officer, concern, ActionKind.MEETING_HELD, "Met the parent.")
    db.session.commit()
    return concern


def test_the_referral_zip_holds_the_chronology_the_originals_and_their_hashes(people):
    concern = _case(people)
    name, content = export.export_case(people.officer, concern.id)
    db.session.commit()
    assert name == f"{concern.reference}.zip"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        assert "case.txt" in names and "manifest.json" in names and "SHA256SUMS" in names
        case = archive.read("case.txt").decode()
        assert "He keeps messaging my son." in case and "Met the parent." in case
        assert "Meeting held" in case and people.officer.full_name in case
        manifest = json.loads(archive.read("manifest.json"))
        files = {f["file"]: f for f in manifest["files"]}
        assert set(files) == {"case.txt", "evidence/01-chat.jpg", "evidence/02-profile.pdf"}
        for file_name, entry in files.items():
            assert hashlib.sha256(archive.read(file_name)).hexdigest() == entry["sha256"]
        jpg = files["evidence/01-chat.jpg"]
        assert jpg["unchanged"] and jpg["sha256"] == concern.evidence[0].sha256
        # The originals go to the police as uploaded.
        assert archive.read("evidence/01-chat.jpg") == jpeg_with_exif()
        sums = archive.read("SHA256SUMS").decode()
        assert f"{jpg['sha256']}  evidence/01-chat.jpg" in sums
    assert concern.actions[-1].kind is ActionKind.EXPORTED
    assert audit.recent(action_prefix="safeguarding.concern_exported")[0].target_id == concern.id
    assert db.session.scalar(
        select(ConcernAccess).where(ConcernAccess.what == "export for referral")
    )


def test_the_manifest_shows_a_file_changed_since_upload(people):
    concern = _case(people)
    evidence.stored_file(concern.evidence[1].stored_path).write_bytes(pdf_bytes() + b"tampered")
    _, content = export.export_case(people.officer, concern.id)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    pdf_entry = next(f for f in manifest["files"] if f["file"].endswith("profile.pdf"))
    assert pdf_entry["unchanged"] is False


def test_the_export_downloads_through_the_page(client, login_as, people):
    concern = _case(people)
    login_as(people.head)
    with client.get(f"/safeguarding/concerns/{concern.id}/export.zip") as response:
        assert response.status_code == 200 and response.mimetype == "application/zip"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["Cache-Control"] == "no-store"
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            assert "case.txt" in archive.namelist()


def _raise_on(people, when: datetime, kind: ConcernKind) -> Concern:
    forget_concern_limits()
    concern = services.raise_concern(people.parent, details(kind=kind))
    concern.created_at = when
    return concern


def test_review_counts_by_kind_and_month_for_the_school_year(people):
    _raise_on(people, datetime(2025, 9, 10, 9), ConcernKind.CYBER_BULLYING)
    _raise_on(people, datetime(2025, 9, 30, 23), ConcernKind.CYBER_BULLYING)
    _raise_on(people, datetime(2025, 10, 1, 8), ConcernKind.UNWANTED_CONTACT)
    _raise_on(people, datetime(2026, 8, 31, 22), ConcernKind.DAMAGING_POST)
    _raise_on(people, datetime(2026, 9, 1, 8), ConcernKind.CYBER_BULLYING)  # next year
    _raise_on(people, datetime(2025, 8, 31, 8), ConcernKind.CYBER_BULLYING)  # last year
    db.session.commit()
    counts = export.review_counts(people.head, services.parse_year("2025/26"))
    assert counts.year_name == "2025/26" and counts.total == 4
    september = counts.months[0]
    assert september.month == 9 and len(counts.months) == 12
    assert counts.counts[(ConcernKind.CYBER_BULLYING, september)] == 2
    assert counts.counts[(ConcernKind.UNWANTED_CONTACT, counts.months[1])] == 1
    assert counts.counts[(ConcernKind.DAMAGING_POST, counts.months[-1])] == 1
    assert counts.by_kind[ConcernKind.CYBER_BULLYING] == 2


def test_the_review_page_shows_numbers_and_no_names(client, login_as, people):
    _raise_on(people, datetime(2025, 11, 3, 10), ConcernKind.CYBER_BULLYING)
    db.session.commit()
    login_as(people.governor)
    page = client.get("/safeguarding/review?year=2025/26").data.decode()
    assert "Concerns in numbers, 2025/26" in page and "Cyber bullying" in page
    assert people.parent.full_name not in page and "Nasty comments" not in page


def test_review_queries_do_not_grow_with_the_number_of_concerns(people, count_queries):
    _raise_on(people, datetime(2025, 11, 3, 10), ConcernKind.CYBER_BULLYING)
    db.session.commit()
    with count_queries() as small:
        export.review_counts(people.head, services.parse_year("2025/26"))
    for n in range(30):
        _raise_on(people, datetime(2026, 1 + n % 6, 3, 10), list(ConcernKind)[n % 5])
    db.session.commit()
    with count_queries() as large:
        export.review_counts(people.head, services.parse_year("2025/26"))
    assert small.count == large.count, "\n".join(large.statements)


def test_the_concern_list_does_not_grow_in_queries(client, login_as, people, count_queries):
    """Small and large lists cost the same number of statements (no query per concern)."""
    reporters = [people.parent, people.y5_teacher]
    for reporter in reporters:
        services.raise_concern(reporter, details())
    db.session.commit()
    login_as(people.officer)
    client.get("/safeguarding/concerns")
    db.session.expire_all()
    with count_queries() as small:
        client.get("/safeguarding/concerns?show=all")
    for n in range(40):
        forget_concern_limits()
        services.raise_concern(reporters[n % 2], details())
    db.session.commit()
    db.session.expire_all()
    with count_queries() as large:
        page = client.get("/safeguarding/concerns?show=all").data.decode()
    assert page.count(">SG-") == 42
    assert small.count == large.count, "\n".join(large.statements)


def test_governors_see_termly_counts_with_small_numbers_held_back(client, login_as, people):
    for day in (datetime(2025, 9, 10, 9), datetime(2025, 10, 1, 9), datetime(2025, 11, 2, 9)):
        _raise_on(people, day, ConcernKind.CYBER_BULLYING)
    _raise_on(people, datetime(2026, 2, 3, 9), ConcernKind.UNWANTED_CONTACT)
    db.session.commit()
    summary = export.governor_counts(people.governor, services.parse_year("2025/26"))
    assert summary.terms == ["Autumn", "Spring", "Summer"]
    kinds = dict(summary.sections["By kind"])
    assert kinds["Cyber bullying"] == [3, 0, 0, 3]
    assert kinds["Unwanted contact or friend request"] == [0, 1, 0, 1]
    outcomes = dict(summary.sections["By outcome"])
    assert outcomes["Still open"] == [3, 1, 0, 4]
    assert export.shown_count(1) == export.shown_count(2) == "fewer than 3"
    assert export.shown_count(0) == "0" and export.shown_count(3) == "3"
    login_as(people.governor)
    page = client.get("/safeguarding/review?year=2025/26").data.decode()
    assert "fewer than 3" in page and "By year group" in page and "Autumn" in page
    assert "Nov" not in page, "governors see terms, never months"
    assert people.parent.full_name not in page
