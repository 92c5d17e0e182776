"""A NUL byte typed (or pasted) into a form is taken out, with a message beside the field.

PostgreSQL cannot store NUL, so it used to be a server error on 19 forms; every form is a
SchoolForm now (esafety/inputs.py).
"""

from __future__ import annotations

from esafety.extensions import db
from esafety.inputs import NUL_MESSAGE
from esafety.sandbox.models import BlogComment, BlogPost, ItemState
from tests.sandbox.conftest import approved_post


def test_a_nul_byte_in_a_form_is_taken_out_and_explained(open_blog, client, login_as):
    post = approved_post(open_blog)
    login_as(open_blog.noah.user)
    response = client.post(f"/sandbox/posts/{post.id}/comments", data={"body": "Nice\x00 trip"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert NUL_MESSAGE in page and "Nice trip</textarea>" in page
    assert db.session.query(BlogComment).count() == 0


def test_a_nul_byte_in_a_form_read_without_checking_is_still_taken_out(open_blog, client, login_as):
    from esafety.sandbox import services

    post = services.save_post(open_blog.ava.user, open_blog.id, "Trip", "It was ok", send=True)
    db.session.commit()
    login_as(open_blog.teacher)
    client.post(
        f"/sandbox/posts/{post.id}/decision",
        data={"feedback": "Tell us\x00 more", "send_back": "y", "revision": post.revision},
    )
    returned = db.session.get(BlogPost, post.id)
    db.session.refresh(returned)
    assert returned.state is ItemState.RETURNED and returned.feedback == "Tell us more"
