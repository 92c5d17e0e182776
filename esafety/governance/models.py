"""Records the governors oversee: filtering and monitoring to the DfE standards (who is
responsible, the yearly review, filter checks, monitoring alerts, attempts to get round the
filter) and the register of the school's social media accounts."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..clock import utcnow
from ..extensions import Model, enum_type


class FilteringResponsibility(Model):
    """Who answers for filtering and monitoring: one row, changed as people change."""

    __tablename__ = "filtering_responsibility"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The member of the senior leadership team responsible (DfE standards).
    slt_lead_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: The governor who holds the school to account for it.
    governor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    filter_provider: Mapped[str] = mapped_column(String(120), default="")
    monitoring_provider: Mapped[str] = mapped_column(String(120), default="")
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    slt_lead: Mapped[User | None] = relationship(foreign_keys=[slt_lead_id], lazy="joined")
    governor: Mapped[User | None] = relationship(foreign_keys=[governor_id], lazy="joined")


class FilteringReview(Model):
    """The yearly review of filtering and monitoring, with the checklist confirmed."""

    __tablename__ = "filtering_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewed_on: Mapped[date] = mapped_column(index=True)
    #: JSON list of the checklist keys confirmed.
    checklist: Mapped[str] = mapped_column(Text, default="[]")
    #: What was found and what will change.
    notes: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    reviewed_by: Mapped[User] = relationship(lazy="joined")


class CheckResult(enum.StrEnum):
    BLOCKED_AS_EXPECTED = "blocked"
    NOT_BLOCKED = "not_blocked"

    @property
    def label(self) -> str:
        return {
            CheckResult.BLOCKED_AS_EXPECTED: "Blocked, as it should be",
            CheckResult.NOT_BLOCKED: "Not blocked: needs fixing",
        }[self]


class FilterCheck(Model):
    """One check that the filter works: what was tried, where, and what happened."""

    __tablename__ = "filter_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_on: Mapped[date] = mapped_column(index=True)
    #: Which device or network (e.g. "Year 5 laptops, pupil Wi-Fi").
    where: Mapped[str] = mapped_column(String(200))
    #: What was tried (e.g. "a test page of each blocked category").
    what: Mapped[str] = mapped_column(Text)
    result: Mapped[CheckResult] = mapped_column(enum_type(CheckResult))
    #: What was done about a failed check.
    action: Mapped[str] = mapped_column(Text, default="")
    checked_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    checked_by: Mapped[User] = relationship(lazy="joined")


class AlertStatus(enum.StrEnum):
    NEW = "new"
    DISMISSED = "dismissed"
    CONCERN = "concern"

    @property
    def label(self) -> str:
        return {
            AlertStatus.NEW: "To look at",
            AlertStatus.DISMISSED: "Dismissed",
            AlertStatus.CONCERN: "Turned into a concern",
        }[self]


class MonitoringAlert(Model):
    """An alert from the monitoring provider: looked at, then dismissed with a reason or
    turned into a safeguarding concern."""

    __tablename__ = "monitoring_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The provider's own reference, so importing the same export twice adds nothing.
    reference: Mapped[str] = mapped_column(String(80), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    #: The account or device name the provider reports (as the provider wrote it).
    account: Mapped[str] = mapped_column(String(120), default="")
    device: Mapped[str] = mapped_column(String(120), default="")
    category: Mapped[str] = mapped_column(String(120))
    #: What the provider captured (words typed, site visited); safeguarding data.
    detail: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[AlertStatus] = mapped_column(
        enum_type(AlertStatus), default=AlertStatus.NEW, index=True
    )
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    #: Why it needed nothing more (a false match, already known...).
    dismiss_reason: Mapped[str] = mapped_column(Text, default="")
    #: The concern it became.
    concern_id: Mapped[int | None] = mapped_column(ForeignKey("concern.id", ondelete="SET NULL"))

    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Circumvention(Model):
    """An attempt to get round the school's filter, and its sanction: no school computing
    equipment, other than with close supervision, until the end date."""

    __tablename__ = "circumvention"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Who tried (a pupil's or an adult's account).
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    occurred_on: Mapped[date]
    #: What they did (a proxy site, a VPN app, someone else's login...).
    what: Mapped[str] = mapped_column(Text)
    sanction: Mapped[str] = mapped_column(Text)
    #: The last day of the ban.
    ends_on: Mapped[date] = mapped_column(index=True)
    #: Whether they may use equipment under close supervision meanwhile.
    supervised_use: Mapped[bool] = mapped_column(default=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])

    def in_force(self, day: date) -> bool:
        return day <= self.ends_on


class SocialMediaAccount(Model):
    """One of the school's social media accounts: who is responsible and who can get in. The
    password itself is kept in the office, never here."""

    __tablename__ = "social_media_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(60))
    handle: Mapped[str] = mapped_column(String(120))
    responsible_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    #: Names of the approved staff who hold access (the policy's "selection of approved staff").
    access_holders: Mapped[str] = mapped_column(Text, default="")
    password_changed_on: Mapped[date | None]
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    responsible: Mapped[User] = relationship(foreign_keys=[responsible_id], lazy="joined")

    __table_args__ = (UniqueConstraint("platform", "handle"),)
