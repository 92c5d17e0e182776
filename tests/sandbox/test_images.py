"""Pictures: checked by content, re-encoded without EXIF or GPS, bombs refused, served with care."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from flask import current_app
from PIL import ExifTags, Image

from esafety.errors import DomainError, NotAllowed
from esafety.extensions import db
from esafety.photos import storage as images
from esafety.photos.models import ImageKind
from esafety.sandbox import moderation, services
from esafety.sandbox.models import ItemState
from tests.sandbox.conftest import give_consent


def jpeg_with_gps() -> bytes:
    picture = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone maker"
    exif[ExifTags.Base.Orientation] = 1
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (53.0, 12.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 51.0, 10.0)
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous picture: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 120, 200, 255)).save(out, format="PNG")
    return out.getvalue()


def draft_post(blog, author=None):
    author = author or blog.teacher
    return services.save_post(
        author if author is blog.teacher else author.user,
        blog.id,
        "Sports day",
        "We ran races.",
        send=False,
    )


def test_the_source_photo_really_carries_gps():
    with Image.open(io.BytesIO(jpeg_with_gps())) as source:
        assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)


def test_a_stored_photo_has_no_exif_and_no_gps(open_blog):
    post = draft_post(open_blog)
    image = services.attach_picture(
        open_blog.teacher, post, io.BytesIO(jpeg_with_gps()), "Children running a race"
    )
    db.session.commit()
    stored = images.path_of(image.stored_name)
    assert stored.parent == Path(current_app.config["UPLOAD_FOLDER"]) / "sandbox"
    assert "static" not in stored.parts
    data = stored.read_bytes()
    assert b"Exif" not in data and b"Phone maker" not in data
    with Image.open(stored) as kept:
        assert kept.format == "JPEG"
        assert len(kept.getexif()) == 0
        assert not kept.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in kept.info
    assert image.kind is ImageKind.PHOTO and image.content_type == "image/jpeg"
    assert len(image.stored_name) == 36 and image.stored_name.endswith(".jpg")


def test_a_decompression_bomb_is_refused_with_a_clear_message():
    with pytest.raises(images.PictureRefused, match="far too large to open safely"):
        images.clean_picture(io.BytesIO(png_header_claiming(40_000, 40_000)))


def test_a_picture_over_our_own_pixel_limit_is_refused():
    with pytest.raises(images.PictureRefused, match="7000 × 7000 pixels"):
        images.clean_picture(io.BytesIO(png_header_claiming(7000, 7000)))


def test_the_content_decides_not_the_name():
    with pytest.raises(images.PictureRefused, match="JPEG or PNG"):
        images.clean_picture(io.BytesIO(b"GIF89a not really a picture"))
    with pytest.raises(images.PictureRefused, match="JPEG or PNG"):
        images.clean_picture(io.BytesIO(b"<svg onload=alert(1)></svg>"))
    clean = images.clean_picture(io.BytesIO(png_bytes()))  # whatever it was called
    assert clean.format == "PNG" and clean.content_type == "image/png"


def test_a_damaged_picture_is_refused_kindly():
    broken = jpeg_with_gps()[:200]
    with pytest.raises(images.PictureRefused, match="damaged"):
        images.clean_picture(io.BytesIO(broken))


def test_too_many_bytes_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 100)
    with pytest.raises(images.PictureRefused, match="too big"):
        images.clean_picture(io.BytesIO(png_bytes()))


def test_big_pictures_are_shrunk():
    clean = images.clean_picture(io.BytesIO(png_bytes((3000, 1500))))
    assert (clean.width, clean.height) == (2000, 1000)


def test_pupils_attach_drawings_to_their_own_draft_only(open_blog):
    post = draft_post(open_blog, open_blog.ava)
    image = services.attach_picture(
        open_blog.ava.user, post, io.BytesIO(png_bytes()), "My drawing of a kite"
    )
    assert image.kind is ImageKind.DRAWING
    with pytest.raises(NotAllowed):
        services.attach_picture(open_blog.noah.user, post, io.BytesIO(png_bytes()), "Mine")
    with pytest.raises(DomainError, match="what the picture shows"):
        services.attach_picture(open_blog.ava.user, post, io.BytesIO(png_bytes()), " ")


def test_a_post_waits_while_a_tagged_pupil_lacks_class_blog_consent(open_blog):
    post = services.save_post(open_blog.ava.user, open_blog.id, "Trip", "We went out", send=True)
    services.attach_picture(open_blog.teacher, post, io.BytesIO(jpeg_with_gps()), "The class")
    with pytest.raises(DomainError, match="who can be seen"):
        moderation.approve(open_blog.teacher, post)
    give_consent(open_blog.ava, class_blog=True, website=False)
    give_consent(open_blog.noah, class_blog=False, website=True)
    services.tag_pupils(
        open_blog.teacher, post, [open_blog.ava.id, open_blog.noah.id], nobody_in_photos=False
    )
    with pytest.raises(DomainError, match="Noah Patel has no class blog photo consent"):
        moderation.approve(open_blog.teacher, post)
    assert post.state is ItemState.PENDING
    services.tag_pupils(open_blog.teacher, post, [open_blog.ava.id], nobody_in_photos=False)
    moderation.approve(open_blog.teacher, post)
    assert post.state is ItemState.APPROVED


def test_the_photo_rule_sees_a_photo_added_or_taken_off_after_it_last_looked(open_blog):
    """Whether a post has a photo is read with the post and forgotten when its pictures change."""
    post = services.save_post(open_blog.ava.user, open_blog.id, "Trip", "We went out", send=True)
    assert not moderation.find_item("post", post.id).has_photo
    photo = services.attach_picture(
        open_blog.teacher, post, io.BytesIO(jpeg_with_gps()), "The class"
    )
    with pytest.raises(DomainError, match="who can be seen"):
        moderation.approve(open_blog.teacher, moderation.find_item("post", post.id))
    services.remove_picture(open_blog.teacher, photo)
    moderation.approve(open_blog.teacher, moderation.find_item("post", post.id))
    assert post.state is ItemState.APPROVED


def test_consent_from_last_year_does_not_count(open_blog):
    from datetime import date

    from esafety.school.models import AcademicYear, ConsentSource, PhotoConsent

    last_year = AcademicYear(
        name="2019/20", starts_on=date(2019, 9, 1), ends_on=date(2020, 8, 31), is_current=False
    )
    db.session.add(last_year)
    db.session.flush()
    db.session.add(
        PhotoConsent(
            pupil_id=open_blog.ava.id,
            academic_year_id=last_year.id,
            class_blog=True,
            website=True,
            source=ConsentSource.PAPER_FORM,
            recorded_by_id=open_blog.teacher.id,
        )
    )
    post = services.save_post(open_blog.ava.user, open_blog.id, "Trip", "We went", send=True)
    services.tag_pupils(open_blog.teacher, post, [open_blog.ava.id], nobody_in_photos=False)
    with pytest.raises(DomainError, match="Ava Jones has no class blog photo consent"):
        moderation.approve(open_blog.teacher, post)


def test_pictures_are_served_only_to_people_who_may_see_the_post(open_blog, client, login_as):
    post = draft_post(open_blog, open_blog.ava)
    image = services.attach_picture(open_blog.ava.user, post, io.BytesIO(png_bytes()), "My drawing")
    db.session.commit()
    url = f"/sandbox/pictures/{image.id}"
    login_as(open_blog.noah.user)
    assert client.get(url).status_code == 404  # a classmate, before approval
    login_as(open_blog.ava.user)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "private" in response.headers["Cache-Control"]
    response.close()
    services.save_post(
        open_blog.ava.user, open_blog.id, "Sports day", "We ran.", send=True, post=post
    )
    moderation.approve(open_blog.teacher, post)
    db.session.commit()
    for reader, status in (
        (open_blog.noah.user, 200),
        (open_blog.parent, 200),
        (open_blog.other_pupil.user, 404),
    ):
        login_as(reader)
        response = client.get(url)
        assert response.status_code == status
        response.close()
