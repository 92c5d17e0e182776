"""The demo seed: concerns in several states and kinds, a waiting block request, blocked sites."""

from __future__ import annotations

from sqlalchemy import func, select

from esafety.auth.roles import Role
from esafety.clock import today
from esafety.extensions import db
from esafety.safeguarding import casefile, demo, register
from esafety.safeguarding.models import (
    BlockedSite,
    BlockStatus,
    CaseTask,
    Concern,
    ConcernAction,
    ConcernStatus,
    Evidence,
    Referral,
)
from esafety.school import demo as school_demo
from esafety.school.models import YearGroup


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
    # "Referred" is kept only for older records: a referral now leaves the case open.
    assert statuses == set(ConcernStatus) - {ConcernStatus.REFERRED}
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


def test_the_demo_school_has_a_safeguarding_team_and_a_childs_file(app):
    school = school_demo.build()
    demo.seed(school)
    db.session.commit()
    (dsl,) = school.staff_with(Role.DSL)
    assert not dsl.has_role(Role.ESAFETY_OFFICER)
    assert school.staff["deputy"].has_role(Role.DEPUTY_DSL)
    # A pupil with two linked concerns, both on their chronology.
    pupil = school.pupils[YearGroup.YEAR_5][0]
    _, concerns, entries = casefile.chronology_for_pupil(dsl, pupil.id)
    assert len(concerns) == 2 and {e.concern.id for e in entries} == {c.id for c in concerns}
    # An open referral and an overdue action.
    open_referrals = db.session.scalars(
        select(Referral).join(Concern).where(Concern.status == ConcernStatus.IN_PROGRESS)
    ).all()
    assert any(r.reference == "26/1184" for r in open_referrals)
    overdue = [t for t in db.session.scalars(select(CaseTask)) if t.overdue(today())]
    assert overdue
    # The pupil concerns went to the DSL, not the e-safety officer.
    assert all(c.handler_id == dsl.id for c in concerns)
