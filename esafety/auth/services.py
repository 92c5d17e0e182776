"""Signing in and managing accounts: the rules, without HTTP."""

from __future__ import annotations

import functools
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import Row, Select, bindparam, func, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from .. import audit, mail
from ..clock import utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from .models import PasswordLink, User, UserRole, UserSession, token_digest
from .passwords import hash_secret, needs_rehash, password_problem, verify_secret
from .pictures import PICTURES, SEQUENCE_LENGTH, encode_sequence
from .roles import SAFEGUARDING_ROLES, Role
from .throttle import LoginThrottle

#: One answer for an unknown email and a wrong password, so neither reveals which accounts exist.
WRONG_DETAILS = "That email and password do not match an account. Please check and try again."


#: A device's "last seen" is written at most this often, not on every request.
SEEN_GRANULARITY = timedelta(minutes=1)


class LoginRefused(DomainError):
    pass


class AccountLocked(DomainError):
    pass


def throttle() -> LoginThrottle:
    return current_app.extensions["esafety_throttle"]


def create_user(
    first_name: str,
    last_name: str,
    roles: list[Role] | set[Role],
    email: str | None = None,
    password: str | None = None,
) -> User:
    user = User(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip().lower() if email else None,
        password_hash=hash_secret(password) if password else None,
    )
    user.roles = [UserRole(role=Role(r)) for r in roles]
    db.session.add(user)
    db.session.flush()
    return user


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _locked_message(seconds: int) -> str:
    return (
        "This account is locked after several wrong tries. "
        f"Try again in {max(1, -(-seconds // 60))} minutes, or ask the school office."
    )


def authenticate(email: str, password: str, address: str) -> User:
    """Check an email and password; wrong tries lock the account from this address, then
    everywhere, but an address alone never stops the right password (see throttle.py)."""
    key = f"email:{email.strip().lower()}"
    gate = throttle()
    locked_for = gate.locked_for(key, address)
    if locked_for:
        audit.record("auth.login_refused", reason="account_locked")
        raise AccountLocked(_locked_message(locked_for))
    user = find_by_email(email)
    ok = verify_secret(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        busy = gate.address_busy(address)
        locked_now = gate.record_failure(key, address)
        audit.record(
            "auth.login_failed",
            actor=user.id if user else None,
            target_type="user",
            target_id=user.id if user else None,
            locked=locked_now,
            busy_address=busy,
        )
        raise LoginRefused(WRONG_DETAILS)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_secret(password)
    gate.record_success(key, address)
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, target=user)
    return user


def pupil_account_key(user_id: int) -> str:
    return f"pupil:{user_id}"


def authenticate_pupil(user: User, sequence: list[str], address: str) -> User:
    """Check a pupil's three pictures; five wrong tries lock them out and tell their teacher."""
    gate = throttle()
    key = pupil_account_key(user.id)
    if gate.locked_for(key, address):
        raise AccountLocked(
            "Your pictures are locked for a few minutes. Your teacher can help you."
        )
    try:
        secret = encode_sequence(sequence)
    except ValueError:
        secret = ""
    if not secret or not user.active or not verify_secret(user.picture_hash, secret):
        locked_now = gate.record_failure(key, address)
        audit.record("auth.login_failed", actor=user, target=user, locked=locked_now)
        if locked_now:
            # The teacher's class page lists recent lockouts from this entry.
            audit.record("auth.pupil_locked_out", actor=None, target=user)
            raise AccountLocked(
                "Those pictures were not right five times, so your login is resting for a few "
                "minutes. Your teacher has been told and can help you."
            )
        raise LoginRefused("Those pictures are not quite right. Have another go!")
    if user.picture_hash and needs_rehash(user.picture_hash):
        user.picture_hash = hash_secret(secret)
    gate.record_success(key, address)
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, target=user, method="pictures")
    return user


def random_picture_sequence() -> list[str]:
    names = list(PICTURES)
    return [secrets.choice(names) for _ in range(SEQUENCE_LENGTH)]


def set_picture_password(
    actor: User | None, pupil_user: User, sequence: list[str] | None = None
) -> list[str]:
    """Give a pupil a new picture password (teachers do this; pupils cannot)."""
    sequence = sequence or random_picture_sequence()
    pupil_user.picture_hash = hash_secret(encode_sequence(sequence))
    throttle().unlock(pupil_account_key(pupil_user.id))
    pupil_user.rotate_session_token()
    audit.record("auth.picture_password_reset", actor=actor, target=pupil_user)
    return sequence


def unlock_pupil(actor: User, pupil_user: User) -> None:
    """Let a locked-out pupil try again with the pictures they already know."""
    throttle().unlock(pupil_account_key(pupil_user.id))
    audit.record("auth.pupil_unlocked", actor=actor, target=pupil_user)


def set_password(actor: User, user: User, new_password: str) -> None:
    """A new password ends every session of the account (the view signs this device in again)."""
    problem = password_problem(new_password, user, current_app.config["SCHOOL_NAME"])
    if problem:
        raise DomainError(problem, "password")
    user.password_hash = hash_secret(new_password)
    user.rotate_session_token()
    audit.record("auth.password_changed", actor=actor, target=user)


def disable_account(actor: User, user: User) -> None:
    """Disabling an account ends all its sessions at once."""
    user.active = False
    user.rotate_session_token()
    audit.record("auth.account_disabled", actor=actor, target=user)


def enable_account(actor: User, user: User) -> None:
    user.active = True
    audit.record("auth.account_enabled", actor=actor, target=user)


def change_email(actor: User, user: User, new_email: str) -> None:
    """Move an account to a new address: the old address is told, and every session ends."""
    new_email = new_email.strip().lower()
    if new_email == (user.email or ""):
        return
    other = find_by_email(new_email)
    if other is not None and other.id != user.id:
        raise DomainError("Someone else already has an account with this email.", "email")
    old_email = user.email
    user.email = new_email
    user.rotate_session_token()
    db.session.flush()
    school = current_app.config["SCHOOL_NAME"]
    mail.queue(
        old_email,
        f"The email address of your {school} e-safety account has changed",
        f"Hello {user.first_name},\n\nThe email address of your {school} e-safety account has "
        "been changed, and you have been signed out everywhere. From now on, sign-in emails go "
        "to the new address.\n\nIf you did not expect this, please tell the headteacher or "
        "the chair of governors today.\n",
    )
    audit.record("auth.email_changed", actor=actor, target=user)


# --- Signed-in devices -----------------------------------------------------------------------


def start_session(user: User, device: str = "") -> str:
    """Record a newly signed-in device; its random key goes into the signed session cookie."""
    key = secrets.token_urlsafe(24)
    now = utcnow()
    db.session.add(
        UserSession(
            user_id=user.id,
            key_digest=token_digest(key),
            account_token=user.session_token,
            device=(device or "")[:120],
            created_at=now,
            last_seen_at=now,
        )
    )
    db.session.flush()
    user.device_key = key
    return key


def idle_limit(user: User) -> timedelta:
    """Pupils share classroom computers; safeguarding roles read the most sensitive records."""
    config = current_app.config
    if user.is_pupil:
        minutes = config["SESSION_IDLE_MINUTES_PUPIL"]
    elif user.has_role(*SAFEGUARDING_ROLES):
        minutes = config["SESSION_IDLE_MINUTES_SAFEGUARDING"]
    else:
        minutes = config["SESSION_IDLE_MINUTES"]
    return timedelta(minutes=minutes)


def _session_over(user: User, device: UserSession | Row, now) -> bool:
    lifetime = timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])
    return (
        device.ended_at is not None
        or device.account_token != user.session_token
        or now - device.last_seen_at > idle_limit(user)
        or now - device.created_at > lifetime
    )


#: What a page asks of the signed-in person: the password and picture hashes and the second-step
#: secret are read only where signing in needs them (they load on first use there).
_ACCOUNT_FIELDS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "active",
    "session_token",
    "role_codes",
    "totp_enabled_at",
)


@functools.cache
def _session_statement() -> Select:
    """The account and its device session as one plain row, built (and its cache key made) once
    per process rather than at every signed-in request."""
    account, device = User.__table__.c, UserSession.__table__.c
    return (
        select(
            *(account[name] for name in _ACCOUNT_FIELDS),
            device.id.label("device_id"),
            device.account_token,
            device.created_at,
            device.last_seen_at,
            device.ended_at,
        )
        .join_from(User.__table__, UserSession.__table__, device.user_id == account.id)
        .where(account.id == bindparam("user_id"), device.key_digest == bindparam("digest"))
    )


def _account_of(row: Row) -> User:
    """The signed-in account as the session's own `User`, made from the row without the ORM's
    loading. One the session already holds is kept, with what it no longer has filled in from
    the row, as a query would."""
    held = db.session.identity_map.get(identity_key(User, row.id))
    if held is not None:
        for name in _ACCOUNT_FIELDS:
            if name not in held.__dict__:
                set_committed_value(held, name, getattr(row, name))
        return held
    user = User(**{name: getattr(row, name) for name in _ACCOUNT_FIELDS})
    make_transient_to_detached(user)  # as if loaded: nothing to write, the rest loads on use
    db.session.add(user)
    return user


def load_session_user(session_id: str) -> User | None:
    """The account of a session cookie, while its device session is current and not idle: the
    account, its roles (kept on its row) and the device session in one plain row, as every
    signed-in request starts here; the device's row is written only when its session ends or
    it was last seen over a minute ago."""
    try:
        user_id, token, key = session_id.split(":", 2)
        found = (
            db.session.connection()
            .execute(_session_statement(), {"user_id": int(user_id), "digest": token_digest(key)})
            .first()
        )
    except (ValueError, TypeError):
        return None
    if found is None or not found.active:
        return None
    if not secrets.compare_digest(found.session_token, token):
        return None
    user = _account_of(found)
    now = utcnow()
    if _session_over(user, found, now):
        if found.ended_at is None:
            _update_device(found.device_id, ended_at=now)
        return None
    if now - found.last_seen_at > SEEN_GRANULARITY:
        _update_device(found.device_id, last_seen_at=now)
    user.device_key = key
    return user


def _update_device(device_id: int, **values) -> None:
    db.session.execute(update(UserSession).where(UserSession.id == device_id).values(**values))


def signed_in_devices(user: User) -> list[UserSession]:
    """The account's current sessions, most recently used first."""
    now = utcnow()
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    )
    return [row for row in rows if not _session_over(user, row, now)]


def current_device(user: User) -> UserSession | None:
    if not user.device_key:
        return None
    return db.session.scalar(
        select(UserSession).where(UserSession.key_digest == token_digest(user.device_key))
    )


def end_device_session(actor: User, session_id: int) -> None:
    """End one signed-in device of one's own account."""
    device = db.session.get(UserSession, session_id)
    if device is None or device.user_id != actor.id or device.ended_at is not None:
        raise NotFoundError("That device is not signed in.")
    device.ended_at = utcnow()
    audit.record("auth.device_signed_out", actor=actor, target=actor)


def end_session(user: User) -> None:
    """Signing out ends this device's session; other devices stay signed in."""
    device = current_device(user)
    if device is not None:
        device.ended_at = utcnow()
    audit.record("auth.logout", actor=user, target=user)


# --- Set-password links ----------------------------------------------------------------------

#: A link to set a password works for three days: long enough for a parent to find the email.
PASSWORD_LINK_LIFETIME = timedelta(days=3)
LINK_SPENT = "This link has expired or has already been used. Ask for a new one below."


def new_password_link(user: User) -> str:
    """A random token, stored only as its digest: spent when a password is set with it."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        PasswordLink(
            user_id=user.id,
            token_digest=token_digest(token),
            created_at=now,
            expires_at=now + PASSWORD_LINK_LIFETIME,
        )
    )
    db.session.flush()
    return token


def password_link_for(token: str) -> PasswordLink:
    link = db.session.scalar(
        select(PasswordLink).where(PasswordLink.token_digest == token_digest(token))
    )
    if link is None or link.used_at is not None or link.expires_at < utcnow():
        raise DomainError(LINK_SPENT)
    user = db.session.get(User, link.user_id)
    if user is None or not user.active:
        raise DomainError(LINK_SPENT)
    return link


def user_for_password_token(token: str) -> User:
    return db.session.get_one(User, password_link_for(token).user_id)


def set_password_from_link(token: str, new_password: str) -> User:
    """Spend the link: it and every other unused link of the account stop working."""
    link = password_link_for(token)
    user = db.session.get_one(User, link.user_id)
    set_password(user, user, new_password)
    now = utcnow()
    for other in db.session.scalars(
        select(PasswordLink).where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
    ):
        other.used_at = now
    return user


def _password_message(first_name: str, token: str, *, invitation: bool) -> tuple[str, str]:
    link = mail.link("auth.set_password", token=token)
    school = current_app.config["SCHOOL_NAME"]
    if invitation:
        subject = f"Your {school} e-safety account"
        opening = f"An account has been made for you on {school}'s e-safety site."
    else:
        subject = f"Set a new password for {school} e-safety"
        opening = "Someone (we hope you) asked to set a new password for your account."
    body = (
        f"Hello {first_name},\n\n{opening}\n\nChoose your password here (the link works "
        f"for three days and only once):\n{link}\n\n"
        "If you did not expect this email, you can ignore it.\n"
    )
    return subject, body


def send_password_link(user: User, *, invitation: bool) -> None:
    """Email a link to set a password once the request commits: an invitation or a reset."""
    token = new_password_link(user)
    subject, body = _password_message(user.first_name, token, invitation=invitation)
    mail.queue(user.email, subject, body)
    audit.record("auth.password_link_sent", actor=None, target=user, invitation=invitation)


#: Reset emails per address asked for, and per device, in an hour.
RESETS_PER_EMAIL = 3
RESETS_PER_ADDRESS = 20
RESET_WINDOW = 3600


def request_password_reset(email: str, address: str) -> None:
    """Send a reset link if the account exists; the page says the same either way.

    The work is the same either way too (a lookup, a token, a message built), so the time the
    answer takes does not tell which addresses have accounts; the mail itself leaves after
    the request's commit. Too many requests are quietly dropped: the answer is unchanged.
    """
    gate = throttle()
    email = email.strip().lower()
    within_limits = gate.allow(f"reset-email:{email}", RESETS_PER_EMAIL, RESET_WINDOW)
    within_limits = gate.allow(f"reset-addr:{address}", RESETS_PER_ADDRESS, RESET_WINDOW) and (
        within_limits
    )
    user = find_by_email(email)
    real = user is not None and user.active and bool(user.email) and within_limits
    token = secrets.token_urlsafe(32)
    name = user.first_name if user is not None else "there"
    subject, body = _password_message(name, token, invitation=False)
    digest = token_digest(token)
    if real and user is not None:
        now = utcnow()
        db.session.add(
            PasswordLink(
                user_id=user.id,
                token_digest=digest,
                created_at=now,
                expires_at=now + PASSWORD_LINK_LIFETIME,
            )
        )
        mail.queue(user.email, subject, body)
        audit.record("auth.password_link_sent", actor=None, target=user, invitation=False)
    else:
        # Written either way, so both answers cost one insert; the address is not stored.
        audit.record("auth.password_reset_not_sent", actor=None, limited=not within_limits)


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError("No such account.")
    return user
