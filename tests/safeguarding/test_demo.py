"""The demo seed: concerns in several states and kinds, a waiting block request, blocked sites."""

from __future__ import annotations

from sqlalchemy import func, select

from esafety.extensions import db
from esafety.safeguarding import demo, register
from esafety.safeguarding.models import (
    BlockedSite,
    BlockStatus,
    Concern,
    ConcernAction,
    ConcernStatus,
    Evidence,
)
from esafety.school import demo as school_demo


def _counts() -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(select(func.count(model.id)))
        for model in (Concern, ConcernAction, Evidence, BlockedSite)
    )


def test_the_demo_seeds_once_and_running_it_again_changes_nothing(app):
    school = school_demo.build()
    demo.seed(school)
    db.session.commit()
    statuses = set(db.session.scalars(select(Concern.status)))
    assert statuses == set(ConcernStatus)
    kinds = set(db.session.scalars(select(Concern.kind)))
    assert len(kinds) >= 4
    assert (
        db.session.scalar(
            select(func.count(BlockedSite.id)).where(BlockedSite.status == BlockStatus.PENDING)
        )
        == 1
    )
    assert "facebook.com" in register.blocked_domains()
    assert "shock-clips.example" in register.blocked_domains()
    assert db.session.scalar(select(func.count(Evidence.id))) == 1
    before = _counts()
    demo.seed(school_demo.build())
    db.session.commit()
    assert _counts() == before
