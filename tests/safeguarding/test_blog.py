"""The class blog's "it worries me" reports arrive here as concerns, with a copy of the words."""

from __future__ import annotations

import pytest

from esafety import audit
from esafety.errors import NotAllowed, NotFoundError
from esafety.extensions import db
from esafety.safeguarding import services
from esafety.safeguarding.models import ConcernKind, ConcernSource, ConcernStatus, Procedure
from esafety.school.models import YearGroup

from .conftest import outbox_to


def _report(people, **overrides):
    values = {
        "reporter": people.child.user,
        "class_id": people.child.class_id,
        "item_kind": "comment",
        "item_id": 42,
        "reported_text": "Nobody likes you, leave our class.",
        "reason": "it worries me",
        "note": "Passing this on: it follows a falling-out at lunch.",
        "passed_on_by": people.y5_teacher,
    }
    values.update(overrides)
    return services.receive_blog_report(**values)


def test_a_blog_report_becomes_a_concern_for_the_esafety_officer(people):
    concern = _report(people)
    db.session.commit()
    assert concern.source is ConcernSource.CLASS_BLOG
    assert concern.source_ref == "comment:42"
    assert concern.quoted_text == "Nobody likes you, leave our class."
    assert concern.kind is ConcernKind.INAPPROPRIATE_CONTENT
    assert concern.handler_id == people.officer.id
    assert concern.reporter_id == people.child.user_id
    assert concern.passed_on_by_id == people.y5_teacher.id
    assert concern.class_id == people.child.class_id
    assert "falling-out at lunch" in concern.description
    assert outbox_to(people.officer.email)
    # The teacher who passed it on is not emailed about their own hand-off.
    assert outbox_to(people.y5_teacher.email) == []
    assert audit.recent(action_prefix="safeguarding.concern_raised")[0].target_id == concern.id


def test_an_unkind_report_is_cyber_bullying(people):
    concern = _report(people, reason="unkind")
    assert concern.kind is ConcernKind.CYBER_BULLYING
    assert concern.procedure is Procedure.ANTI_BULLYING


def test_other_class_teachers_are_told(people):
    colleague = people.school.teachers[YearGroup.YEAR_4]
    from esafety.school.services import assign_teacher

    assign_teacher(people.school.classes[YearGroup.YEAR_5], colleague)
    _report(people)
    db.session.commit()
    (message,) = outbox_to(colleague.email)
    assert "/safeguarding/concerns/" not in message.get_content()


def test_the_same_item_passed_on_twice_joins_the_open_concern(people):
    first = _report(people)
    second = _report(people, note="Another pupil reported it too.")
    assert first.id == second.id
    assert "Another pupil reported it too." in first.actions[-1].note
    services.resolve(people.officer, first, "Spoke with both pupils.")
    third = _report(people)
    assert third.id != first.id and third.status is ConcernStatus.NEW


def test_only_the_class_staff_pass_reports_on(people):
    other_teacher = people.school.teachers[YearGroup.YEAR_2]
    with pytest.raises(NotAllowed):
        _report(people, passed_on_by=other_teacher)
    with pytest.raises(NotFoundError):
        _report(people, class_id=999_999)


def test_the_reporter_sees_it_among_their_concerns(client, login_as, people):
    _report(people)
    db.session.commit()
    login_as(people.child.user)
    page = client.get("/safeguarding/mine").data.decode()
    assert "Received" in page and "Nobody likes you" not in page
