"""A full or unavailable upload folder is a message beside the picture, with every word kept."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from esafety.extensions import db
from esafety.news import services as news
from esafety.photos.models import BlogImage
from esafety.sandbox import services
from tests.sandbox.test_images import png_bytes
from tests.sandbox.test_views import page_text

STORAGE_MESSAGE = "We could not save that file just now"


@pytest.mark.parametrize("who", ["pupil", "teacher"])
def test_a_blog_picture_that_cannot_be_stored_keeps_the_words(
    open_blog, client, login_as, broken_upload_folder, who
):
    writer = open_blog.ava.user if who == "pupil" else open_blog.teacher
    post = services.save_post(writer, open_blog.id, "Art", "My kite picture", send=False)
    db.session.commit()
    login_as(writer)
    response = client.post(
        f"/sandbox/posts/{post.id}/pictures",
        data={"image": (io.BytesIO(png_bytes()), "kite.png"), "description": "A red kite"},
        content_type="multipart/form-data",
    )
    html = page_text(response)
    assert response.status_code < 500
    assert STORAGE_MESSAGE in html
    assert 'value="A red kite"' in html and "My kite picture</textarea>" in html
    assert db.session.scalar(select(func.count(BlogImage.id))) == 0


def test_a_news_photo_that_cannot_be_stored_keeps_the_words(
    blog, client, login_as, broken_upload_folder
):
    from esafety.auth.roles import Role
    from tests import factories

    lead = factories.make_user(Role.COMPUTING_LEAD)
    item = news.save_news(lead, "Sports day", "Year 4 ran races in the sun today.")
    db.session.commit()
    login_as(lead)
    response = client.post(
        f"/sandbox/newsroom/{item.id}/pictures",
        data={"image": (io.BytesIO(png_bytes()), "race.png"), "description": "The start line"},
        content_type="multipart/form-data",
    )
    html = page_text(response)
    assert response.status_code < 500
    assert STORAGE_MESSAGE in html and 'value="The start line"' in html
    assert "Year 4 ran races in the sun today." in html
    assert db.session.scalar(select(func.count(BlogImage.id))) == 0
