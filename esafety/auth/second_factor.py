"""The second sign-in step: a code from an authenticator app (TOTP, RFC 6238) or a one-time
recovery code. Required for the people who hold the most sensitive records (the safeguarding
team, leaders, the office and the chair of governors); other staff may choose it; pupils and
parents are never asked."""

from __future__ import annotations

import secrets
import time

import pyotp
import segno
from sqlalchemy import select

from .. import audit
from ..clock import utcnow
from ..errors import DomainError
from ..extensions import db
from .models import RecoveryCode, User
from .passwords import hash_secret, verify_secret
from .roles import Role

#: Roles that must use a second factor.
REQUIRED_ROLES = (
    Role.DSL,
    Role.DEPUTY_DSL,
    Role.HEADTEACHER,
    Role.SLT,
    Role.OFFICE_ADMIN,
)
RECOVERY_CODES = 10
ISSUER = "esafety"


def is_chair(user: User) -> bool:
    from ..school.models import StaffProfile

    profile = db.session.get(StaffProfile, user.id)
    return bool(profile and profile.is_chair_of_governors)


def required_for(user: User) -> bool:
    return user.has_role(*REQUIRED_ROLES) or is_chair(user)


def may_choose(user: User) -> bool:
    """Staff and governors may turn it on; pupils and parents are never asked."""
    return user.is_staff or user.has_role(Role.GOVERNOR)


def enabled(user: User) -> bool:
    return user.totp_enabled_at is not None


def asked_at_sign_in(user: User) -> bool:
    return enabled(user) or required_for(user)


def start_enrolment(user: User, school_name: str) -> tuple[str, str]:
    """A fresh secret (kept until confirmed) and its QR code as an SVG data URI."""
    if enabled(user):
        raise DomainError("The authenticator app is already set up.")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        db.session.flush()
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(
        name=user.email or user.full_name, issuer_name=f"{ISSUER} ({school_name})"
    )
    return user.totp_secret, segno.make(uri, error="m").svg_data_uri(scale=5)


def _accept_totp(user: User, code: str) -> bool:
    totp = pyotp.TOTP(user.totp_secret or "")
    now = int(time.time())
    for offset in (0, -1, 1):
        step = now // 30 + offset
        if secrets.compare_digest(totp.at(step * 30), code) and step > (user.totp_last_step or 0):
            user.totp_last_step = step
            return True
    return False


def _digits(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace())


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Check a first code from the app, turn the second step on and make recovery codes
    (shown once; only their hashes are kept)."""
    if enabled(user) or not user.totp_secret:
        raise DomainError("Start again: the set-up has expired.", "code")
    if not _accept_totp(user, _digits(code)):
        raise DomainError(
            "That code did not match. Check the clock on your phone and try the newest code.",
            "code",
        )
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    audit.record("auth.second_factor_enrolled", actor=user, target=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    for old in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.session.delete(old)
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_secret(code)))
    db.session.flush()
    return codes


def check_code(user: User, code: str, address: str = "") -> str:
    """Accept an app code or an unused recovery code (used up). Returns which it was.
    Wrong codes count towards the same lock-out as wrong passwords."""
    from .services import throttle

    typed = _digits(code).lower()
    if not enabled(user):
        raise DomainError("Set up your authenticator app first.", "code")
    gate = throttle()
    key = f"second-factor:{user.id}"
    if gate.locked_for(key, address):
        raise DomainError("Too many wrong codes. Please wait ten minutes.", "code")
    if typed.isdigit() and len(typed) == 6 and _accept_totp(user, typed):
        gate.record_success(key, address)
        audit.record("auth.second_factor_passed", actor=user, target=user)
        return "app"
    if len(typed) == 13 and typed[6] == "-":
        for row in db.session.scalars(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ):
            if verify_secret(row.code_hash, typed):
                row.used_at = utcnow()
                gate.record_success(key, address)
                audit.record("auth.recovery_code_used", actor=user, target=user)
                return "recovery"
    gate.record_failure(key, address)
    audit.record("auth.second_factor_failed", actor=user, target=user)
    raise DomainError("That code did not work. Try the newest code from your app.", "code")


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
