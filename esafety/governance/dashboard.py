"""The governors' dashboard and their annual report: one page, from the same figures.

The governing body is responsible for the policy in practice. Every figure here comes from the
feature that owns it, through its public functions, and the number of SQL statements does not
grow with the school: each source counts in the database or fetches each kind of record once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..auth.models import User
from ..clock import today
from ..errors import NotFoundError
from ..induction import compliance, ratification, reviews
from ..induction.models import PolicyVersion, VersionState
from ..induction.ratification import Ratification
from ..lessons.catalogue import Strand
from ..lessons.reports import SchoolCoverage, school_coverage
from ..meetings import figures
from ..safeguarding.statistics import ConcernFigures, concern_figures, shown
from ..school import services as school
from ..school.models import YearGroup
from . import filtering


@dataclass
class PolicyRow:
    review: reviews.ReviewState
    current: PolicyVersion | None
    ratification: Ratification | None
    draft: PolicyVersion | None
    draft_ratification: Ratification | None


@dataclass
class Dashboard:
    as_of: date
    year_name: str
    year_starts_on: date
    policies: list[PolicyRow]
    compliance: compliance.Dashboard
    coverage: SchoolCoverage
    concerns: ConcernFigures
    filtering: filtering.FilteringStatus
    consent: list[school.ConsentReturns]
    evenings: list[figures.MeetingSummary]
    year_groups: list[YearGroup]
    strands: list[Strand]

    @property
    def awaiting_approval(self) -> list[PolicyRow]:
        return [row for row in self.policies if row.draft_ratification is not None]

    @property
    def consent_total(self) -> tuple[int, int]:
        return sum(c.answered for c in self.consent), sum(c.pupils for c in self.consent)

    @staticmethod
    def shown(count: int) -> str:
        return shown(count)


def _policy_rows(day: date) -> list[PolicyRow]:
    """Each policy with its review, the version in force and any draft waiting for approval."""
    from sqlalchemy import select

    from ..extensions import db

    states = reviews.review_states(day)
    versions = list(
        db.session.scalars(
            select(PolicyVersion).where(
                PolicyVersion.state.in_([VersionState.PUBLISHED, VersionState.DRAFT])
            )
        )
    )
    ratified = ratification.ratifications(versions)
    current = {v.policy_id: v for v in versions if v.state == VersionState.PUBLISHED}
    drafts = {v.policy_id: v for v in versions if v.state == VersionState.DRAFT}
    rows = []
    for policy_id, state in states.items():
        version, draft = current.get(policy_id), drafts.get(policy_id)
        rows.append(
            PolicyRow(
                review=state,
                current=version,
                ratification=ratified[version.id] if version else None,
                draft=draft,
                draft_ratification=(
                    ratified[draft.id]
                    if draft is not None and ratification.needs_ratification(draft)
                    else None
                ),
            )
        )
    return rows


def dashboard(viewer: User, day: date | None = None) -> Dashboard:
    """Everything the governors oversee, as it stands today."""
    day = day or today()
    try:
        year = school.current_academic_year()
    except NotFoundError:  # a school not yet set up still has policies to oversee
        year = None
    year_name, year_start, _ = school.academic_year_for(day)
    if year is not None:
        year_name, year_start = year.name, year.starts_on
    return Dashboard(
        as_of=day,
        year_name=year_name,
        year_starts_on=year_start,
        policies=_policy_rows(day),
        compliance=compliance.dashboard(day),
        coverage=school_coverage(),
        concerns=concern_figures(year_start),
        filtering=filtering.status(day),
        consent=school.consent_returns(year) if year is not None else [],
        evenings=[s for s in figures.summaries(viewer) if s.meeting.starts_at.date() >= year_start],
        year_groups=list(YearGroup),
        strands=list(Strand),
    )
