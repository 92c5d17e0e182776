"""A teacher decides on exactly what they saw, and one piece of writing gets one decision.

Reproduces what a tester found: the pupil changed a waiting post after the teacher opened the
queue and the teacher's Approve published words they never saw; Approve and Send back pressed
at the same moment both landed. The races run on real connections (tests/races.py), on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from esafety.audit import AuditEntry
from esafety.auth.models import User
from esafety.concurrency import StaleDecision
from esafety.extensions import db
from esafety.sandbox import moderation, reports, services
from esafety.sandbox.models import BlogPost, BlogReport, ItemState, ReportReason, ReportState
from tests.races import at_once
from tests.sandbox.conftest import approved_post

UNKIND = "Sam is stupid and ugly."


def _sent_post(blog, body: str = "We saw a red kite on the trip."):
    post = services.save_post(blog.ava.user, blog.id, "Our trip", body, send=True)
    db.session.commit()
    return post


def _revision_on_page(html: str, kind: str, item_id: int) -> str:
    form = re.search(
        rf'action="/sandbox/{kind}s/{item_id}/decision"[^>]*>\s*<input[^>]*csrf_token[^>]*>'
        r'<input type="hidden" name="revision" value="(\d+)">',
        html,
    )
    assert form, "the decision form carries the revision the page shows"
    return form.group(1)


def _decisions(post_id: int, *actions: str) -> int:
    return db.session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.target_type == "blog_post",
            AuditEntry.target_id == post_id,
            AuditEntry.action.in_([f"sandbox.post.{a}" for a in actions]),
        )
    )


def test_approve_on_a_page_older_than_the_pupils_edit_is_refused(open_blog, client, login_as):
    post = _sent_post(open_blog)
    login_as(open_blog.teacher)
    queue_url = f"/sandbox/classes/{open_blog.id}/moderation"
    seen = _revision_on_page(client.get(queue_url).get_data(as_text=True), "post", post.id)

    # The pupil changes the waiting post while the teacher's page is open.
    services.save_post(
        open_blog.ava.user, open_blog.id, "Our trip", UNKIND, send=True, post=post, seen=seen
    )
    db.session.commit()

    response = client.post(
        f"/sandbox/posts/{post.id}/decision",
        data={"approve": "y", "revision": seen},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone changed this while you had the page open" in page
    assert UNKIND in page  # the current words are what the teacher now sees
    db.session.refresh(post)
    assert post.state is ItemState.PENDING and post.source == UNKIND
    assert _decisions(post.id, "approved") == 0

    # Having seen the new words, the teacher's decision goes through.
    response = client.post(
        f"/sandbox/posts/{post.id}/decision",
        data={"reason": "kind", "send_back": "y", "revision": post.revision},
    )
    assert response.status_code == 302
    db.session.refresh(post)
    assert post.state is ItemState.RETURNED


def test_a_decision_from_a_page_without_a_revision_is_refused(open_blog, client, login_as):
    post = _sent_post(open_blog)
    login_as(open_blog.teacher)
    client.post(f"/sandbox/posts/{post.id}/decision", data={"approve": "y"})
    db.session.refresh(post)
    assert post.state is ItemState.PENDING


def test_a_second_decision_on_decided_writing_is_refused(open_blog):
    post = _sent_post(open_blog)
    seen = post.revision
    moderation.decide(open_blog.teacher, post, "approve", seen=seen)
    db.session.commit()
    head = open_blog.teacher
    try:
        moderation.decide(head, post, "return", "Please check it.", seen=seen)
    except moderation.NotWaiting:
        db.session.rollback()
    else:
        raise AssertionError("a second decision was recorded")
    db.session.refresh(post)
    assert post.state is ItemState.APPROVED and post.feedback is None


def _decider(post_id: int, teacher_id: int, decision: str):
    def act(barrier):
        teacher = db.session.get(User, teacher_id)
        post = db.session.get(BlogPost, post_id)
        seen = post.revision
        barrier.wait()
        moderation.decide(teacher, post, decision, "Please make it kinder.", seen=seen)
        return decision

    return act


@pytest.mark.commits
def test_approve_and_send_back_at_once_record_one_decision(app, open_blog):
    for _ in range(3):
        post = _sent_post(open_blog)
        outcomes = at_once(
            app,
            _decider(post.id, open_blog.teacher.id, "approve"),
            _decider(post.id, open_blog.teacher.id, "return"),
        )
        done = [o for o in outcomes if isinstance(o, str)]
        refused = [o for o in outcomes if isinstance(o, StaleDecision)]
        assert len(done) == 1 and len(refused) == 1, outcomes
        db.session.expire_all()
        post = db.session.get(BlogPost, post.id)
        expected = ItemState.APPROVED if done == ["approve"] else ItemState.RETURNED
        assert post.state is expected
        assert _decisions(post.id, "approved", "returned") == 1


@pytest.mark.commits
def test_an_edit_racing_an_approval_never_publishes_unseen_words(app, open_blog):
    for _ in range(3):
        post = _sent_post(open_blog)
        pupil_id = open_blog.ava.user.id

        def edit(barrier, post_id=post.id, pupil_id=pupil_id):
            pupil = db.session.get(User, pupil_id)
            mine = db.session.get(BlogPost, post_id)
            seen = mine.revision
            barrier.wait()
            services.save_post(
                pupil, mine.class_id, mine.title, UNKIND, send=True, post=mine, seen=seen
            )
            return "edit"

        outcomes = at_once(app, _decider(post.id, open_blog.teacher.id, "approve"), edit)
        assert sum(isinstance(o, str) for o in outcomes) == 1, outcomes
        db.session.expire_all()
        post = db.session.get(BlogPost, post.id)
        if post.state is ItemState.APPROVED:
            assert post.source != UNKIND
        else:
            assert post.state is ItemState.PENDING and post.source == UNKIND


@pytest.mark.commits
def test_two_teachers_deciding_one_report_at_once_record_one_decision(app, open_blog):
    post = approved_post(open_blog)
    report = reports.report_item(open_blog.noah.user, post, ReportReason.UNKIND, "")
    db.session.commit()
    teacher_id, report_id = open_blog.teacher.id, report.id  # threads use their own sessions

    def decide(uphold: bool):
        def act(barrier):
            teacher = db.session.get(User, teacher_id)
            mine = db.session.get(BlogReport, report_id)
            seen = mine.revision
            barrier.wait()
            reports.decide_report(teacher, mine, uphold=uphold, note="Thank you.", seen=seen)
            return "uphold" if uphold else "dismiss"

        return act

    outcomes = at_once(app, decide(True), decide(False))
    assert sum(isinstance(o, str) for o in outcomes) == 1, outcomes
    db.session.expire_all()
    decided = db.session.get(BlogReport, report_id)
    assert decided.state in (ReportState.UPHELD, ReportState.DISMISSED)
    count = db.session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.target_type == "blog_report",
            AuditEntry.action.in_(["sandbox.report.upheld", "sandbox.report.dismissed"]),
        )
    )
    assert count == 1


def test_a_report_decided_by_someone_else_since_it_was_read_is_refused_not_silently_skipped(
    open_blog,
):
    """The losing teacher of a race must hear it was already decided, not be told "done"."""
    post = approved_post(open_blog)
    report = reports.report_item(open_blog.noah.user, post, ReportReason.UNKIND, "")
    db.session.commit()
    seen = report.revision
    # Another teacher's decision lands after this request read the report (the row changes
    # underneath; this session still holds the report as it was read).
    db.session.execute(
        BlogReport.__table__.update()
        .where(BlogReport.id == report.id)
        .values(state=ReportState.UPHELD, revision=BlogReport.revision + 1)
    )
    with pytest.raises(StaleDecision):
        reports.decide_report(open_blog.teacher, report, uphold=False, note="Fine.", seen=seen)
