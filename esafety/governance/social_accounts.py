"""The register of the school's social media accounts: who is responsible, who holds access
and when the password last changed. The passwords themselves stay in the office, never here."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from .. import audit
from ..auth.models import User
from ..auth.roles import Role
from ..clock import today, utcnow
from ..errors import DomainError, NotAllowed, NotFoundError
from ..extensions import db
from .models import SocialMediaAccount

#: Who keeps the register: the head, the computing lead (responsible for the accounts) and the
#: office (where the passwords are kept).
KEEPERS = (Role.HEADTEACHER, Role.COMPUTING_LEAD, Role.OFFICE_ADMIN)
READERS = (*KEEPERS, Role.SLT, Role.ESAFETY_OFFICER, Role.GOVERNOR)
#: A password older than this is flagged for changing.
PASSWORD_MAX_AGE_DAYS = 365
_WORDS_THAT_LOOK_LIKE_A_SECRET = ("password", "passwd", "pwd:", "pin:")


def accounts() -> list[SocialMediaAccount]:
    return list(
        db.session.scalars(
            select(SocialMediaAccount).order_by(SocialMediaAccount.platform, SocialMediaAccount.id)
        )
    )


def password_overdue(account: SocialMediaAccount, day: date | None = None) -> bool:
    day = day or today()
    changed = account.password_changed_on
    return changed is None or changed + timedelta(days=PASSWORD_MAX_AGE_DAYS) < day


def save_account(
    actor: User,
    account_id: int | None,
    *,
    platform: str,
    handle: str,
    responsible_id: int | None,
    access_holders: str,
    password_changed_on: date | None,
) -> SocialMediaAccount:
    """Add or update an account on the register (never its password)."""
    if not actor.has_role(*KEEPERS):
        raise NotAllowed("The headteacher, the computing lead or the office keep this register.")
    platform = " ".join((platform or "").split())
    handle = " ".join((handle or "").split())
    if not platform:
        raise DomainError("Please name the platform.", "platform")
    if not handle:
        raise DomainError("Please give the account's name or handle.", "handle")
    if len(platform) > 60 or len(handle) > 120:
        raise DomainError("Please keep the platform and handle short.", "handle")
    responsible = db.session.get(User, responsible_id) if responsible_id else None
    if responsible is None or not responsible.active or not responsible.is_staff:
        raise DomainError("Please choose the member of staff responsible.", "responsible_id")
    holders = (access_holders or "").strip()
    if any(word in holders.lower() for word in _WORDS_THAT_LOOK_LIKE_A_SECRET):
        raise DomainError(
            "Only names go here: the password itself is kept in the office, never in this app.",
            "access_holders",
        )
    if password_changed_on and password_changed_on > today():
        raise DomainError("That date is in the future.", "password_changed_on")
    clash = db.session.scalar(
        select(SocialMediaAccount.id).where(
            func.lower(SocialMediaAccount.platform) == platform.lower(),
            func.lower(SocialMediaAccount.handle) == handle.lower(),
        )
    )
    if clash is not None and clash != account_id:
        raise DomainError("That account is already on the register.", "handle")
    account: SocialMediaAccount | None
    if account_id is None:
        account = SocialMediaAccount(updated_by_id=actor.id)
        db.session.add(account)
    else:
        account = db.session.get(SocialMediaAccount, account_id)
        if account is None:
            raise NotFoundError("We could not find that account.")
    account.platform = platform
    account.handle = handle
    account.responsible_id = responsible.id
    account.access_holders = holders[:2000]
    account.password_changed_on = password_changed_on
    account.updated_by_id = actor.id
    account.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "governance.social_account_saved",
        actor=actor,
        target=account,
        responsible_id=responsible.id,
        password_changed_on=password_changed_on.isoformat() if password_changed_on else None,
    )
    return account
