"""Signing in and managing accounts: the rules, without HTTP."""

from __future__ import annotations

import secrets

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import audit, mail
from ..clock import utcnow
from ..errors import DomainError, NotFoundError
from ..extensions import db
from .models import User, UserRole
from .passwords import hash_secret, needs_rehash, verify_secret
from .pictures import PICTURES, SEQUENCE_LENGTH, encode_sequence
from .roles import Role
from .throttle import LoginThrottle

#: One answer for an unknown email and a wrong password, so neither reveals which accounts exist.
WRONG_DETAILS = "That email and password do not match an account. Please check and try again."


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


def authenticate(email: str, password: str, address: str) -> User:
    """Check an email and password, counting failures per account and per address."""
    key = f"email:{email.strip().lower()}"
    gate = throttle()
    if gate.address_blocked(address):
        audit.record("auth.login_refused", reason="address_rate_limited")
        raise LoginRefused("Too many attempts from this device. Please wait ten minutes.")
    locked_for = gate.account_locked_for(key)
    if locked_for:
        audit.record("auth.login_refused", reason="account_locked")
        raise AccountLocked(
            f"This account is locked after several wrong tries. "
            f"Try again in {max(1, locked_for // 60)} minutes, or ask the school office."
        )
    user = find_by_email(email)
    ok = verify_secret(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        locked_now = gate.record_failure(key, address)
        audit.record(
            "auth.login_failed",
            actor=user.id if user else None,
            target_type="user",
            target_id=user.id if user else None,
            locked=locked_now,
        )
        raise LoginRefused(WRONG_DETAILS)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_secret(password)
    gate.record_success(key)
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, target=user)
    return user


def pupil_account_key(user_id: int) -> str:
    return f"pupil:{user_id}"


def authenticate_pupil(user: User, sequence: list[str], address: str) -> User:
    """Check a pupil's three pictures; five wrong tries lock them out and tell their teacher."""
    gate = throttle()
    key = pupil_account_key(user.id)
    if gate.address_blocked(address):
        raise LoginRefused("Too many tries on this computer. Ask your teacher for help.")
    if gate.account_locked_for(key):
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
    if needs_rehash(user.picture_hash):
        user.picture_hash = hash_secret(secret)
    gate.record_success(key)
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, target=user, method="pictures")
    return user


def random_picture_sequence() -> list[str]:
    names = list(PICTURES)
    return [secrets.choice(names) for _ in range(SEQUENCE_LENGTH)]


def set_picture_password(
    actor: User, pupil_user: User, sequence: list[str] | None = None
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
    if len(new_password) < 12:
        raise DomainError("Use at least 12 characters: three random words work well.", "password")
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


def end_session(user: User) -> None:
    """Logging out invalidates the session token, so a copied cookie stops working too."""
    user.rotate_session_token()
    audit.record("auth.logout", actor=user, target=user)


def load_session_user(session_id: str) -> User | None:
    """Every signed-in request starts here: the account and its roles in one statement."""
    try:
        user_id, token = session_id.split(":", 1)
        user = db.session.get(User, int(user_id), options=[joinedload(User.roles)])
    except (ValueError, TypeError):
        return None
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


PASSWORD_LINK_SALT = "esafety.set-password"  # noqa: S105 - a namespace, not a secret
#: A link to set a password works for three days: long enough for a parent to find the email.
PASSWORD_LINK_MAX_AGE = 3 * 24 * 3600


def _password_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PASSWORD_LINK_SALT)


def password_link_token(user: User) -> str:
    """A signed token naming the account and its session token: setting a password spends it."""
    return _password_serializer().dumps([user.id, user.session_token])


def user_for_password_token(token: str) -> User:
    try:
        user_id, session_token = _password_serializer().loads(token, max_age=PASSWORD_LINK_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        raise DomainError(
            "This link has expired or has already been used. Ask for a new one below."
        ) from None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_token != session_token:
        raise DomainError(
            "This link has expired or has already been used. Ask for a new one below."
        )
    return user


def send_password_link(user: User, *, invitation: bool) -> None:
    """Email a link to set a password: an invitation for new accounts, a reset otherwise."""
    link = url_for("auth.set_password", token=password_link_token(user), _external=True)
    school = current_app.config["SCHOOL_NAME"]
    if invitation:
        subject = f"Your {school} e-safety account"
        opening = f"An account has been made for you on {school}'s e-safety site."
    else:
        subject = f"Set a new password for {school} e-safety"
        opening = "Someone (we hope you) asked to set a new password for your account."
    mail.send(
        user.email,
        subject,
        f"Hello {user.first_name},\n\n{opening}\n\nChoose your password here (the link works "
        f"for three days and only once):\n{link}\n\n"
        "If you did not expect this email, you can ignore it.\n",
    )
    audit.record("auth.password_link_sent", actor=None, target=user, invitation=invitation)


def request_password_reset(email: str) -> None:
    """Send a reset link if the account exists; the page says the same either way."""
    user = find_by_email(email)
    if user is not None and user.active and user.email:
        send_password_link(user, invitation=False)


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError("No such account.")
    return user
