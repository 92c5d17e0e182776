"""Moving school: the child-protection file is packaged with a SHA-256 manifest, imported by a
second instance with every hash checked, and its receipt recorded (or reminded after 5 days)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest

from esafety import create_app
from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.errors import DomainError
from esafety.extensions import db
from esafety.safeguarding import services, transfer
from esafety.safeguarding.models import Concern, ConcernSource, Involved
from esafety.school.models import Pupil
from tests import factories

from .conftest import details, outbox_to, png_bytes, upload


@pytest.fixture
def moving(people):
    dsl = factories.make_user(Role.DSL, first_name="Grace", last_name="Lead")
    child = people.child
    first = services.raise_concern(
        people.parent,
        details(involved=Involved.PUPIL, pupil_id=child.id),
        [upload("messages.png", png_bytes())],
    )
    second = services.tell_a_teacher(child.user, services.TellChoice.STRANGER, "a man in a game")
    services.record_action(dsl, first, services.ActionKind.NOTE, "Spoke with mum.")
    db.session.commit()
    return dsl, child, [first, second]


def _second_school(tmp_path):
    other = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'hillside.sqlite3'}",
            "INSTANCE_DIR": str(tmp_path / "hillside"),
            "UPLOAD_FOLDER": str(tmp_path / "hillside-uploads"),
            "MAIL_OUTBOX": str(tmp_path / "hillside-outbox"),
            "SERVER_NAME": "hillside.test",
            "SCHOOL_NAME": "Hillside Primary",
        }
    )
    return other


def test_the_file_round_trips_into_a_second_school_with_every_hash_checked(
    app, client, moving, tmp_path
):
    dsl, child, concerns = moving
    sent, token = transfer.send_file(dsl, child.id, "Hillside Primary")
    db.session.commit()
    name, content = transfer.package_of(dsl, sent.id)
    archive = zipfile.ZipFile(io.BytesIO(content))
    manifest = json.loads(archive.read("manifest.json"))
    paths = {entry["path"] for entry in manifest["files"]}
    assert {"chronology.json", "chronology.html"} <= paths
    assert any(p.startswith("evidence/") for p in paths)
    html = archive.read("chronology.html").decode()
    assert concerns[0].reference in html and ("GMT" in html or "BST" in html)
    date_of_birth, first_name = child.date_of_birth, child.first_name
    original = concerns[0].evidence[0].sha256
    package_sha256 = sent.package_sha256

    other = _second_school(tmp_path)
    with other.app_context():
        db.create_all()
        their_dsl = factories.make_user(Role.DSL, first_name="Hana", last_name="Hill")
        user = factories.make_user(Role.PUPIL, first_name=first_name)
        pupil = Pupil(
            user_id=user.id,
            reference="HILL1",
            first_name=first_name,
            last_name="Arrived",
            date_of_birth=date_of_birth,
        )
        db.session.add(pupil)
        db.session.commit()
        # A package changed on the way is refused whole.
        tampered = io.BytesIO()
        with zipfile.ZipFile(tampered, "w") as out:
            for item in archive.infolist():
                body = archive.read(item.filename)
                if item.filename == "chronology.json":
                    body = body.replace(b"Spoke with mum", b"Spoke with dad")
                out.writestr(item.filename, body)
        with pytest.raises(DomainError, match="SHA-256"):
            transfer.import_file(their_dsl, pupil.id, tampered.getvalue())
        db.session.rollback()
        received = transfer.import_file(their_dsl, pupil.id, content)
        db.session.commit()
        arrived = db.session.scalars(db.select(Concern).order_by(Concern.id)).all()
        assert len(arrived) == 2
        assert all(
            c.source is ConcernSource.TRANSFER and c.handler_id == their_dsl.id for c in arrived
        )
        notes = " ".join(a.note for c in arrived for a in c.actions)
        assert "Spoke with mum" in notes and "Meadowbank" in arrived[0].description
        assert [e.sha256 for c in arrived for e in c.evidence] == [original]
        assert received.package_sha256 == package_sha256
        db.session.remove()
        db.engine.dispose()

    # The receiving school confirms through the one-time link.
    assert client.get(f"/safeguarding/receipt/{token}").status_code == 200
    response = client.post(f"/safeguarding/receipt/{token}", data={"received_by": "H Hill, DSL"})
    assert response.status_code == 200 and "Thank you" in response.get_data(as_text=True)
    db.session.refresh(sent)
    assert sent.received_at is not None and sent.received_by == "H Hill, DSL"
    again = client.post(f"/safeguarding/receipt/{token}", data={"received_by": "someone"})
    assert again.status_code == 404


def test_a_file_for_a_different_child_is_refused(app, moving):
    dsl, child, _ = moving
    sent, _ = transfer.send_file(dsl, child.id, "Hillside Primary")
    db.session.commit()
    _, content = transfer.package_of(dsl, sent.id)
    someone_else = factories.make_pupil(
        db.session.get(Pupil, child.id).school_class,
        date_of_birth=child.date_of_birth.replace(year=2000),
    )
    with pytest.raises(DomainError, match="dates of birth"):
        transfer.import_file(dsl, someone_else.id, content)
    with pytest.raises(DomainError, match="not a child-protection file"):
        transfer.import_file(dsl, child.id, b"not a zip")


def test_no_receipt_after_five_school_days_reminds_the_dsl(app, moving):
    dsl, child, _ = moving
    sent, _ = transfer.send_file(dsl, child.id, "Hillside Primary")
    db.session.commit()
    # Five school days: at least a week on the calendar, as a weekend falls inside.
    assert (sent.receipt_due_at.date() - sent.made_at.date()).days == 7
    assert transfer.remind_receipts(sent.receipt_due_at - timedelta(minutes=1)) == []
    assert transfer.remind_receipts(sent.receipt_due_at + timedelta(minutes=1)) == [sent]
    db.session.commit()
    assert [m for m in outbox_to(dsl.email) if "no confirmation of receipt" in m["Subject"]]
    assert transfer.remind_receipts(utcnow() + timedelta(days=30)) == []


def test_only_the_dsl_sends_and_imports_files(client, login_as, people, moving):
    dsl, child, _ = moving
    for role in (Role.HEADTEACHER, Role.DEPUTY_DSL, Role.TEACHER, Role.OFFICE_ADMIN):
        login_as(role)
        assert (
            client.post(
                f"/safeguarding/pupils/{child.id}/transfer", data={"to_school": "X"}
            ).status_code
            == 404
        )
        assert client.get("/safeguarding/transfers/import").status_code == 404
    login_as(dsl)
    response = client.post(
        f"/safeguarding/pupils/{child.id}/transfer", data={"to_school": "Hillside Primary"}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hillside Primary" in page and "/safeguarding/receipt/" in page
    assert "Not confirmed yet" in page
