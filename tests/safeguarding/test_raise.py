"""Raising a concern: what is kept, evidence stored safely, and all-or-nothing uploads."""

from __future__ import annotations

import hashlib
import io
import random
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from esafety import audit
from esafety.clock import today
from esafety.errors import DomainError
from esafety.extensions import db
from esafety.safeguarding import evidence, services
from esafety.safeguarding.models import (
    ActionKind,
    Concern,
    ConcernKind,
    ConcernSource,
    ConcernStatus,
    Evidence,
    Material,
)
from esafety.school.models import YearGroup

from .conftest import details, jpeg_with_exif, pdf_bytes, png_bytes, upload


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_concern_keeps_what_the_reporter_gave(people):
    concern = services.raise_concern(
        people.y5_teacher,
        details(
            names="A. Nother",
            platform="Instagram",
            link="https://social.example/p/123",
            occurred_time=time(19, 30),
            pupil_id=people.child.id,
        ),
    )
    db.session.commit()
    assert concern.status is ConcernStatus.NEW
    assert concern.reporter_id == people.y5_teacher.id
    assert concern.platform == "Instagram" and concern.link.endswith("/p/123")
    assert concern.occurred_on == date(2026, 3, 2) and concern.occurred_time == time(19, 30)
    assert concern.class_id == people.child.class_id
    assert [a.kind for a in concern.actions][:2] == [ActionKind.RAISED, ActionKind.ROUTED]
    entry = audit.recent(action_prefix="safeguarding.concern_raised")[0]
    assert entry.target_id == concern.id
    # The audit log keeps ids, never what happened.
    assert "Nasty" not in entry.detail and "Nother" not in entry.detail


def test_evidence_is_stored_as_uploaded_with_its_hash_outside_static(app, people):
    png = png_bytes()
    pdf = pdf_bytes()
    concern = services.raise_concern(
        people.parent,
        details(occurred_time=time(8, 15)),
        [upload("screen shot.png", png), upload("../../page.pdf", pdf)],
    )
    db.session.commit()
    assert len(concern.evidence) == 2
    first, second = concern.evidence
    assert first.sha256 == hashlib.sha256(png).hexdigest()
    assert first.media_type == "image/png" and second.media_type == "application/pdf"
    assert second.original_name == "page.pdf"
    assert first.uploaded_by_id == people.parent.id and first.uploaded_at is not None
    assert first.incident_on == date(2026, 3, 2) and first.incident_time == time(8, 15)
    root = Path(app.config["UPLOAD_FOLDER"]) / "safeguarding"
    stored = root.parent / first.stored_path
    assert stored.read_bytes() == png
    assert stored.resolve().is_relative_to(root.resolve())
    assert not stored.resolve().is_relative_to(Path(app.static_folder).resolve())
    assert (stored.stat().st_mode & 0o077) == 0, "evidence is readable by the app only"


def test_file_type_is_judged_by_content_not_name(people):
    with pytest.raises(DomainError) as refused:
        services.raise_concern(
            people.parent, details(), [upload("photo.png", b"<html>not a picture</html>")]
        )
    assert refused.value.field == "evidence"
    assert "photo.png" in refused.value.message
    # A real JPEG named .pdf is accepted as what it is.
    concern = services.raise_concern(
        people.parent, details(), [upload("odd.pdf", jpeg_with_exif())]
    )
    assert concern.evidence[0].media_type == "image/jpeg"
    assert concern.evidence[0].stored_path.endswith(".jpg")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"%PDF-1.4 truncated with no end",
        b"GIF89a" + b"\x00" * 20,
        png_bytes()[:60],
    ],
    ids=["empty", "unfinished-pdf", "gif", "truncated-png"],
)
def test_files_that_are_not_whole_pngs_jpegs_or_pdfs_are_refused(people, content):
    with pytest.raises(DomainError):
        services.raise_concern(people.parent, details(), [upload("x.png", content)])


def noisy_png() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (60, 60), random.Random(7).randbytes(60 * 60 * 3)).save(out, "PNG")
    assert len(out.getvalue()) > 1000
    return out.getvalue()


def test_a_too_large_file_is_refused(people, monkeypatch):
    monkeypatch.setattr(evidence, "MAX_FILE_BYTES", 1000)
    with pytest.raises(DomainError) as refused:
        services.raise_concern(people.parent, details(), [upload("big.png", noisy_png())])
    assert "larger than" in refused.value.message


def test_a_refused_file_leaves_no_concern_and_no_file(app, people):
    with pytest.raises(DomainError):
        services.raise_concern(
            people.parent,
            details(),
            [upload("good.png", png_bytes()), upload("bad.jpg", b"not a jpeg")],
        )
    db.session.rollback()
    assert db.session.scalar(select(func.count(Concern.id))) == 0
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert _files_under(Path(app.config["UPLOAD_FOLDER"])) == []


def test_a_failed_write_removes_the_files_already_written(app, people, monkeypatch):
    real_write = evidence.write_file
    calls = []

    def write_then_fail(concern_id, checked):
        calls.append(checked.original_name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_write(concern_id, checked)

    monkeypatch.setattr(evidence, "write_file", write_then_fail)
    with pytest.raises(DomainError) as refused:
        services.raise_concern(
            people.parent,
            details(),
            [upload("one.png", png_bytes()), upload("two.png", png_bytes(color=(0, 0, 0)))],
        )
    assert refused.value.field == "evidence"
    assert calls == ["one.png", "two.png"]
    assert _files_under(Path(app.config["UPLOAD_FOLDER"])) == []
    db.session.rollback()
    assert db.session.scalar(select(func.count(Concern.id))) == 0


def test_a_rollback_after_the_files_were_written_removes_them(app, people):
    services.raise_concern(people.parent, details(), [upload("one.png", png_bytes())])
    assert len(_files_under(Path(app.config["UPLOAD_FOLDER"]))) == 1
    db.session.rollback()
    assert _files_under(Path(app.config["UPLOAD_FOLDER"])) == []


def test_committed_evidence_stays(app, people):
    services.raise_concern(people.parent, details(), [upload("one.png", png_bytes())])
    db.session.commit()
    db.session.rollback()
    assert len(_files_under(Path(app.config["UPLOAD_FOLDER"]))) == 1


def test_too_many_files_are_refused(people):
    files = [upload(f"{n}.png", png_bytes()) for n in range(evidence.MAX_FILES + 1)]
    with pytest.raises(DomainError, match="at most"):
        services.raise_concern(people.parent, details(), files)


def test_the_staff_copy_of_a_photo_has_no_exif_or_gps(people):
    original = jpeg_with_exif()
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get(0x010F) == "PhoneMaker"
    concern = services.raise_concern(people.parent, details(), [upload("photo.jpg", original)])
    db.session.commit()
    copy = services.evidence_copy(people.officer, concern.id, concern.evidence[0].id)
    assert copy.stripped and copy.media_type == "image/jpeg"
    with Image.open(io.BytesIO(copy.content)) as image:
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
        assert image.size == (64, 48)
    assert b"PhoneMaker" not in copy.content
    # The original is kept exactly as uploaded.
    assert evidence.read_stored(concern.evidence[0].stored_path) == original


def test_the_staff_copy_of_a_png_drops_text_chunks(people):
    concern = services.raise_concern(
        people.parent, details(), [upload("s.png", png_bytes(text_chunk="Secret Author"))]
    )
    db.session.commit()
    copy = services.evidence_copy(people.officer, concern.id, concern.evidence[0].id)
    assert b"Secret Author" not in copy.content
    with Image.open(io.BytesIO(copy.content)) as image:
        assert image.format == "PNG" and "Author" not in image.info


def test_a_pdf_copy_is_not_stripped_and_says_so(people):
    concern = services.raise_concern(people.parent, details(), [upload("page.pdf", pdf_bytes())])
    db.session.commit()
    copy = services.evidence_copy(people.officer, concern.id, concern.evidence[0].id)
    assert copy.stripped is False and copy.content == pdf_bytes()


def test_the_reporters_material_marks_raise_consider_police(people):
    concern = services.raise_concern(
        people.parent, details(material=[Material.THREATENING, Material.HATE])
    )
    assert concern.consider_police
    assert concern.material == [Material.THREATENING, Material.HATE]
    assert any(a.kind is ActionKind.MATERIAL_MARKED for a in concern.actions)
    plain = services.raise_concern(people.parent, details())
    assert not plain.consider_police


def test_a_date_in_the_future_is_refused(people):
    with pytest.raises(DomainError) as refused:
        services.raise_concern(people.parent, details(occurred_on=today() + timedelta(days=5)))
    assert refused.value.field == "occurred_on"


def test_a_parent_may_name_only_their_own_child(people):
    other = people.school.pupils[YearGroup.YEAR_2][0]
    with pytest.raises(DomainError) as refused:
        services.raise_concern(people.parent, details(pupil_id=other.id))
    assert refused.value.field == "pupil_id"
    assert [p.id for p in services.pupils_reporter_may_name(people.parent)] == [people.child.id]


def test_a_teacher_may_name_pupils_of_their_own_class_only(people):
    names = {p.id for p in services.pupils_reporter_may_name(people.y5_teacher)}
    assert names == {p.id for p in people.school.pupils[YearGroup.YEAR_5]}


def test_a_pupil_tells_a_teacher_in_their_own_words(people):
    pupil = people.child
    concern = services.tell_a_teacher(
        pupil.user, services.TellChoice.STRANGER, "A man asked my age"
    )
    db.session.commit()
    assert concern.kind is ConcernKind.UNWANTED_CONTACT
    assert concern.source is ConcernSource.TELL_A_TEACHER
    assert concern.pupil_id == pupil.id and concern.class_id == pupil.class_id
    assert "A man asked my age" in concern.description
    readers = services.who_will_read(concern)
    assert people.officer in readers and people.y5_teacher not in readers


def test_a_pupil_may_say_nothing_more(people):
    concern = services.tell_a_teacher(people.child.user, services.TellChoice.UPSET, "")
    assert concern.description == "I saw something that upset me."


def test_only_pupils_use_tell_a_teacher(people):
    with pytest.raises(DomainError):
        services.tell_a_teacher(people.parent, services.TellChoice.UNKIND)


def test_a_pupil_may_name_only_themselves_and_the_blog_can_quote_their_words(people):
    child, other = people.child, people.school.pupils[YearGroup.YEAR_5][1]
    assert services.pupils_reporter_may_name(child.user) == [child]
    with pytest.raises(DomainError):
        services.raise_concern(child.user, details(pupil_id=other.id))
    concern = services.raise_concern(
        child.user,
        details(pupil_id=child.id, quoted_text="their own words", source_ref="post:7"),
        source=ConcernSource.CLASS_BLOG,
    )
    assert concern.pupil_id == child.id and concern.class_id == child.class_id
    assert concern.quoted_text == "their own words" and concern.source_ref == "post:7"
    assert concern.handler_id == people.officer.id
