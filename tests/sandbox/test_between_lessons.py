"""Moderation between lessons: one queue across the teacher's classes, oldest first; approving
every clean item at once (only those shown, only with a tick); taking off needs a tick too;
each decision comes back at the next item."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.sandbox import between_lessons, services
from esafety.sandbox.models import BlogPost, ItemState
from esafety.school.models import ClassTeacher, YearGroup
from tests import factories


@pytest.fixture
def two_classes(db):
    teacher = factories.make_user(Role.TEACHER, first_name="Fatima")
    ash = factories.make_class(YearGroup.YEAR_4, name="Ash", teacher=teacher)
    oak = factories.make_class(YearGroup.YEAR_3, name="Oak", teacher=teacher)
    elm = factories.make_class(YearGroup.YEAR_5, name="Elm")
    elm_teacher = factories.make_user(Role.TEACHER)
    db.session.add(ClassTeacher(class_id=elm.id, user_id=elm_teacher.id))
    kids = {c.name: factories.make_pupil(c) for c in (ash, oak, elm)}
    for school_class, who in ((ash, teacher), (oak, teacher), (elm, elm_teacher)):
        services.open_window(who, school_class.id, None)
    posts = [
        services.save_post(kids["Ash"].user, ash.id, "Trip", "We saw a castle", send=True),
        services.save_post(kids["Oak"].user, oak.id, "Match", "The others were stupid", send=True),
        services.save_post(kids["Oak"].user, oak.id, "Seeds", "My bean grew", send=True),
        services.save_post(kids["Ash"].user, ash.id, "Poem", "Leaves fall down", send=True),
        services.save_post(kids["Elm"].user, elm.id, "Elm news", "Not hers", send=True),
    ]
    db.session.commit()
    return teacher, posts


def test_one_queue_across_her_classes_oldest_first_with_findings_marked(two_classes):
    teacher, posts = two_classes
    waiting = between_lessons.queue_across(teacher)
    assert [w.entry.item.id for w in waiting] == [p.id for p in posts[:4]]
    assert [w.clean for w in waiting] == [True, False, True, True]


def test_approving_every_clean_item_needs_a_tick_and_takes_only_what_was_shown(
    client, login_as, two_classes
):
    teacher, posts = two_classes
    login_as(teacher)
    page = client.get("/sandbox/moderation").get_data(as_text=True)
    assert "3 with nothing found by the checks" in page and "Approve all 3" in page
    refs = [f"post-{p.id}:{p.revision}" for p in (posts[0], posts[2], posts[3])]
    for ref in refs:
        assert f'name="items" value="{ref}"' in page
    # Without the tick nothing happens.
    response = client.post("/sandbox/moderation/approve-clean", data={"items": refs})
    assert response.status_code == 302
    assert all(p.state is ItemState.PENDING for p in posts)
    # A post with a finding, or in someone else's class, is never approved this way.
    sneaky = [
        *refs,
        f"post-{posts[1].id}:{posts[1].revision}",
        f"post-{posts[4].id}:{posts[4].revision}",
        "post-x",
        "<b>",
    ]
    response = client.post(
        "/sandbox/moderation/approve-clean",
        data={"items": sneaky, "confirm": "y"},
        follow_redirects=True,
    )
    assert "Approved 3" in response.get_data(as_text=True)
    states = {
        p.id: p.state
        for p in db.session.scalars(select(BlogPost).execution_options(populate_existing=True))
    }
    assert [states[p.id] for p in posts] == [
        ItemState.APPROVED,
        ItemState.PENDING,
        ItemState.APPROVED,
        ItemState.APPROVED,
        ItemState.PENDING,
    ]


def test_an_item_edited_after_the_page_was_shown_is_not_approved_unseen(
    client, login_as, two_classes
):
    teacher, posts = two_classes
    login_as(teacher)
    page = client.get("/sandbox/moderation").get_data(as_text=True)
    shown = [f"post-{p.id}:{p.revision}" for p in (posts[0], posts[2], posts[3])]
    assert all(f'value="{value}"' in page for value in shown)
    # While the page is open, the pupil changes her trip post; it is still clean.
    pupil = posts[0].author
    db.session.refresh(posts[0])
    services.save_post(
        pupil,
        posts[0].class_id,
        "Trip",
        "We saw a castle and a moat",
        send=True,
        post=posts[0],
        seen=posts[0].revision,
    )
    db.session.commit()
    response = client.post(
        "/sandbox/moderation/approve-clean",
        data={"items": shown, "confirm": "y"},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "Approved 2" in text
    assert "1 changed since you looked" in text and "still waiting" in text
    db.session.expire_all()
    edited = db.session.get(BlogPost, posts[0].id)
    assert edited.state is ItemState.PENDING
    assert edited.source == "We saw a castle and a moat"
    assert db.session.get(BlogPost, posts[2].id).state is ItemState.APPROVED
    # The page now shows it at its new revision, so it can be approved as it is now.
    page = client.get("/sandbox/moderation").get_data(as_text=True)
    assert f'value="post-{edited.id}:{edited.revision}"' in page


def test_approve_clean_counts_what_was_decided_meanwhile(two_classes):
    teacher, posts = two_classes
    shown = [f"post-{p.id}:{p.revision}" for p in (posts[0], posts[3])]
    between_lessons.moderation.approve(teacher, posts[3], seen=posts[3].revision)
    done = between_lessons.approve_clean(teacher, [*shown, f"post-{posts[2].id}"])
    assert (done.approved, done.changed, done.gone) == (1, 0, 1)
    assert posts[0].state is ItemState.APPROVED
    # A value without the revision the page showed is never approved.
    assert posts[2].state is ItemState.PENDING


def test_a_decision_comes_back_at_the_next_item_not_the_top(client, login_as, two_classes):
    teacher, posts = two_classes
    login_as(teacher)
    page = client.get("/sandbox/moderation").get_data(as_text=True)
    assert f'name="next_item" value="post-{posts[1].id}"' in page
    response = client.post(
        f"/sandbox/posts/{posts[0].id}/decision",
        data={
            "approve": "y",
            "next_item": f"post-{posts[1].id}",
            "from_queue": "all",
            "revision": posts[0].revision,
        },
    )
    assert response.headers["Location"].endswith(f"/sandbox/moderation#post-{posts[1].id}")
    # From a class's own queue, and with a made-up anchor, it goes back to the list.
    response = client.post(
        f"/sandbox/posts/{posts[2].id}/decision",
        data={"approve": "y", "next_item": "javascript:alert(1)", "revision": posts[2].revision},
    )
    assert response.headers["Location"].endswith("/moderation#waiting")


def test_taking_off_the_blog_needs_the_tick(client, login_as, two_classes):
    teacher, posts = two_classes
    login_as(teacher)
    response = client.post(
        f"/sandbox/posts/{posts[1].id}/decision",
        data={"remove": "y", "revision": posts[1].revision},
        follow_redirects=True,
    )
    assert "Yes, take it off the blog" in response.get_data(as_text=True)
    db.session.refresh(posts[1])
    assert posts[1].state is ItemState.PENDING
    client.post(
        f"/sandbox/posts/{posts[1].id}/decision",
        data={"remove": "y", "confirm_remove": "y", "revision": posts[1].revision},
    )
    db.session.refresh(posts[1])
    assert posts[1].state is ItemState.REMOVED


def test_pupils_and_parents_cannot_use_the_queue(client, login_as, two_classes):
    _, posts = two_classes
    login_as(Role.PARENT)
    assert client.get("/sandbox/moderation").status_code == 403
    assert (
        client.post(
            "/sandbox/moderation/approve-clean",
            data={"items": [f"post-{posts[0].id}"], "confirm": "y"},
        ).status_code
        == 403
    )
