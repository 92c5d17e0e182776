"""Who an evening is for: all parents, or the families of chosen year groups."""

from __future__ import annotations

from sqlalchemy import or_, select

from ..auth.models import User
from ..extensions import db
from ..school.models import ParentLink, Pupil, SchoolClass, YearGroup
from .models import Audience, Meeting, MeetingYearGroup


def children_year_groups(parent: User) -> set[YearGroup]:
    """The year groups of a parent's children at school now."""
    rows = db.session.scalars(
        select(SchoolClass.year_group)
        .join(Pupil, Pupil.class_id == SchoolClass.id)
        .join(ParentLink, ParentLink.pupil_id == Pupil.id)
        .where(ParentLink.parent_id == parent.id, Pupil.left_on.is_(None))
        .distinct()
    )
    return set(rows)


def audience_clause(year_groups: set[YearGroup]):
    chosen = select(MeetingYearGroup.meeting_id).where(
        MeetingYearGroup.meeting_id == Meeting.id,
        MeetingYearGroup.year_group.in_(sorted(year_groups)),
    )
    if not year_groups:
        return Meeting.audience == Audience.ALL_PARENTS
    return or_(Meeting.audience == Audience.ALL_PARENTS, chosen.exists())


def is_meant_for(meeting: Meeting, year_groups: set[YearGroup]) -> bool:
    if meeting.audience is Audience.ALL_PARENTS:
        return True
    return bool(set(meeting.audience_year_groups) & year_groups)


def not_meant_message(meeting: Meeting) -> str:
    return (
        f"This evening is for {meeting.audience_label[0].lower()}{meeting.audience_label[1:]}, "
        "so it cannot be booked from your account. If you would like to come, please ask "
        "the school office."
    )


def encode_year_groups(year_groups: set[YearGroup]) -> str:
    return ",".join(str(int(g)) for g in sorted(year_groups))


def decode_year_groups(text: str) -> set[YearGroup]:
    return {YearGroup(int(part)) for part in text.split(",") if part.strip()}
