"""Prejudice-based bullying: a bullying concern can be recorded by the prejudice behind it, so
the governors can see whether the school's policy treats every group fairly."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from sqlalchemy import ForeignKey, select
from sqlalchemy.orm import Mapped, mapped_column

from .. import audit
from ..auth.models import User
from ..errors import DomainError
from ..extensions import Model, db, enum_type
from .models import Concern, ConcernKind


class PrejudiceKind(enum.StrEnum):
    """The one list of kinds; the equality check and the governors' figures use it."""

    RACIST = "racist"
    RELIGIOUS = "religious"
    SEXIST = "sexist"
    HOMOPHOBIC_BIPHOBIC = "homophobic_biphobic"
    TRANSPHOBIC = "transphobic"
    DISABILITY = "disability"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            PrejudiceKind.RACIST: "Racist (ethnicity, national origin or culture)",
            PrejudiceKind.RELIGIOUS: "Religion or belief",
            PrejudiceKind.SEXIST: "Sexist or sexual",
            PrejudiceKind.HOMOPHOBIC_BIPHOBIC: "Homophobic or biphobic",
            PrejudiceKind.TRANSPHOBIC: "Transphobic",
            PrejudiceKind.DISABILITY: "Disability or special educational needs",
            PrejudiceKind.OTHER: "Another prejudice (appearance, family, young carers...)",
        }[self]


class ConcernPrejudice(Model):
    """One prejudice recorded against one bullying concern."""

    __tablename__ = "concern_prejudice"

    concern_id: Mapped[int] = mapped_column(
        ForeignKey("concern.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[PrejudiceKind] = mapped_column(enum_type(PrejudiceKind), primary_key=True)


def prejudice_of(concern: Concern) -> set[PrejudiceKind]:
    return set(
        db.session.scalars(
            select(ConcernPrejudice.kind).where(ConcernPrejudice.concern_id == concern.id)
        )
    )


def record_prejudice(actor: User, concern: Concern, kinds: Iterable[PrejudiceKind]) -> None:
    """The concern's handler records which prejudices lay behind a bullying concern."""
    from .services import open_concern

    open_concern(actor, concern.id, "prejudice")
    if concern.kind is not ConcernKind.CYBER_BULLYING:
        raise DomainError("Prejudice is recorded on bullying concerns only.", "kinds")
    wanted = set(kinds)
    held = {
        row.kind: row
        for row in db.session.scalars(
            select(ConcernPrejudice).where(ConcernPrejudice.concern_id == concern.id)
        )
    }
    for kind, row in held.items():
        if kind not in wanted:
            db.session.delete(row)
    for kind in wanted - set(held):
        db.session.add(ConcernPrejudice(concern_id=concern.id, kind=kind))
    db.session.flush()
    audit.record(
        "safeguarding.prejudice_recorded",
        actor=actor,
        target=concern,
        kinds=sorted(k.value for k in wanted),
    )
