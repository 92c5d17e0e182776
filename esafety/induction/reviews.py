"""Reviewing policies: every year from the last review, and sooner after an incident or when a
leader notes a new threat. A review closes with what changed (or why nothing needed to)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from .. import audit, mail
from ..auth.models import User
from ..auth.roles import Role
from ..clock import today, utcnow
from ..errors import DomainError, NotAllowed, NotFoundError
from ..extensions import db
from .models import Policy, PolicyReview, PolicyVersion, ReviewTrigger, VersionState
from .rules import REMINDER_WINDOW_DAYS, add_months, require_manager

#: Leaders who may open an early review (an incident, a new threat).
REVIEW_OPENERS = (
    Role.HEADTEACHER,
    Role.SLT,
    Role.ESAFETY_OFFICER,
    Role.DSL,
    Role.DEPUTY_DSL,
    Role.COMPUTING_LEAD,
)
#: An early review should be finished within this many days of being opened.
EARLY_REVIEW_DAYS = 28


@dataclass
class ReviewState:
    policy: Policy
    #: The date the next review is due (an open early review brings it forward).
    due_on: date | None
    open_review: PolicyReview | None
    last_closed: PolicyReview | None
    as_of: date

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < self.as_of

    @property
    def due_soon(self) -> bool:
        return self.due_on is not None and self.due_on <= self.as_of + timedelta(
            REMINDER_WINDOW_DAYS
        )

    @property
    def label(self) -> str:
        if self.due_on is None:
            return "Not yet in force"
        if self.open_review is not None:
            return f"Review open: {self.open_review.trigger.label.lower()}"
        if self.overdue:
            return "Review overdue"
        return "Review due soon" if self.due_soon else "In date"


def review_states(day: date | None = None) -> dict[int, ReviewState]:
    """Every policy's review position on a day, in three queries whatever the school's size."""
    day = day or today()
    policies = list(db.session.scalars(select(Policy).order_by(Policy.title)))
    last_published = dict(
        db.session.execute(
            select(PolicyVersion.policy_id, func.max(PolicyVersion.published_at))
            .where(PolicyVersion.state != VersionState.DRAFT)
            .group_by(PolicyVersion.policy_id)
        ).all()
    )
    open_reviews: dict[int, PolicyReview] = {}
    last_closed: dict[int, PolicyReview] = {}
    for review in db.session.scalars(select(PolicyReview).order_by(PolicyReview.id)):
        if review.closed_at is None:
            open_reviews.setdefault(review.policy_id, review)
        else:
            last_closed[review.policy_id] = review
    states = {}
    for policy in policies:
        published: datetime | None = last_published.get(policy.id)
        closed = last_closed.get(policy.id)
        basis = max(
            (d for d in (published, closed.closed_at if closed else None) if d is not None),
            default=None,
        )
        due = add_months(basis.date(), policy.review_interval_months) if basis else None
        open_review = open_reviews.get(policy.id)
        if open_review is not None and (due is None or open_review.due_on < due):
            due = open_review.due_on
        states[policy.id] = ReviewState(policy, due, open_review, closed, day)
    return states


def _policy(policy_id: int) -> Policy:
    policy = db.session.get(Policy, policy_id)
    if policy is None:
        raise NotFoundError("We could not find that policy.")
    return policy


def open_review(
    actor: User,
    policy: Policy,
    trigger: ReviewTrigger,
    reason: str,
    *,
    due_on: date | None = None,
) -> PolicyReview:
    """Mark a policy "review due" with the reason; its owner and the headteacher are told.

    An incident or a new threat brings the review forward; a second reason joins the review
    already open rather than opening another.
    """
    if not actor.has_role(*REVIEW_OPENERS):
        raise NotAllowed("Only the school's leaders can open a policy review.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(
            "Please say in a sentence what happened or what is new (no pupils' names).",
            "reason",
        )
    if len(reason) > 1000:
        raise DomainError("Please keep the reason under 1,000 characters.", "reason")
    due = due_on or (
        add_months(today(), 1)
        if trigger is ReviewTrigger.ANNUAL
        else today() + timedelta(days=EARLY_REVIEW_DAYS)
    )
    review = db.session.scalar(
        select(PolicyReview).where(
            PolicyReview.policy_id == policy.id, PolicyReview.closed_at.is_(None)
        )
    )
    if review is None:
        review = PolicyReview(
            policy_id=policy.id,
            trigger=trigger,
            reason=reason,
            opened_by_id=actor.id,
            opened_at=utcnow(),
            due_on=due,
        )
        db.session.add(review)
    else:
        review.reason = f"{review.reason}\n{trigger.label}: {reason}"
        review.due_on = min(review.due_on, due)
        if trigger is not ReviewTrigger.ANNUAL:
            review.trigger = trigger
    db.session.flush()
    audit.record(
        "induction.review_opened",
        actor=actor,
        target=review,
        policy_id=policy.id,
        trigger=trigger.value,
        due_on=review.due_on.isoformat(),
    )
    _tell_reviewers(policy, review, trigger, reason)
    return review


def open_early_review(
    actor: User, trigger: ReviewTrigger, reason: str, policy_slug: str = "social-media"
) -> PolicyReview | None:
    """The hook other features call (a serious concern, a filter alert): open an early review
    of the named policy, if the school has it."""
    policy = db.session.scalar(select(Policy).where(Policy.slug == policy_slug))
    if policy is None:
        return None
    return open_review(actor, policy, trigger, reason)


def _tell_reviewers(policy: Policy, review: PolicyReview, trigger: ReviewTrigger, why: str) -> None:
    from ..school.services import staff_with_role

    people = {policy.owner.id: policy.owner}
    for head in staff_with_role(Role.HEADTEACHER):
        people.setdefault(head.id, head)
    base = current_app.config["BASE_URL"].rstrip("/")
    for person in people.values():
        if not person.email:
            continue
        mail.queue(
            person.email,
            f"The {policy.title} is due for review by {review.due_on:%d %B %Y}",
            f"Hello {person.first_name},\n\n"
            f"A review of the {policy.title} has been opened ({trigger.label.lower()}): {why}\n\n"
            f"Please review it by {review.due_on:%d %B %Y}: {base}/governance/\n\nThank you.",
        )


def close_review(
    actor: User, review_id: int, outcome: str, version: PolicyVersion | None = None
) -> PolicyReview:
    """Close a review with what changed (or why nothing needed to); the next yearly review
    counts from today."""
    require_manager(actor, "close policy reviews")
    review = db.session.get(PolicyReview, review_id)
    if review is None:
        raise NotFoundError("We could not find that review.")
    if review.closed_at is not None:
        raise DomainError("This review is already closed.")
    outcome = (outcome or "").strip()
    if not outcome:
        raise DomainError(
            "Please say what changed, or why the policy still stands as it is.", "outcome"
        )
    if version is not None and version.policy_id != review.policy_id:
        raise DomainError("That version belongs to another policy.", "version_id")
    review.outcome = outcome[:4000]
    review.closed_at = utcnow()
    review.closed_by_id = actor.id
    review.version_id = version.id if version else None
    db.session.flush()
    audit.record("induction.review_closed", actor=actor, target=review, policy_id=review.policy_id)
    return review


def start_yearly_review(actor: User, policy_id: int) -> PolicyReview:
    """Open the yearly review of a policy (the dashboard's button when the date comes)."""
    policy = _policy(policy_id)
    state = review_states()[policy.id]
    return open_review(
        actor,
        policy,
        ReviewTrigger.ANNUAL,
        "The yearly review.",
        due_on=state.due_on if state.due_on and state.due_on >= today() else None,
    )


def reviews_of(policy_id: int) -> list[PolicyReview]:
    return list(
        db.session.scalars(
            select(PolicyReview)
            .where(PolicyReview.policy_id == policy_id)
            .order_by(PolicyReview.id.desc())
        )
    )
