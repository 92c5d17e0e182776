"""Reports: hidden from pupils at once, a copy kept, a teacher decides, the reporter is told."""

from __future__ import annotations

import pytest

from esafety import audit
from esafety.errors import DomainError, NotAllowed, NotFoundError
from esafety.extensions import db
from esafety.sandbox import moderation, reports, services
from esafety.sandbox.models import ItemState, ReportReason, ReportState
from tests.sandbox.conftest import approved_post


def test_a_report_hides_the_post_from_pupils_and_parents_at_once(open_blog):
    post = approved_post(open_blog)
    report = reports.report_item(open_blog.noah.user, post, "unkind", "It made me sad")
    assert post.state is ItemState.HIDDEN
    assert report.reported_text == "Our trip\n\nWe saw a **red** kite."
    for reader in (open_blog.noah.user, open_blog.isla.user, open_blog.parent):
        assert services.blog_page(reader, open_blog.id).posts == []
    staff_page = services.blog_page(open_blog.teacher, open_blog.id)
    assert [v.post.id for v in staff_page.posts] == [post.id]
    assert staff_page.open_report_count == 1
    # The author keeps sight of their own writing, with where it is.
    mine = services.blog_page(open_blog.ava.user, open_blog.id)
    assert [v.post for v in mine.my_writing] == [post]


def test_the_copy_is_kept_even_if_the_post_changes_later(open_blog):
    post = approved_post(open_blog)
    report = reports.report_item(open_blog.noah.user, post, "something_else")
    post.source = "different words"
    db.session.flush()
    assert "red** kite" in report.reported_text


def test_upholding_removes_the_item_and_the_reporter_sees_the_outcome(open_blog):
    post = approved_post(open_blog)
    report = reports.report_item(open_blog.noah.user, post, ReportReason.UNKIND)
    reports.decide_report(open_blog.teacher, report, uphold=True, note="Thank you, Noah.")
    assert post.state is ItemState.REMOVED
    assert report.state is ReportState.UPHELD and report.decided_by_id == open_blog.teacher.id
    page = services.blog_page(open_blog.noah.user, open_blog.id)
    assert page.my_reports == [report]
    assert "took it off" in reports.outcome_for_reporter(report)
    assert page.my_reports[0].decision_note == "Thank you, Noah."


def test_dismissing_restores_the_item(open_blog):
    post = approved_post(open_blog)
    report = reports.report_item(open_blog.noah.user, post, "personal_information")
    reports.decide_report(open_blog.teacher, report, uphold=False, note="It is fine to share.")
    assert post.state is ItemState.APPROVED and report.state is ReportState.DISMISSED
    assert [v.post.id for v in services.blog_page(open_blog.isla.user, open_blog.id).posts] == [
        post.id
    ]
    assert "can stay" in reports.outcome_for_reporter(report)
    assert [e.action for e in reversed(audit.recent(20, "sandbox.report"))] == [
        "sandbox.report.made",
        "sandbox.report.dismissed",
    ]
    assert audit.recent(1, "sandbox.post.restored")


def test_comments_can_be_reported_and_a_parent_can_report(open_blog):
    post = approved_post(open_blog)
    comment = services.add_comment(open_blog.teacher, post, "Well done, Ash class.")
    report = reports.report_item(open_blog.parent, comment, "something_else", "Typo?")
    assert comment.state is ItemState.HIDDEN and report.item_kind == "comment"
    assert services.blog_page(open_blog.noah.user, open_blog.id).posts[0].comments == []


def test_a_second_report_on_a_hidden_item_is_refused_kindly(open_blog):
    post = approved_post(open_blog)
    reports.report_item(open_blog.noah.user, post, "unkind")
    with pytest.raises(NotFoundError):
        reports.report_item(open_blog.isla.user, post, "unkind")  # pupils no longer see it
    with pytest.raises(DomainError, match="already looking"):
        reports.report_item(open_blog.teacher, post, "unkind")


def test_one_decision_settles_every_open_report_on_the_item(open_blog):
    post = approved_post(open_blog)
    comment = services.add_comment(open_blog.teacher, post, "Great kite!")
    first = reports.report_item(open_blog.noah.user, comment, "unkind")
    moderation.remove(open_blog.teacher, comment, "")
    assert first.state is ReportState.UPHELD  # taking it off answers the report


def test_reports_need_a_real_reason_and_an_outsider_cannot_report(open_blog):
    post = approved_post(open_blog)
    with pytest.raises(DomainError, match="reason"):
        reports.report_item(open_blog.noah.user, post, "boring")
    with pytest.raises(NotFoundError):
        reports.report_item(open_blog.other_pupil.user, post, "unkind")


def test_only_staff_decide_and_a_note_is_needed(open_blog):
    post = approved_post(open_blog)
    report = reports.report_item(open_blog.noah.user, post, "unkind")
    with pytest.raises(NotAllowed):
        reports.decide_report(open_blog.ava.user, report, uphold=False, note="mine")
    with pytest.raises(DomainError, match="note"):
        reports.decide_report(open_blog.teacher, report, uphold=False, note=" ")
    reports.decide_report(open_blog.teacher, report, uphold=False, note="ok")
    with pytest.raises(DomainError, match="already been decided"):
        reports.decide_report(open_blog.teacher, report, uphold=True, note="again")


def test_only_worrying_reports_are_passed_on(open_blog):
    post = approved_post(open_blog)
    report = reports.report_item(open_blog.noah.user, post, "unkind")
    with pytest.raises(DomainError, match="worries me"):
        reports.pass_to_esafety_officer(open_blog.teacher, report, "")


def test_a_worrying_report_becomes_a_safeguarding_concern(open_blog):
    try:
        from esafety.safeguarding.services import receive_blog_report  # noqa: F401
    except ImportError:
        pytest.skip(
            "esafety.safeguarding.services.receive_blog_report is not there yet "
            "(built by the safeguarding feature); this checks the hand-off once it is"
        )
    post = approved_post(open_blog)
    report = reports.report_item(open_blog.noah.user, post, "worries_me", "Someone asked to meet")
    concern = reports.pass_to_esafety_officer(open_blog.teacher, report, "Please look today")
    db.session.commit()
    assert concern is not None and report.concern_id == concern.id
    assert report.passed_on_by_id == open_blog.teacher.id
    assert audit.recent(1, "sandbox.report.passed_on")
    with pytest.raises(DomainError, match="already been passed"):
        reports.pass_to_esafety_officer(open_blog.teacher, report, "")
