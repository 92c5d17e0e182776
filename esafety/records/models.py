"""Legal holds: a person or a concern whose records must not be deleted, whatever their age."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..extensions import Model


class LegalHold(Model):
    __tablename__ = "legal_hold"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A person under hold: every record about them is kept.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    #: One safeguarding concern under hold (no foreign key: records do not import features).
    concern_id: Mapped[int | None] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the hold ends; the row stays as the record of it.
    lifted_at: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    label: Mapped[str] = mapped_column(String(120), default="")
