"""Policies are reviewed every year from the last review, and sooner after an incident."""

from __future__ import annotations

from datetime import timedelta

import pytest

from esafety import mail
from esafety.auth.roles import Role
from esafety.clock import today
from esafety.errors import DomainError, NotAllowed
from esafety.extensions import db
from esafety.induction import reminders, reviews
from esafety.induction.models import ReviewTrigger
from esafety.induction.rules import add_months
from tests import factories
from tests.induction.helpers import make_head, publish_policy


def test_an_incident_opens_an_early_review_and_tells_the_owner_and_head():
    head = make_head()
    version = publish_policy(head)
    dsl = factories.make_user(Role.DSL, email="dsl@school.example")
    before = reviews.review_states()[version.policy_id]
    assert before.due_on == add_months(version.published_at.date(), 12)
    assert before.label == "In date"

    review = reviews.open_early_review(
        dsl, ReviewTrigger.INCIDENT, "A class chat group was used to share a cruel video."
    )
    assert review is not None and review.due_on == today() + timedelta(days=28)
    after = reviews.review_states()[version.policy_id]
    assert after.due_on == review.due_on and after.open_review.id == review.id
    assert after.label == "Review open: after an incident"
    db.session.commit()  # mail leaves through the outbox once the change is committed
    sent = mail.outbox_messages()
    assert {m["To"] for m in sent} == {head.email}
    assert "cruel video" in sent[0].get_content()

    again = reviews.open_early_review(dsl, ReviewTrigger.NEW_THREAT, "A new chat app.")
    assert again.id == review.id and "A new chat app." in again.reason


def test_closing_a_review_sets_the_next_yearly_date_from_it():
    head = make_head()
    version = publish_policy(head, at=version_time(days_ago=300))
    review = reviews.open_review(head, version.policy, ReviewTrigger.NEW_THREAT, "AI images.")
    with pytest.raises(DomainError) as error:
        reviews.close_review(head, review.id, "  ")
    assert error.value.field == "outcome"
    reviews.close_review(head, review.id, "Added a line on AI-made images.")
    state = reviews.review_states()[version.policy_id]
    assert state.open_review is None
    assert state.due_on == add_months(today(), 12)


def version_time(days_ago: int):
    from esafety.clock import utcnow

    return utcnow() - timedelta(days=days_ago)


def test_only_leaders_open_reviews_and_a_reason_is_needed():
    head = make_head()
    version = publish_policy(head)
    with pytest.raises(NotAllowed):
        reviews.open_review(
            factories.make_user(Role.TEACHER), version.policy, ReviewTrigger.INCIDENT, "Why"
        )
    with pytest.raises(DomainError) as error:
        reviews.open_review(head, version.policy, ReviewTrigger.INCIDENT, "   ")
    assert error.value.field == "reason"


def test_an_early_review_brings_the_reminder_forward(app):
    head = make_head()
    version = publish_policy(head)
    yearly = add_months(version.published_at.date(), 12)
    assert reminders.send_reminders(today())["review_due"] == 0
    review = reviews.open_review(head, version.policy, ReviewTrigger.INCIDENT, "An incident.")
    assert reminders.send_reminders(today())["review_due"] == 1
    late = review.due_on + timedelta(days=1)
    assert late < yearly
    assert reminders.send_reminders(late)["review_overdue"] == 1
    assert reminders.send_reminders(late)["review_overdue"] == 0


def test_a_leader_marks_a_policy_for_review_from_the_dashboard(client, login_as, school):
    head = make_head()
    version = publish_policy(head)
    login_as(head)
    response = client.post(
        f"/governance/policies/{version.policy_id}/review",
        data={"trigger": "incident", "reason": "Unkind comments on a gaming server."},
        follow_redirects=True,
    )
    assert "marked for review" in response.get_data(as_text=True)
    page = client.get("/governance/").get_data(as_text=True)
    assert "Review open: after an incident" in page and "gaming server" in page
    empty = client.post(
        f"/governance/policies/{version.policy_id}/review",
        data={"trigger": "incident", "reason": ""},
        follow_redirects=True,
    )
    assert "Please say in a sentence" in empty.get_data(as_text=True)
