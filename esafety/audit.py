"""One append-only log of who did what to which record, used by every feature."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .clock import utcnow
from .extensions import AppendOnly, Model, db


class AuditEntry(AppendOnly, Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Null for anonymous events such as a failed login.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    #: Dotted verb, e.g. "auth.login", "sandbox.post.approved".
    action: Mapped[str] = mapped_column(String(80), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(index=True)
    #: Ids and short facts only: never the text of a child's post or a concern.
    detail: Mapped[str] = mapped_column(Text, default="{}")
    ip: Mapped[str | None] = mapped_column(String(45))

    actor = relationship("User", lazy="joined")

    @property
    def details(self) -> dict[str, Any]:
        return json.loads(self.detail or "{}")


def record(
    action: str,
    *,
    actor: Any = None,
    target: Any = None,
    target_type: str | None = None,
    target_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    """Append one entry; the caller's transaction commits it with the change it describes."""
    if target is not None:
        target_type = target_type or type(target).__tablename__
        target_id = target_id if target_id is not None else target.id
    actor_id = getattr(actor, "id", actor)
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=json.dumps(detail, default=str, sort_keys=True),
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def recent(limit: int = 200, action_prefix: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action_prefix:
        query = query.where(AuditEntry.action.startswith(action_prefix))
    return list(db.session.scalars(query))
