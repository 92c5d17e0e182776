"""A child's file: pupils on a concern with their part, actions with owners and due dates,
case reviews, referrals that keep the case open, and each pupil's chronology across concerns.

Services flush and never commit; every step is written to the concern's chronology.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import audit
from ..auth.models import User
from ..clock import today, utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..school.models import Pupil
from . import routing, services
from .models import (
    ActionKind,
    Agency,
    CaseTask,
    Concern,
    ConcernPupil,
    PupilPart,
    Referral,
)

TITLE_LIMIT = 300
REFERENCE_LIMIT = 80


def _text(value: str | None, limit: int, label: str, field_name: str, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"{label}: please fill this in.", field_name)
    if len(value) > limit:
        raise DomainError(f"{label} is too long: keep it under {limit} characters.", field_name)
    return value


# --- Pupils on a concern ---------------------------------------------------------------------


def pupils_to_add(concern: Concern) -> list[Pupil]:
    """Pupils on roll not yet on this concern, for the handler's list."""
    on = {link.pupil_id for link in concern.pupils}
    return [
        p
        for p in db.session.scalars(
            select(Pupil).where(Pupil.left_on.is_(None)).order_by(Pupil.last_name, Pupil.first_name)
        )
        if p.id not in on
    ]


def pupils_to_add_anywhere() -> list[Pupil]:
    """Pupils on roll, for choosing who an arriving file belongs to."""
    return list(
        db.session.scalars(
            select(Pupil).where(Pupil.left_on.is_(None)).order_by(Pupil.last_name, Pupil.first_name)
        )
    )


def add_pupil(actor: User, concern: Concern, pupil_id: int, part: PupilPart) -> ConcernPupil:
    """Put another pupil on the concern with their part; it then shows on their chronology."""
    services._check_handler(actor, concern)
    pupil = db.session.get(Pupil, pupil_id)
    if pupil is None:
        raise DomainError("Choose a pupil from the list.", "pupil_id")
    if any(link.pupil_id == pupil.id for link in concern.pupils):
        raise DomainError(f"{pupil.first_name} is already on this concern.", "pupil_id")
    link = ConcernPupil(pupil_id=pupil.id, part=part, added_by_id=actor.id)
    concern.pupils.append(link)
    db.session.flush()
    if concern.pupil_id is None:
        concern.pupil_id = pupil.id
    services._start(actor, concern)
    services._add_action(
        concern,
        ActionKind.PUPIL_ADDED,
        actor,
        f"{pupil.first_name} {pupil.last_name}: {part.label.lower()}",
    )
    audit.record("safeguarding.pupil_added", actor=actor, target=concern, part=part.value)
    return link


# --- Actions with an owner and a due date ----------------------------------------------------


def owners_for(concern: Concern) -> list[User]:
    """Who may own an action: people who may open the concern."""
    return services.eligible_handlers(concern)


def set_task(
    actor: User, concern: Concern, title: str, owner_id: int, due_on: date | None
) -> CaseTask:
    """Give someone a thing to do on the case by a date; they are emailed a link."""
    services._check_handler(actor, concern)
    title = _text(title, TITLE_LIMIT, "What needs doing", "title", True)
    owner = next((u for u in owners_for(concern) if u.id == owner_id), None)
    if owner is None:
        raise DomainError("Choose who will do it from the list.", "owner_id")
    if due_on is None:
        raise DomainError("Give the date it is due.", "due_on")
    if due_on < today():
        raise DomainError("That date has passed: when is it due?", "due_on")
    task = CaseTask(title=title, owner_id=owner.id, due_on=due_on, set_by_id=actor.id)
    concern.tasks.append(task)
    db.session.flush()
    services._start(actor, concern)
    services._add_action(
        concern,
        ActionKind.TASK_SET,
        actor,
        f"{title} ({owner.full_name}, due {due_on:%d %b %Y})",
    )
    audit.record("safeguarding.task_set", actor=actor, target=concern, task_id=task.id)
    if owner.id != actor.id and owner.email:
        from .. import mail

        mail.queue(
            owner.email,
            f"A safeguarding action for you: {concern.reference}",
            f"Dear {owner.first_name},\n\nYou have an action on a safeguarding concern "
            f"({concern.reference}), due {due_on:%A %d %B %Y}.\nPlease sign in to see it:\n\n"
            f"{mail.link('safeguarding.case', concern_id=concern.id)}\n\n"
            "The details are kept in the safeguarding record, not in email.\n",
            private=True,
        )
    return task


def complete_task(actor: User, concern: Concern, task_id: int, note: str) -> CaseTask:
    """Mark an action done, with what was done."""
    services._check_handler(actor, concern)
    task = next((t for t in concern.tasks if t.id == task_id), None)
    if task is None:
        raise NotFoundError("We could not find that action.")
    if task.done_at is not None:
        raise DomainError("That action is already done.", "done_note")
    note = _text(note, services.DESCRIPTION_LIMIT, "What was done", "done_note", False)
    task.done_at = utcnow()
    task.done_note = note
    services._add_action(
        concern, ActionKind.TASK_DONE, actor, f"{task.title}" + (f": {note}" if note else "")
    )
    audit.record("safeguarding.task_done", actor=actor, target=concern, task_id=task.id)
    return task


def set_review(actor: User, concern: Concern, review_on: date | None) -> None:
    """Set (or clear) the next case review date."""
    services._check_handler(actor, concern)
    if review_on is not None and review_on < today():
        raise DomainError("That date has passed: when is the review?", "review_on")
    if concern.review_on == review_on:
        return
    concern.review_on = review_on
    services._add_action(
        concern,
        ActionKind.REVIEW_SET,
        actor,
        f"Next review {review_on:%d %b %Y}" if review_on else "No review date",
    )
    audit.record("safeguarding.review_set", actor=actor, target=concern)


# --- Referrals -------------------------------------------------------------------------------


def refer(
    actor: User,
    concern: Concern,
    agency: Agency,
    *,
    referred_on: date | None,
    reference: str = "",
    agency_name: str = "",
    outcome: str = "",
    follow_up_on: date | None = None,
) -> Referral:
    """Record a referral to another agency; the case stays open here while they act."""
    services._check_handler(actor, concern)
    if concern.status.is_closed:
        raise DomainError("This concern is closed: reopen it by raising a new one.", "agency")
    reference = _text(reference, REFERENCE_LIMIT, "Their reference", "reference", False)
    agency_name = _text(
        agency_name, 120, "The agency's name", "agency_name", agency is Agency.OTHER
    )
    outcome = _text(outcome, services.DESCRIPTION_LIMIT, "Outcome", "outcome", False)
    if referred_on is None:
        raise DomainError("Give the date of the referral.", "referred_on")
    if referred_on > today():
        raise DomainError("That date is in the future: when was it referred?", "referred_on")
    if follow_up_on is not None and follow_up_on < referred_on:
        raise DomainError("The follow-up comes after the referral.", "follow_up_on")
    referral = Referral(
        agency=agency,
        agency_name=agency_name if agency is Agency.OTHER else "",
        reference=reference,
        referred_on=referred_on,
        referred_by_id=actor.id,
        outcome=outcome,
        follow_up_on=follow_up_on,
    )
    concern.referrals.append(referral)
    db.session.flush()
    services._start(actor, concern)
    words = f"{referral.agency_label}, {referred_on:%d %b %Y}"
    if reference:
        words += f", reference {reference}"
    if follow_up_on:
        words += f"; follow up {follow_up_on:%d %b %Y}"
    services._add_action(concern, ActionKind.REFERRAL_MADE, actor, words)
    audit.record("safeguarding.referral_made", actor=actor, target=concern, agency=agency.value)
    return referral


def update_referral(
    actor: User,
    concern: Concern,
    referral_id: int,
    *,
    outcome: str,
    follow_up_on: date | None,
    reference: str | None = None,
) -> Referral:
    """Record what the agency decided and when to follow up next."""
    services._check_handler(actor, concern)
    referral = next((r for r in concern.referrals if r.id == referral_id), None)
    if referral is None:
        raise NotFoundError("We could not find that referral.")
    outcome = _text(outcome, services.DESCRIPTION_LIMIT, "Outcome", "outcome", False)
    if reference is not None:
        referral.reference = _text(
            reference, REFERENCE_LIMIT, "Their reference", "reference", False
        )
    if follow_up_on is not None and follow_up_on < referral.referred_on:
        raise DomainError("The follow-up comes after the referral.", "follow_up_on")
    referral.outcome = outcome
    referral.follow_up_on = follow_up_on
    services._add_action(
        concern,
        ActionKind.REFERRAL_UPDATED,
        actor,
        f"{referral.agency_label}: {outcome or 'no outcome yet'}"
        + (f"; follow up {follow_up_on:%d %b %Y}" if follow_up_on else ""),
    )
    audit.record("safeguarding.referral_updated", actor=actor, target=concern)
    return referral


def lado_contacted(concern: Concern) -> bool:
    return any(r.agency is Agency.LADO for r in concern.referrals)


# --- A child's chronology --------------------------------------------------------------------


@dataclass(frozen=True)
class ChronologyEntry:
    at: datetime
    concern: Concern
    part: PupilPart
    what: str
    note: str
    by: str


def chronology_for_pupil(
    viewer: User, pupil_id: int, kinds: set[ActionKind] | None = None
) -> tuple[Pupil, list[Concern], list[ChronologyEntry]]:
    """Every step of every concern this pupil is on, oldest first, limited to the concerns
    the viewer may open (logged against each one, so nothing is hinted elsewhere)."""
    pupil = db.session.get(Pupil, pupil_id)
    if pupil is None or not viewer.has_role(*routing.CONCERN_ROLES):
        raise NotFoundError("We could not find that pupil's file.")
    links = list(
        db.session.scalars(
            select(ConcernPupil)
            .where(ConcernPupil.pupil_id == pupil.id)
            .options(
                selectinload(ConcernPupil.concern).selectinload(Concern.actions),
            )
            .order_by(ConcernPupil.concern_id)
        )
    )
    chair = services.chair_id()
    links = [link for link in links if services.can_open(viewer, link.concern, chair)]
    entries = []
    for link in links:
        services.log_access(viewer, link.concern, f"chronology of pupil {pupil.id}")
        for action in link.concern.actions:
            if kinds and action.kind not in kinds:
                continue
            entries.append(
                ChronologyEntry(
                    at=action.at,
                    concern=link.concern,
                    part=link.part,
                    what=action.kind.label,
                    note=action.note,
                    by=action.by.full_name if action.by else "recorded automatically",
                )
            )
    entries.sort(key=lambda e: (e.at, e.concern.id))
    return pupil, [link.concern for link in links], entries


def pupils_with_files(viewer: User) -> list[tuple[Pupil, int]]:
    """Pupils on at least one concern the viewer may open, with how many."""
    if not viewer.has_role(*routing.CONCERN_ROLES):
        raise NotFoundError("We could not find that page.")
    chair = services.chair_id()
    counts: dict[int, int] = {}
    pupils: dict[int, Pupil] = {}
    for link in db.session.scalars(
        select(ConcernPupil).options(selectinload(ConcernPupil.concern))
    ):
        if services.can_open(viewer, link.concern, chair):
            counts[link.pupil_id] = counts.get(link.pupil_id, 0) + 1
            pupils[link.pupil_id] = link.pupil
    services.log_access(viewer, None, "list of pupils' files")
    return sorted(
        ((pupils[i], n) for i, n in counts.items()),
        key=lambda item: (item[0].last_name, item[0].first_name),
    )
