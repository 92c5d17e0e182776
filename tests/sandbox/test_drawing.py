"""A pupil's drawing on the new-post page: the canvas (shown by its script) hands the server a PNG
in the form's own picture input, which goes through the same picture checks as any upload."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.photos import storage as images
from esafety.photos.models import BlogImage, ImageKind
from esafety.sandbox import services
from esafety.sandbox.models import BlogPost, ItemState
from esafety.school.models import YearGroup
from tests import factories
from tests.sandbox.test_images import jpeg_with_gps, png_bytes


@pytest.fixture
def classes(db):
    teacher = factories.make_user(Role.TEACHER, first_name="Fatima")
    young = factories.make_class(YearGroup.YEAR_1, name="Acorn", teacher=teacher)
    older = factories.make_class(YearGroup.YEAR_4, name="Ash", teacher=teacher)
    pupils = {c.name: factories.make_pupil(c, first_name="Ava") for c in (young, older)}
    for school_class in (young, older):
        services.open_window(teacher, school_class.id, None)
    db.session.commit()
    return teacher, young, older, pupils


def _stored_files() -> list[Path]:
    folder = images.upload_dir()
    return sorted(folder.iterdir()) if folder.exists() else []


def _post(client, class_id, picture: bytes | None = None, **fields):
    data = {"title": "Our garden", "body": "We planted beans.", "send": "y", **fields}
    if picture is not None:
        data["image"] = (io.BytesIO(picture), "my-drawing.png")
    return client.post(
        f"/sandbox/classes/{class_id}/write", data=data, content_type="multipart/form-data"
    )


def test_the_youngest_see_the_canvas_first_and_older_pupils_the_upload_first(
    client, login_as, classes
):
    _, young, older, pupils = classes
    login_as(pupils["Acorn"].user)
    page = client.get(f"/sandbox/classes/{young.id}/write").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "js/sandbox-drawing.js" in page
    assert page.index("data-drawing ") < page.index('type="file"')
    for tool in ("Black", "Red", "Blue", "Thin", "Medium", "Thick", "Undo", "Start again"):
        assert f"{tool}</button>" in page
    assert "Read the drawing tools to me" in page and 'data-read-target="drawing-tools"' in page
    assert 'role="img" aria-label="Your drawing"' in page
    assert "data-drawing-only" not in page  # the school allows uploads (the default)
    login_as(pupils["Ash"].user)
    page = client.get(f"/sandbox/classes/{older.id}/write").get_data(as_text=True)
    assert page.index('type="file"') < page.index("data-drawing ")


def test_a_school_can_offer_the_youngest_drawing_only(client, login_as, classes, app):
    _, young, older, pupils = classes
    app.config["BLOG_YOUNG_PUPILS_UPLOAD"] = False
    try:
        login_as(pupils["Acorn"].user)
        page = client.get(f"/sandbox/classes/{young.id}/write").get_data(as_text=True)
        assert "data-drawing-only" in page
        login_as(pupils["Ash"].user)
        page = client.get(f"/sandbox/classes/{older.id}/write").get_data(as_text=True)
        assert "data-drawing-only" not in page
    finally:
        app.config["BLOG_YOUNG_PUPILS_UPLOAD"] = True


def test_staff_write_without_the_drawing_part(client, login_as, classes):
    teacher, young, _, _ = classes
    login_as(teacher)
    page = client.get(f"/sandbox/classes/{young.id}/write").get_data(as_text=True)
    assert "data-drawing" not in page and 'type="file"' not in page


def test_a_drawing_sent_with_a_new_post_goes_through_the_picture_pipeline(
    client, login_as, classes
):
    teacher, young, _, pupils = classes
    login_as(pupils["Acorn"].user)
    response = _post(client, young.id, png_bytes((800, 500)), description="A bean plant")
    assert response.status_code == 302
    post = db.session.scalar(select(BlogPost))
    assert post.state is ItemState.PENDING
    (image,) = services.images_of(post)
    assert image.kind is ImageKind.DRAWING and image.description == "A bean plant"
    assert (image.content_type, image.width, image.height) == ("image/png", 800, 500)
    assert [f.name for f in _stored_files()] == [image.stored_name]
    # The teacher sees it in the queue.
    login_as(teacher)
    queue = client.get(f"/sandbox/classes/{young.id}/moderation").get_data(as_text=True)
    assert f"/sandbox/pictures/{image.id}" in queue and 'alt="A bean plant"' in queue
    with client.get(f"/sandbox/pictures/{image.id}") as sent:
        assert sent.status_code == 200 and sent.mimetype == "image/png"


def test_an_uploaded_photo_is_re_encoded_without_its_location(client, login_as, classes):
    _, _, older, pupils = classes
    login_as(pupils["Ash"].user)
    response = _post(client, older.id, jpeg_with_gps(), description="My cat")
    assert response.status_code == 302
    image = db.session.scalar(select(BlogImage))
    stored = images.path_of(image.stored_name).read_bytes()
    assert b"Phone maker" not in stored


@pytest.mark.parametrize(
    ("picture", "description", "field", "message"),
    [
        (png_bytes(), "", "description", "Say in a few words what the picture shows"),
        (None, "A bean plant", "description", "There is no picture yet"),
        (b"not a picture at all", "A bean plant", "image", "JPEG or PNG"),
    ],
)
def test_a_refused_picture_saves_nothing_and_shows_the_form_again(
    client, login_as, classes, picture, description, field, message
):
    _, young, _, pupils = classes
    login_as(pupils["Acorn"].user)
    response = _post(client, young.id, picture, description=description)
    assert response.status_code == 200  # the page again, not on to the blog
    page = response.get_data(as_text=True)
    error = page.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert message in error
    assert 'value="Our garden"' in page and "We planted beans." in page
    assert "data-restore" in page  # the script brings the drawing back
    assert db.session.scalar(select(func.count(BlogPost.id))) == 0
    assert _stored_files() == []  # a stored file goes with the rolled-back work


def test_a_post_without_a_picture_is_fine(client, login_as, classes):
    _, young, _, pupils = classes
    login_as(pupils["Acorn"].user)
    assert _post(client, young.id).status_code == 302
    post = db.session.scalar(select(BlogPost))
    assert services.images_of(post) == []
