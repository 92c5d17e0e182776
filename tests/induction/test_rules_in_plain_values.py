"""The induction rules worked out from plain values: no query is needed to check them."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest

from esafety.errors import DomainError
from esafety.induction import compliance, ledger
from esafety.induction.compliance import ItemState

START = date(2026, 9, 1)


def pathway(days, policies=(), courses=(), sign_only=False):
    return SimpleNamespace(
        due_within_days=days, policies=list(policies), courses=list(courses), sign_only=sign_only
    )


def thing(id_, title="", **extra):
    return SimpleNamespace(id=id_, title=title, **extra)


def test_the_latest_version_signed_counts_and_the_best_score_wins():
    signed = compliance.best_sign_offs(
        [
            (1, 7, 3, 2, datetime(2026, 9, 2)),
            (2, 7, 3, 1, datetime(2026, 9, 3)),
            (3, 7, 3, 2, datetime(2026, 9, 4)),
        ]
    )
    assert signed == {(7, 3): (3, 2, datetime(2026, 9, 4))}
    passed = compliance.best_passes(
        [(1, 7, 5, 80, datetime(2026, 9, 2)), (2, 7, 5, 80, datetime(2026, 9, 3))]
    )
    assert passed == {(7, 5): (1, 80, datetime(2026, 9, 2))}


def test_the_shortest_deadline_wins_and_a_sign_only_pathway_asks_for_no_course():
    safeguarding, acceptable_use = thing(1), thing(2)
    course = thing(10)
    linked = {1: [thing(11)]}
    due, with_courses = compliance.due_days_for(
        [
            pathway(30, [safeguarding, acceptable_use], [course]),
            pathway(7, [safeguarding], sign_only=True),
        ],
        linked,
    )
    assert due == {("policy", 1): 7, ("policy", 2): 30, ("course", 11): 30, ("course", 10): 30}
    assert with_courses == {1, 2}
    due, with_courses = compliance.due_days_for(
        [pathway(7, [safeguarding], sign_only=True)], linked
    )
    assert due == {("policy", 1): 7} and with_courses == set()


def version(number, published):
    return SimpleNamespace(number=number, published_at=published)


@pytest.mark.parametrize(
    ("record", "month", "state", "due_on", "yearly"),
    [
        (None, None, ItemState.TO_DO, date(2026, 9, 15), False),
        ((1, 2, datetime(2026, 9, 5)), None, ItemState.DONE, None, False),
        # Signed version 1, but version 2 was a major change published on 1 October.
        ((1, 1, datetime(2026, 9, 5)), None, ItemState.NEEDS_RESIGN, date(2026, 10, 15), False),
        # Signed in September; the policy is signed again every November.
        ((1, 2, datetime(2026, 9, 5)), 11, ItemState.NEEDS_RESIGN, date(2026, 11, 15), True),
    ],
)
def test_where_someone_stands_with_a_policy(record, month, state, due_on, yearly):
    policy = thing(1, "Acceptable use", annual_resign_month=month)
    major = version(2, datetime(2026, 10, 1, 9))
    item = compliance.policy_item(
        policy, (major, major), record, days=14, start=START, day=date(2026, 11, 20), courses=[]
    )
    assert (item.state, item.due_on, item.yearly) == (state, due_on, yearly)
    assert item.overdue is (state is not ItemState.DONE)


def test_a_course_is_due_until_its_quiz_is_passed():
    course = thing(5, "Safeguarding basics")
    waiting = compliance.course_item(course, None, days=10, start=START, day=date(2026, 9, 5))
    assert (waiting.passed, waiting.due_on, waiting.overdue) == (False, date(2026, 9, 11), False)
    done = compliance.course_item(
        course, (9, 90, datetime(2026, 9, 3)), days=10, start=START, day=date(2026, 12, 1)
    )
    assert (done.passed, done.best_score, done.due_on, done.overdue) == (True, 90, None, False)


def test_a_signature_needs_every_section_read_the_quiz_passed_and_the_right_name():
    ledger.check_ready_to_sign(0, needs_quiz=True, quiz_score=80)
    with pytest.raises(DomainError, match="1 section is still to read"):
        ledger.check_ready_to_sign(1, needs_quiz=False, quiz_score=None)
    with pytest.raises(DomainError, match="pass the course's quiz"):
        ledger.check_ready_to_sign(0, needs_quiz=True, quiz_score=None)
    ledger.check_agreement(True, "  jane   SMITH ", "Jane Smith", on_behalf=False)
    with pytest.raises(DomainError, match="tick the box") as refused:
        ledger.check_agreement(False, "Jane Smith", "Jane Smith", on_behalf=False)
    assert refused.value.field == "agree"
    with pytest.raises(DomainError, match="type their full name") as refused:
        ledger.check_agreement(True, "Jane Smyth", "Jane Smith", on_behalf=True)
    assert refused.value.field == "full_name"


def test_a_version_is_signed_once_or_once_a_year_and_paper_sign_offs_say_why():
    signed = datetime(2026, 9, 5)
    ledger.check_not_signed_already("version 2", None, None)
    ledger.check_not_signed_already("version 2", signed, date(2026, 11, 1))
    with pytest.raises(DomainError, match="Version 2 has already been signed"):
        ledger.check_not_signed_already("version 2", signed, None)
    ledger.check_reason_given(False, None)
    with pytest.raises(DomainError, match="say why") as refused:
        ledger.check_reason_given(True, "   ")
    assert refused.value.field == "reason"
