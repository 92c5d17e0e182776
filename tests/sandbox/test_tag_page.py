"""Who can be seen in a post's photos is said on a page of its own: the queue names who is
tagged and links there, instead of repeating the class list for every post."""

from __future__ import annotations

import re

import pytest

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.sandbox import services


def _waiting_post(open_blog):
    post = services.save_post(
        open_blog.ava.user, open_blog.id, "Our trip", "We saw a kite.", send=True
    )
    db.session.commit()
    return post


def test_the_queue_links_to_the_tag_page_and_names_who_is_tagged(open_blog, client, login_as):
    post = _waiting_post(open_blog)
    services.tag_pupils(open_blog.teacher, post, [open_blog.noah.id], nobody_in_photos=False)
    db.session.commit()
    login_as(open_blog.teacher)
    html = client.get(f"/sandbox/classes/{open_blog.id}/moderation").get_data(as_text=True)
    assert f'href="/sandbox/posts/{post.id}/pupils"' in html
    assert f"In the photos: {open_blog.noah.full_name}." in html
    assert 'name="pupils"' not in html  # no class list on the queue

    page = client.get(f"/sandbox/posts/{post.id}/pupils").get_data(as_text=True)
    assert "Who can be seen in the photos of “Our trip”?" in page
    ticked = re.findall(
        r'<input checked id="pupils-\d+" name="pupils" type="checkbox" value="(\d+)"', page
    )
    assert ticked == [str(open_blog.noah.id)]
    assert open_blog.isla.full_name in page
    saved = client.post(f"/sandbox/posts/{post.id}/pupils", data={"pupils": [open_blog.isla.id]})
    assert saved.status_code == 302
    db.session.expire_all()
    assert [t.pupil_id for t in post.tags] == [open_blog.isla.id]


@pytest.mark.parametrize("who", ["other_teacher", "parent", "pupil"])
def test_only_the_class_staff_open_the_tag_page(open_blog, client, login_as, who):
    post = _waiting_post(open_blog)
    user = {
        "other_teacher": lambda: login_as(Role.TEACHER),
        "parent": lambda: login_as(open_blog.parent),
        "pupil": lambda: login_as(open_blog.noah.user),
    }[who]()
    assert user is not None
    assert client.get(f"/sandbox/posts/{post.id}/pupils").status_code in (403, 404)
