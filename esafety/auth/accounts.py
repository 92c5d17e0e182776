"""Changing other people's accounts (email, disabling): who may, and the second person a
leader's or safeguarding lead's account needs. The grant table in grants.py decides who."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from .. import audit, mail
from ..clock import utcnow
from ..errors import DomainError, NotAllowed, NotFoundError
from ..extensions import db
from ..school.models import StaffProfile
from . import grants, services
from .models import AccountChange, AccountChangeKind, AccountChangeState, User

#: One answer for every refusal, so it never hints that a concern names the account.
NOT_YOURS = (
    "You cannot make this change to this account. "
    "Please ask the headteacher or the chair of governors."
)


def chair_id() -> int | None:
    return db.session.scalar(select(StaffProfile.user_id).where(StaffProfile.is_chair_of_governors))


def _concern_hides(actor: User, target: User) -> bool:
    """Asked of the features that keep records about people (safeguarding): each gives, through
    the manifest, a check that `target` is named in something `actor` may not open."""
    return any(guard(actor, target) for guard in current_app.extensions["esafety.account_guards"])


def may_manage(actor: User, target: User, chair: int | None | bool = False) -> bool:
    """The grant table allows it, and no concern the actor may not open names the target."""
    chair = chair_id() if chair is False else chair
    if target.is_pupil or not grants.may_manage(actor, target, chair):
        return False
    return not _concern_hides(actor, target)


def check_may_manage(actor: User, target: User) -> None:
    if not may_manage(actor, target):
        audit.record("auth.account_change_refused", actor=actor, target=target)
        raise NotAllowed(NOT_YOURS)


def _tell_owner(target: User, subject: str, text: str) -> None:
    school = current_app.config["SCHOOL_NAME"]
    mail.queue(
        target.email,
        f"{subject} ({school} e-safety)",
        f"Hello {target.first_name},\n\n{text}\n\nIf you did not expect this, please tell the "
        "headteacher or the chair of governors today.\n",
    )


def _describe(kind: AccountChangeKind) -> str:
    return "a new email address" if kind is AccountChangeKind.EMAIL else "disabling it"


def _apply(actor: User, target: User, kind: AccountChangeKind, new_email: str | None) -> None:
    if kind is AccountChangeKind.EMAIL:
        services.change_email(actor, target, new_email or "")
    else:
        services.disable_account(actor, target)
        _tell_owner(
            target,
            "Your account has been disabled",
            "Your e-safety account has been disabled and signed out everywhere.",
        )


def request_change(
    actor: User, target: User, kind: AccountChangeKind, new_email: str | None = None
) -> AccountChange | None:
    """Make the change now, or, for a leader's or safeguarding lead's account, record it to
    wait for a second person (the chair's own request needs nobody else). The owner is told."""
    chair = chair_id()
    check_may_manage(actor, target)
    if kind is AccountChangeKind.DISABLE and actor.id == target.id:
        raise NotAllowed("You cannot disable your own account.")
    if kind is AccountChangeKind.EMAIL:
        new_email = (new_email or "").strip().lower()
        if not new_email:
            raise DomainError("Enter the new email address.", "email")
        if new_email == (target.email or ""):
            return None
        other = services.find_by_email(new_email)
        if other is not None and other.id != target.id:
            raise DomainError("Someone else already has an account with this email.", "email")
    if not grants.is_sensitive(target, chair) or actor.id == chair:
        _apply(actor, target, kind, new_email)
        return None
    change = AccountChange(
        user_id=target.id, kind=kind, new_email=new_email, requested_by_id=actor.id
    )
    db.session.add(change)
    db.session.flush()
    audit.record("auth.account_change_requested", actor=actor, target=target, kind=kind.value)
    _tell_owner(
        target,
        "A change to your account has been asked for",
        f"{actor.full_name} has asked for a change to your e-safety account "
        f"({_describe(kind)}). It will only happen once a second person agrees.",
    )
    return change


def may_decide(actor: User, change: AccountChange, chair: int | None | bool = False) -> bool:
    """A second person: neither who asked nor whose account it is, and allowed to manage it
    (or the chair of governors)."""
    chair = chair_id() if chair is False else chair
    if actor.id in (change.requested_by_id, change.user_id):
        return False
    if actor.id == chair:
        return not _concern_hides(actor, change.user)
    return may_manage(actor, change.user, chair)


def changes_to_decide(actor: User) -> list[AccountChange]:
    chair = chair_id()
    pending = db.session.scalars(
        select(AccountChange)
        .where(AccountChange.state == AccountChangeState.PENDING)
        .order_by(AccountChange.requested_at)
    )
    return [change for change in pending if may_decide(actor, change, chair)]


def _pending_for(actor: User, change_id: int) -> AccountChange:
    change = db.session.get(AccountChange, change_id)
    if (
        change is None
        or change.state is not AccountChangeState.PENDING
        or not may_decide(actor, change)
    ):
        raise NotFoundError("There is no such change waiting for you.")
    return change


def approve_change(actor: User, change_id: int) -> AccountChange:
    change = _pending_for(actor, change_id)
    change.state = AccountChangeState.APPROVED
    change.decided_by_id = actor.id
    change.decided_at = utcnow()
    _apply(actor, change.user, change.kind, change.new_email)
    audit.record(
        "auth.account_change_approved",
        actor=actor,
        target=change.user,
        kind=change.kind.value,
        requested_by=change.requested_by_id,
    )
    return change


def decline_change(actor: User, change_id: int) -> AccountChange:
    change = _pending_for(actor, change_id)
    change.state = AccountChangeState.DECLINED
    change.decided_by_id = actor.id
    change.decided_at = utcnow()
    audit.record(
        "auth.account_change_declined", actor=actor, target=change.user, kind=change.kind.value
    )
    return change


def enable(actor: User, target: User) -> None:
    check_may_manage(actor, target)
    services.enable_account(actor, target)


def check_may_grant(actor: User, roles: list | set, field: str = "roles") -> None:
    """Nobody gives a role the grant table does not let them give."""
    chair = chair_id()
    refused = [role for role in roles if not grants.may_grant(actor, role, chair)]
    if refused:
        names = ", ".join(role.label for role in refused)
        raise DomainError(
            f"You cannot give these roles: {names}. Ask the headteacher "
            "(or, for a headteacher, the chair of governors).",
            field,
        )
