"""A worry in a pupil's writing: never blocked, kept off the blog, and heard by safeguarding."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from esafety.auth.roles import Role
from esafety.errors import DomainError, NotAllowed, NotFoundError
from esafety.extensions import db
from esafety.safeguarding.models import Concern, ConcernSource, Urgency
from esafety.sandbox import findings, moderation, reports, services
from esafety.sandbox.models import ItemState
from tests import factories
from tests.sandbox.conftest import approved_post

WORRY = "i am being bullied and i want to kill myself"


@pytest.fixture
def officer(db):
    user = factories.make_user(Role.ESAFETY_OFFICER, first_name="Olu", last_name="Officer")
    db.session.commit()
    return user


def concerns() -> list[Concern]:
    return list(db.session.scalars(select(Concern).order_by(Concern.id)))


def test_a_worry_in_a_post_is_held_and_raises_a_concern_with_the_words(open_blog, officer):
    post = services.save_post(open_blog.ava.user, open_blog.id, "My day", WORRY, send=True)
    db.session.commit()
    assert post.state is ItemState.PENDING and post.held_for_worry
    [concern] = concerns()
    assert concern.id == post.worry_concern_id
    assert concern.source is ConcernSource.CLASS_BLOG
    assert concern.pupil_id == open_blog.ava.id and concern.class_id == open_blog.id
    assert WORRY in concern.quoted_text and "My day" in concern.quoted_text
    assert concern.urgency is Urgency.URGENT
    assert concern.handler_id == officer.id
    assert concern.source_ref == f"post:{post.id}"


def test_a_worry_is_never_blocked_even_with_private_details(open_blog, officer):
    body = "my step dad hits me, my number is 07700 900123 and i live at 4 Mill Lane"
    post = services.save_post(open_blog.ava.user, open_blog.id, "Help", body, send=False)
    db.session.commit()
    # Even "save as draft" sends it, so the teacher's queue has it too.
    assert post.state is ItemState.PENDING and post.held_for_worry
    assert "07700 900123" in concerns()[0].quoted_text


def test_the_same_details_without_a_worry_are_still_refused(open_blog):
    with pytest.raises(services.WritingNeedsChanges):
        services.save_post(
            open_blog.ava.user, open_blog.id, "Me", "my number is 07700 900123", send=True
        )


def test_classmates_and_parents_never_see_a_held_post(open_blog, officer):
    post = services.save_post(open_blog.ava.user, open_blog.id, "Sad", WORRY, send=True)
    db.session.commit()
    for reader in (open_blog.noah.user, open_blog.parent):
        with pytest.raises(NotFoundError):
            services.post_for(reader, post.id)
        page = services.blog_page(reader, open_blog.id)
        assert post.id not in [v.post.id for v in page.posts + page.my_writing]
    # The teacher's queue has it.
    reader = services.require_staff(open_blog.teacher, open_blog.id)
    [entry] = moderation.queue(reader)
    assert entry.worried and "worry" in {f.kind for f in entry.findings}


def test_a_held_post_is_not_approved_until_a_teacher_says_it_is_fine(open_blog, officer):
    post = services.save_post(
        open_blog.ava.user, open_blog.id, "Funny", "I want to die laughing at this joke", send=True
    )
    db.session.commit()
    assert post.held_for_worry
    with pytest.raises(DomainError, match="worry"):
        moderation.approve(open_blog.teacher, post)
    moderation.mark_fine(
        open_blog.teacher, open_blog.id, "", kind="worry", item_kind="post", item_id=post.id
    )
    moderation.approve(open_blog.teacher, post)
    assert post.state is ItemState.APPROVED
    # The concern stays with the safeguarding team.
    assert len(concerns()) == 1


def test_only_the_class_staff_release_a_held_post(open_blog, officer):
    post = services.save_post(open_blog.ava.user, open_blog.id, "Sad", WORRY, send=True)
    other_teacher = factories.make_user(Role.TEACHER)
    db.session.commit()
    for person in (open_blog.noah.user, open_blog.ava.user, other_teacher):
        with pytest.raises((NotAllowed, NotFoundError)):
            moderation.mark_fine(
                person, open_blog.id, "", kind="worry", item_kind="post", item_id=post.id
            )
    assert post.held_for_worry


def test_saving_again_adds_to_the_open_concern_rather_than_raising_another(open_blog, officer):
    post = services.save_post(open_blog.ava.user, open_blog.id, "Sad", WORRY, send=True)
    services.save_post(open_blog.ava.user, open_blog.id, "Sad", WORRY, send=True, post=post)
    assert len(concerns()) == 1
    services.save_post(
        open_blog.ava.user,
        open_blog.id,
        "Sad",
        WORRY + " and nobody plays with me",
        send=True,
        post=post,
    )
    # Changed words join the concern still open for this post: one case, every word kept.
    assert len(concerns()) == 1
    assert "nobody plays with me" in concerns()[0].quoted_text


def test_a_worry_in_a_comment_is_held_and_heard(open_blog, officer):
    post = approved_post(open_blog)
    comment = services.add_comment(open_blog.noah.user, post, "my dad hits me when he is angry")
    db.session.commit()
    assert comment.held_for_worry and comment.state is ItemState.PENDING
    [concern] = concerns()
    assert concern.pupil_id == open_blog.noah.id
    assert concern.source_ref == f"comment:{comment.id}"
    with pytest.raises(DomainError):
        moderation.approve(open_blog.teacher, comment)


def test_an_edited_comment_with_a_worry_is_heard(open_blog, officer):
    post = approved_post(open_blog)
    comment = services.add_comment(open_blog.noah.user, post, "Nice post!")
    services.edit_comment(open_blog.noah.user, comment, "a man online said its our secret")
    db.session.commit()
    assert comment.held_for_worry and len(concerns()) == 1


def test_staff_writing_raises_no_concern(open_blog, officer):
    post = services.save_post(
        open_blog.teacher,
        open_blog.id,
        "Anti-bullying week",
        "If I am being bullied I tell.",
        send=True,
    )
    assert not post.held_for_worry and concerns() == []


# --- The pages ----------------------------------------------------------------------------


def test_the_child_sees_a_calm_message_and_no_telling_off(open_blog, officer, client, login_as):
    login_as(open_blog.ava.user)
    response = client.post(
        f"/sandbox/classes/{open_blog.id}/write",
        data={"title": "Today", "body": "I want to die lol", "send": "y"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert findings.CALM_MESSAGE in html
    assert "Please change" not in html
    assert len(concerns()) == 1


def test_a_comment_worry_shows_the_calm_message(open_blog, officer, client, login_as):
    post = approved_post(open_blog)
    login_as(open_blog.noah.user)
    response = client.post(
        f"/sandbox/posts/{post.id}/comments",
        data={"body": "the big kids keep picking on me every day"},
        follow_redirects=True,
    )
    assert findings.CALM_MESSAGE in response.get_data(as_text=True)


def test_the_officer_reads_the_words_in_the_concern(open_blog, officer, client, login_as):
    services.save_post(open_blog.ava.user, open_blog.id, "Sad", WORRY, send=True)
    db.session.commit()
    login_as(officer)
    listing = client.get("/safeguarding/concerns").get_data(as_text=True)
    concern = concerns()[0]
    assert concern.reference in listing
    case = client.get(f"/safeguarding/concerns/{concern.id}").get_data(as_text=True)
    assert WORRY in case and "Urgent" in case


def test_the_queue_marks_a_held_post_for_the_teacher(open_blog, officer, client, login_as):
    services.save_post(open_blog.ava.user, open_blog.id, "Sad", WORRY, send=True)
    db.session.commit()
    login_as(open_blog.teacher)
    html = client.get(f"/sandbox/classes/{open_blog.id}/moderation").get_data(as_text=True)
    assert "Held: the checks heard a worry" in html
    assert "[Worries]</span></mark>" in html


# --- Raising a concern from any post or comment -------------------------------------------


def test_staff_raise_a_concern_from_a_post_with_its_words(open_blog, officer):
    post = approved_post(open_blog)
    concern = reports.raise_concern_from(open_blog.teacher, post, "Ava seemed upset today.")
    db.session.commit()
    assert concern.source is ConcernSource.CLASS_BLOG
    assert "We saw a **red** kite." in concern.quoted_text
    assert "Ava seemed upset today." in concern.description
    # Raising it again adds to the same open concern.
    assert reports.raise_concern_from(open_blog.teacher, post).id == concern.id


def test_pupils_and_other_teachers_cannot_raise_from_a_post(open_blog, officer):
    post = approved_post(open_blog)
    other_teacher = factories.make_user(Role.TEACHER)
    for person in (open_blog.noah.user, open_blog.parent, other_teacher):
        with pytest.raises((NotAllowed, NotFoundError)):
            reports.raise_concern_from(person, post)
    assert concerns() == []


def test_the_raise_concern_button_is_for_staff_only(open_blog, officer, client, login_as):
    post = approved_post(open_blog)
    login_as(open_blog.teacher)
    assert "Raise a concern from this post" in client.get(
        f"/sandbox/classes/{open_blog.id}"
    ).get_data(as_text=True)
    response = client.post(f"/sandbox/posts/{post.id}/concern", data={"note": "Worried."})
    assert response.status_code == 302 and len(concerns()) == 1
    login_as(open_blog.noah.user)
    assert "Raise a concern" not in client.get(f"/sandbox/classes/{open_blog.id}").get_data(
        as_text=True
    )
    assert client.post(f"/sandbox/posts/{post.id}/concern").status_code == 403


def test_a_pupils_words_when_reporting_a_post_are_heard_too(open_blog, officer):
    post = approved_post(open_blog)
    report = reports.report_item(
        open_blog.noah.user, post, "worries_me", "this made me want to die"
    )
    db.session.commit()
    [concern] = concerns()
    assert report.concern_id == concern.id
    assert concern.quoted_text == "this made me want to die"
    assert concern.pupil_id == open_blog.noah.id


def test_report_details_without_a_worry_raise_nothing(open_blog, officer):
    post = approved_post(open_blog)
    reports.report_item(open_blog.noah.user, post, "unkind", "it is mean about my team")
    assert concerns() == []


def test_a_worry_added_to_a_post_on_the_blog_takes_it_off_and_is_heard(open_blog, officer):
    post = approved_post(open_blog)
    services.save_post(
        open_blog.ava.user, open_blog.id, "Our trip", "i wish i was dead", send=False, post=post
    )
    assert post.state is ItemState.PENDING and post.held_for_worry
    assert len(concerns()) == 1


def test_a_released_post_saved_again_unchanged_stays_released(open_blog, officer):
    post = services.save_post(open_blog.ava.user, open_blog.id, "Sad", WORRY, send=True)
    findings.release_from_worry(open_blog.teacher, post)
    services.save_post(open_blog.ava.user, open_blog.id, "Sad", WORRY, send=True, post=post)
    assert not post.held_for_worry and len(concerns()) == 1


def test_a_pupils_whereabouts_are_refused_but_a_teachers_plans_are_not(open_blog):
    text = "we will be at the park at 2 tomorrow with Meadowbank Primary"
    with pytest.raises(services.WritingNeedsChanges) as refused:
        services.save_post(open_blog.ava.user, open_blog.id, "Trip", text, send=True)
    assert {f.kind for f in refused.value.problems["body"]} >= {"whereabouts", "school"}
    post = services.save_post(open_blog.teacher, open_blog.id, "Trip", text, send=True)
    assert post.state is ItemState.APPROVED
