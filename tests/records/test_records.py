"""Subject access, corrections, retention with legal holds."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from esafety import audit
from esafety.audit import AuditEntry
from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.extensions import db
from esafety.records import retention, services
from esafety.school.models import ConsentSource, YearGroup
from esafety.school.services import record_photo_consent
from tests import factories


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_office_exports_a_pupils_records_as_html_and_json(client, school, login_as):
    office = login_as(Role.OFFICE_ADMIN)
    pupil = school.pupils[YearGroup.YEAR_3][0]
    record_photo_consent(
        office, pupil, school.year, class_blog=True, website=False, source=ConsentSource.EMAIL
    )
    factories.make_parent(pupil, first_name="Jo")
    db.session.commit()
    response = client.post(f"/records/people/{pupil.user_id}/export")
    assert response.mimetype == "application/zip"
    archive = _zip(response)
    assert {"records.json", "summary.html"} <= set(archive.namelist())
    document = json.loads(archive.read("records.json"))
    records = document["records"]
    assert records["Pupil record"][0]["reference"] == pupil.reference
    assert records["Photo consent"][0]["class_blog"] is True
    assert records["Parents and carers"][0]["name"].startswith("Jo ")
    assert pupil.first_name in archive.read("summary.html").decode()
    assert any(e.action == "records.subject_access_export" for e in audit.recent())


@pytest.mark.parametrize("role", [Role.TEACHER, Role.PARENT, Role.PUPIL, Role.GOVERNOR, Role.SLT])
def test_only_the_office_and_headteacher_export(client, school, login_as, role):
    login_as(role)
    pupil = school.pupils[YearGroup.YEAR_3][0]
    assert client.post(f"/records/people/{pupil.user_id}/export").status_code == 403


def test_corrections_record_which_fields_changed_not_their_values(client, school, login_as):
    login_as(Role.OFFICE_ADMIN)
    pupil = school.pupils[YearGroup.YEAR_1][0]
    response = client.post(
        f"/records/people/{pupil.user_id}/edit",
        data={
            "first_name": "Rosie",
            "last_name": pupil.last_name,
            "date_of_birth": pupil.date_of_birth.isoformat(),
        },
    )
    assert response.status_code == 302
    db.session.refresh(pupil)
    assert (pupil.first_name, pupil.user.first_name) == ("Rosie", "Rosie")
    entry = next(e for e in audit.recent() if e.action == "records.details_corrected")
    assert entry.details == {"fields": ["first_name"]}
    assert "Rosie" not in entry.detail


def _age_audit_entries(days: int) -> None:
    with factories.guards_off("audit_entry"):
        db.session.execute(AuditEntry.__table__.update().values(at=utcnow() - timedelta(days=days)))


def test_retention_deletes_old_audit_entries_but_keeps_held_ones(school, app):
    office = factories.make_user(Role.OFFICE_ADMIN)
    kept_for = factories.make_user(Role.PARENT)
    audit.record("test.about_someone", actor=office, target=kept_for)
    audit.record("test.other", actor=office)
    db.session.flush()
    _age_audit_entries(days=3 * 365)
    services.place_hold(office, reason="Tribunal", user_id=kept_for.id)
    db.session.commit()

    due = retention.find_due()
    held = [r for r in due if r.held]
    assert held and all(kept_for.id in r.user_ids for r in held)
    retention.apply(due)
    db.session.commit()
    remaining = db.session.scalars(select(AuditEntry.action)).all()
    assert "test.about_someone" in remaining
    assert "test.other" not in remaining
    assert "records.retention_applied" in remaining


def test_files_stay_if_the_deletion_fails_and_go_once_it_is_committed(app, tmp_path):
    uploads = tmp_path / "uploads"
    app.config["UPLOAD_FOLDER"] = str(uploads)
    photo = uploads / "sandbox" / "photo.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"png")
    table = AuditEntry.__table__
    record = retention.DueRecord("audit_log", "x", rows=[(table, [1])], files=[photo])
    retention.apply([record])
    assert photo.exists(), "a file goes only once the deletion of its row is committed"
    db.session.rollback()
    assert photo.read_bytes() == b"png"
    retention.apply([record])
    db.session.commit()
    assert not photo.exists()


def test_the_retention_dry_run_changes_nothing(app, school):
    audit.record("test.old")
    db.session.flush()
    _age_audit_entries(days=800)
    db.session.commit()
    before = db.session.scalar(select(func.count(AuditEntry.id)))
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert "Dry run" in result.output and "audit_log" in result.output
    assert db.session.scalar(select(func.count(AuditEntry.id))) == before
    applied = app.test_cli_runner().invoke(args=["retention", "run", "--apply"])
    assert "Deleted" in applied.output, applied.output


def test_leaders_see_the_schedule_and_holds(client, school, login_as):
    login_as(Role.GOVERNOR)
    page = client.get("/records/retention")
    assert page.status_code == 200
    assert b"Class blog posts and comments" in page.data
    assert b"Place a hold" not in page.data
