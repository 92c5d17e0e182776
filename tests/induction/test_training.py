"""Training records: refresh dates, certificates checked by what they contain, who may see them."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image

from esafety.auth.roles import Role
from esafety.clock import today
from esafety.errors import DomainError, NotFoundError
from esafety.induction import training
from esafety.induction.models import TrainingKind
from tests import factories
from tests.induction.helpers import make_staff, real_pdf

PDF = real_pdf()


def _png(with_text_chunk: bool = False) -> bytes:
    from PIL import PngImagePlugin

    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if with_text_chunk:
        info.add_text("Comment", "secret location")
    Image.new("RGB", (40, 20), "blue").save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(out, format="JPEG")
    return out.getvalue()


def _add(user, actor=None, **kwargs):
    options = {
        "kind": TrainingKind.SAFEGUARDING,
        "course": "Safeguarding refresher",
        "provider": "Local authority",
        "completed_on": date(2026, 1, 15),
    }
    options.update(kwargs)
    return training.add_training_record(actor or user, user, **options)


@pytest.mark.parametrize(
    "kind, expected",
    [
        (TrainingKind.SAFEGUARDING, date(2027, 1, 15)),
        (TrainingKind.DSL, date(2028, 1, 15)),
        (TrainingKind.OTHER, None),
    ],
)
def test_refresh_dates_default_to_the_schools_intervals(kind, expected):
    record = _add(make_staff(), kind=kind)
    assert record.expires_on == expected


def test_a_given_expiry_date_is_kept_and_must_follow_completion():
    teacher = make_staff()
    assert _add(teacher, expires_on=date(2026, 6, 1)).expires_on == date(2026, 6, 1)
    with pytest.raises(DomainError) as error:
        _add(teacher, expires_on=date(2026, 1, 1))
    assert error.value.field == "expires_on"


def test_completion_cannot_be_in_the_future():
    with pytest.raises(DomainError) as error:
        _add(make_staff(), completed_on=today() + timedelta(days=1))
    assert error.value.field == "completed_on"


@pytest.mark.parametrize(
    "content, mimetype, suffix",
    [
        (PDF, "application/pdf", ".pdf"),
        (_png(), "image/png", ".png"),
        (_jpeg(), "image/jpeg", ".jpg"),
    ],
)
def test_certificates_are_checked_by_content_and_stored_in_the_upload_folder(
    app, content, mimetype, suffix
):
    record = _add(make_staff(), certificate=training.Upload("whatever.bin", content))
    assert record.certificate_mimetype == mimetype
    path = Path(app.config["UPLOAD_FOLDER"]) / "induction" / record.certificate_file
    assert path.is_file() and path.suffix == suffix
    assert "whatever" not in record.certificate_file


def test_pictures_are_re_encoded_so_hidden_text_is_dropped(app):
    record = _add(make_staff(), certificate=training.Upload("c.png", _png(with_text_chunk=True)))
    stored = (
        Path(app.config["UPLOAD_FOLDER"]) / "induction" / record.certificate_file
    ).read_bytes()
    assert b"secret location" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (40, 20)


@pytest.mark.parametrize(
    "name, content",
    [
        ("certificate.pdf", b"<html>not really a pdf</html>"),
        ("certificate.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
        ("certificate.pdf", b"%PDF-1.7\n<script>alert(1)</script>"),
        ("certificate.png", b"GIF89a\x01\x00\x01\x00"),
        ("certificate.jpg", b"\xff\xd8\xff but broken"),
        ("empty.pdf", b""),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(name, content):
    teacher = make_staff()
    if not content:
        record = _add(teacher, certificate=training.Upload(name, content))
        assert record.certificate_file is None
        return
    with pytest.raises(DomainError) as error:
        _add(teacher, certificate=training.Upload(name, content))
    assert error.value.field == "file"


def test_staff_add_their_own_records_and_leaders_add_anyones():
    teacher = make_staff()
    colleague = make_staff(first_name="Other")
    with pytest.raises(NotFoundError):
        _add(colleague, actor=teacher)
    office = factories.make_user(Role.OFFICE_ADMIN)
    assert _add(colleague, actor=office).recorded_by_id == office.id


def test_a_certificate_is_seen_by_its_owner_and_leaders_only():
    teacher = make_staff()
    record = _add(teacher, certificate=training.Upload("c.pdf", PDF))
    assert training.certificate_file(teacher, record.id)[1].id == record.id
    assert training.certificate_file(factories.make_user(Role.HEADTEACHER), record.id)
    for outsider in (make_staff(first_name="Nosy"), factories.make_user(Role.GOVERNOR)):
        with pytest.raises(NotFoundError):
            training.certificate_file(outsider, record.id)
