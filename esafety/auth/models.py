"""Accounts: everyone who signs in, and the roles they hold."""

from __future__ import annotations

import enum
import functools
import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..clock import utcnow
from ..extensions import Model, enum_type
from .roles import STAFF_ROLES, Role


def _new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Staff, parents and governors sign in with it; pupils have none (store the minimum).
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    #: argon2id hash; null for pupils, who use pictures.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: argon2id hash of the pupil's picture sequence ("cat,star,boat").
    picture_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    #: Part of the session cookie: changing it ends every session of this account.
    session_token: Mapped[str] = mapped_column(String(40), default=_new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: Base32 TOTP secret for the second sign-in step; set when enrolment starts.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: When the person confirmed their authenticator app: from then on a code is asked for.
    totp_enabled_at: Mapped[datetime | None]
    #: The last 30-second step a code was accepted for, so a code works only once.
    totp_last_step: Mapped[int | None]

    #: The roles held, their values joined by commas: a copy of `roles` written at every flush
    #: that changes them, so an account and its roles are one row (and one statement).
    role_codes: Mapped[str] = mapped_column(String(400), default="", server_default="")

    #: Loaded only where a page changes or lists roles; reading them goes through `role_set`.
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="select"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def role_set(self) -> frozenset[Role]:
        held = self.__dict__.get("roles")
        if held is not None:  # changed (or read) in this transaction: the rows are the truth
            return frozenset(Role(r.role) for r in held)
        return roles_from_codes(self.role_codes or "")

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_pupil(self) -> bool:
        return Role.PUPIL in self.role_set

    @property
    def is_staff(self) -> bool:
        return bool(self.role_set & STAFF_ROLES)

    @property
    def is_active(self) -> bool:
        return self.active

    #: Which signed-in device this loaded account belongs to (set at sign-in or when loaded).
    if TYPE_CHECKING:
        device_key: str | None
    device_key = None

    def get_id(self) -> str:
        """The session cookie names the account, its token and the device's own session."""
        return f"{self.id}:{self.session_token}:{self.device_key or ''}"

    def rotate_session_token(self) -> None:
        """End every session this account has open, on every device."""
        self.session_token = _new_session_token()


def role_codes_of(roles: Iterable[Role | str]) -> str:
    """The text kept in `User.role_codes` for these roles."""
    return ",".join(sorted({Role(r).value for r in roles}))


@functools.lru_cache(maxsize=512)
def roles_from_codes(codes: str) -> frozenset[Role]:
    return frozenset(Role(code) for code in codes.split(",") if code)


@event.listens_for(Session, "before_flush")
def _keep_role_codes(session: Session, flush_context, instances) -> None:
    """Whoever grants or takes away a role through `User.roles`, the copy on the row follows,
    and every session of an existing account ends: a page already open was shown for the old
    roles, and the person signs in again to what they now hold."""
    for item in (*session.new, *session.dirty):
        if isinstance(item, User) and "roles" in item.__dict__:
            codes = role_codes_of(r.role for r in item.roles)
            if item.__dict__.get("role_codes") != codes:
                item.role_codes = codes
                if item not in session.new:
                    item.rotate_session_token()


class UserRole(Model):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role), primary_key=True)
    user: Mapped[User] = relationship(back_populates="roles")


class RecoveryCode(Model):
    """A one-time code for signing in without the authenticator app (stored as a hash)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


def token_digest(token: str) -> str:
    """Only a digest of a session key or link token is stored: a copy of the database opens
    no session and sets no password."""
    return hashlib.sha256(token.encode()).hexdigest()


class UserSession(Model):
    """One signed-in device: listed on the account page, where each can be ended."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the random key kept in the device's signed cookie.
    key_digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: The account's session token when it started: a later rotation ends this session too.
    account_token: Mapped[str] = mapped_column(String(40))
    #: The browser's own description, shortened, so a person can tell their devices apart.
    device: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class PasswordLink(Model):
    """A random, single-use token emailed to set a password (invitations and resets)."""

    __tablename__ = "password_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AccountChangeKind(enum.StrEnum):
    EMAIL = "email"
    DISABLE = "disable"


class AccountChangeState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class AccountChange(Model):
    """A change to a leader's or safeguarding lead's account waiting for a second person."""

    __tablename__ = "account_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AccountChangeKind] = mapped_column(enum_type(AccountChangeKind))
    #: The address asked for, on an email change.
    new_email: Mapped[str | None] = mapped_column(String(254))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[AccountChangeState] = mapped_column(
        enum_type(AccountChangeState), default=AccountChangeState.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
