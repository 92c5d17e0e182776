"""The moderation state machine: draft → pending → approved | returned → pending, removal kept."""

from __future__ import annotations

import pytest

from esafety import audit
from esafety.auth.roles import Role
from esafety.errors import DomainError, NotAllowed, NotFoundError
from esafety.extensions import db
from esafety.sandbox import moderation, reports, services
from esafety.sandbox.models import ItemState
from tests import factories
from tests.sandbox.conftest import approved_post


def actions(prefix: str = "sandbox.") -> list[str]:
    return [entry.action for entry in reversed(audit.recent(100, prefix))]


def test_pupils_cannot_write_while_the_blog_is_closed(blog):
    with pytest.raises(NotAllowed, match="closed for writing"):
        services.save_post(blog.ava.user, blog.id, "Hello", "Hi there", send=True)
    services.open_window(blog.teacher, blog.id, 30)
    post = services.save_post(blog.ava.user, blog.id, "Hello", "Hi there", send=True)
    assert post.state is ItemState.PENDING
    services.close_window(blog.teacher, blog.id)
    assert services.current_window(blog.id) is None
    with pytest.raises(NotAllowed):
        services.save_post(blog.ava.user, blog.id, "Again", "More", send=False)


def test_a_window_with_an_end_time_shuts_itself(blog, monkeypatch):
    from datetime import timedelta

    from esafety.clock import utcnow

    window = services.open_window(blog.teacher, blog.id, 30)
    assert services.current_window(blog.id) is window
    later = utcnow() + timedelta(minutes=31)
    monkeypatch.setattr("esafety.sandbox.services.utcnow", lambda: later)
    assert services.current_window(blog.id) is None


def test_only_the_class_teacher_opens_the_blog(blog):
    with pytest.raises(NotAllowed):
        services.open_window(blog.ava.user, blog.id, None)
    with pytest.raises(NotFoundError):
        services.open_window(blog.parent, blog.other_class.id, None)


def test_parents_read_but_never_write(open_blog):
    with pytest.raises(NotAllowed, match="Parents"):
        services.save_post(open_blog.parent, open_blog.id, "Hi", "Hello", send=False)


def test_the_full_journey_of_a_pupil_post(open_blog):
    blog = open_blog
    post = services.save_post(blog.ava.user, blog.id, "My day", "It was fun", send=False)
    assert post.state is ItemState.DRAFT and post.html.strip() == "<p>It was fun</p>"
    services.save_post(blog.ava.user, blog.id, "My day", "It was fun!", send=True, post=post)
    assert post.state is ItemState.PENDING and post.submitted_at is not None

    moderation.return_with_feedback(blog.teacher, post, "Tell us more, please.")
    assert post.state is ItemState.RETURNED and post.feedback == "Tell us more, please."
    assert post.source == "It was fun!"  # the child's text stays with them

    services.save_post(
        blog.ava.user, blog.id, "My day", "It was fun! We made kites.", send=True, post=post
    )
    assert post.state is ItemState.PENDING
    moderation.approve(blog.teacher, post)
    assert post.state is ItemState.APPROVED and post.decided_by_id == blog.teacher.id

    # Editing an approved post sends it back to the teacher.
    services.save_post(blog.ava.user, blog.id, "My day", "Changed words", send=True, post=post)
    assert post.state is ItemState.PENDING
    moderation.remove(blog.teacher, post, "This one is finished now.")
    assert post.state is ItemState.REMOVED
    assert db.session.get(type(post), post.id).source == "Changed words"  # kept for the record
    assert actions() == [
        "sandbox.window.opened",
        "sandbox.post.submitted",
        "sandbox.post.returned",
        "sandbox.post.submitted",
        "sandbox.post.approved",
        "sandbox.post.submitted",
        "sandbox.post.removed",
    ]


def test_an_approved_post_cannot_be_quietly_saved_as_a_draft(open_blog):
    post = approved_post(open_blog)
    with pytest.raises(DomainError, match="Send your changes"):
        services.save_post(
            open_blog.ava.user, open_blog.id, "Our trip", "new", send=False, post=post
        )


def test_only_the_author_edits_and_not_while_a_teacher_looks_after_it(open_blog):
    post = approved_post(open_blog)
    with pytest.raises(NotAllowed):
        services.save_post(open_blog.noah.user, open_blog.id, "Mine now", "x", send=True, post=post)
    moderation.remove(open_blog.teacher, post)
    with pytest.raises(DomainError, match="looking after"):
        services.save_post(open_blog.ava.user, open_blog.id, "Again", "x", send=True, post=post)


def test_text_speak_may_sit_in_a_draft_but_blocks_sending(open_blog):
    post = services.save_post(open_blog.ava.user, open_blog.id, "Trip", "it was gr8", send=False)
    assert post.state is ItemState.DRAFT
    with pytest.raises(services.WritingNeedsChanges) as caught:
        services.save_post(
            open_blog.ava.user, open_blog.id, "Trip", "it was gr8", send=True, post=post
        )
    assert [f.kind for f in caught.value.problems["body"]] == ["text_speak"]
    assert post.state is ItemState.DRAFT


def test_personal_details_are_never_saved(open_blog):
    with pytest.raises(services.WritingNeedsChanges) as caught:
        services.save_post(
            open_blog.ava.user,
            open_blog.id,
            "Party",
            "Come to 12 Oak Road with Noah Patel",
            send=False,
        )
    assert {f.kind for f in caught.value.problems["body"]} == {"address", "full_name"}
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(type_post())) == 0


def type_post():
    from esafety.sandbox.models import BlogPost

    return BlogPost


def test_unkind_words_do_not_block_but_are_flagged_in_the_queue(open_blog):
    post = services.save_post(
        open_blog.ava.user, open_blog.id, "Football", "The other team were stupid", send=True
    )
    entries = moderation.queue(services.require_staff(open_blog.teacher, open_blog.id))
    assert [(e.item.kind, e.item.id) for e in entries] == [("post", post.id)]
    assert entries[0].flagged
    marked = [s.text for s in entries[0].segments if s.finding]
    assert marked == ["stupid"]


def test_the_queue_is_oldest_first_and_includes_comments(open_blog, monkeypatch):
    from datetime import datetime, timedelta

    start = datetime(2026, 11, 24, 9, 0)
    times = iter(start + timedelta(minutes=n) for n in range(100))
    monkeypatch.setattr("esafety.sandbox.services.utcnow", lambda: next(times))
    monkeypatch.setattr("esafety.sandbox.moderation.utcnow", lambda: next(times))
    first = services.save_post(open_blog.ava.user, open_blog.id, "First", "one", send=True)
    old = approved_post(open_blog, open_blog.isla, "Older approved")
    comment = services.add_comment(open_blog.noah.user, old, "Nice work")
    second = services.save_post(open_blog.noah.user, open_blog.id, "Second", "two", send=True)
    entries = moderation.queue(services.require_staff(open_blog.teacher, open_blog.id))
    assert [(e.item.kind, e.item.id) for e in entries] == [
        ("post", first.id),
        ("comment", comment.id),
        ("post", second.id),
    ]


def test_each_class_queue_shows_its_own_waiting_writing_and_reports(open_blog):
    """The queue's statements are built once per process: the class is a parameter of each."""
    head = factories.make_user([Role.HEADTEACHER, Role.TEACHER])
    oak = open_blog.other_class
    services.open_window(head, oak.id, None)
    ash_post = services.save_post(
        open_blog.ava.user, open_blog.id, "Kites", "We made a kite.", send=True
    )
    oak_post = services.save_post(
        open_blog.other_pupil.user, oak.id, "Boats", "We made a boat.", send=True
    )
    reports.report_item(open_blog.noah.user, approved_post(open_blog), "unkind")
    for class_id, post, reported in ((oak.id, oak_post, 0), (open_blog.id, ash_post, 1)):
        reader = services.require_staff(head, class_id)
        assert [(e.item.kind, e.item.id) for e in moderation.queue(reader)] == [("post", post.id)]
        assert len(reports.class_reports(reader).open) == reported


def test_a_pupils_comment_on_their_own_post_is_moderated_too(open_blog):
    post = approved_post(open_blog)
    comment = services.add_comment(open_blog.ava.user, post, "Thank you for reading!")
    assert comment.state is ItemState.PENDING
    page = services.blog_page(open_blog.noah.user, open_blog.id)
    assert page.posts[0].comments == []  # no other pupil sees it
    mine = services.blog_page(open_blog.ava.user, open_blog.id)
    assert mine.posts[0].comments == [comment]  # the author sees it, waiting
    moderation.return_with_feedback(open_blog.teacher, comment, "Lovely, add one more line.")
    services.edit_comment(open_blog.ava.user, comment, "Thank you for reading! Bye.")
    assert comment.state is ItemState.PENDING
    moderation.approve(open_blog.teacher, comment)
    page = services.blog_page(open_blog.noah.user, open_blog.id)
    assert [c.id for c in page.posts[0].comments] == [comment.id]


def test_staff_posts_and_comments_publish_at_once(open_blog):
    post = services.save_post(
        open_blog.teacher, open_blog.id, "Welcome", "We have been busy!", send=True
    )
    assert post.state is ItemState.APPROVED
    comment = services.add_comment(open_blog.teacher, post, "Well done everyone.")
    assert comment.state is ItemState.APPROVED


def test_no_other_pupil_and_no_parent_sees_pending_or_returned_posts(open_blog):
    pending = services.save_post(open_blog.ava.user, open_blog.id, "Pending", "a", send=True)
    returned = services.save_post(open_blog.ava.user, open_blog.id, "Returned", "b", send=True)
    moderation.return_with_feedback(open_blog.teacher, returned, "More please")
    for reader in (open_blog.noah.user, open_blog.parent):
        page = services.blog_page(reader, open_blog.id)
        assert page.posts == [] and page.my_writing == []
    mine = services.blog_page(open_blog.ava.user, open_blog.id)
    assert {v.post for v in mine.my_writing} == {pending, returned}
    with pytest.raises(NotFoundError):
        services.post_for(open_blog.noah.user, pending.id)


def test_the_blog_is_only_for_its_class_its_staff_and_its_parents(open_blog):
    approved_post(open_blog)
    assert services.blog_reader(open_blog.parent, open_blog.id).is_parent
    for outsider in (open_blog.other_pupil.user,):
        with pytest.raises(NotFoundError):
            services.blog_page(outsider, open_blog.id)
    from esafety.auth.roles import Role
    from tests import factories

    for role in (Role.OFFICE_ADMIN, Role.GOVERNOR):
        with pytest.raises(NotFoundError):
            services.blog_reader(factories.make_user(role), open_blog.id)
    head = factories.make_user(Role.HEADTEACHER)
    assert services.blog_reader(head, open_blog.id).is_staff


def test_decisions_need_a_waiting_item_and_a_teacher(open_blog):
    post = services.save_post(open_blog.ava.user, open_blog.id, "Hi", "x", send=True)
    with pytest.raises(NotAllowed):
        moderation.approve(open_blog.noah.user, post)
    with pytest.raises(DomainError, match="reason or write a note"):
        moderation.return_with_feedback(open_blog.teacher, post, "  ")
    moderation.approve(open_blog.teacher, post)
    with pytest.raises(moderation.NotWaiting):
        moderation.approve(open_blog.teacher, post)


def test_pupils_appear_by_first_name_only(open_blog):
    assert services.display_name(open_blog.ava.user) == "Ava"
    assert services.display_name(open_blog.teacher) == "Fatima Rahman"
