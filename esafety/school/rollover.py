"""The academic-year rollover: classes move up, Year 6 leave, last year's classes become archives.

Photo consent needs nothing done: it belongs to an academic year, so the new year starts empty
and the register shows who still needs asking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from .. import audit
from ..auth.models import User
from ..clock import today
from ..errors import DomainError
from ..extensions import db
from .models import AcademicYear, ClassTeacher, Pupil, SchoolClass, YearGroup
from .services import academic_year_for, current_academic_year, new_login_code


@dataclass
class ClassMove:
    name: str
    from_year_group: YearGroup
    #: None when the class is Year 6 and its pupils leave.
    to_year_group: YearGroup | None
    pupils: int


@dataclass
class RolloverPlan:
    from_year: str
    to_year: str
    to_starts_on: date
    to_ends_on: date
    moves: list[ClassMove] = field(default_factory=list)

    @property
    def leavers(self) -> int:
        return sum(m.pupils for m in self.moves if m.to_year_group is None)


def plan_rollover() -> RolloverPlan:
    """What a rollover would do now, without doing it (the preview)."""
    year = current_academic_year()
    if year.starts_on > today():
        raise DomainError(
            f"{year.name} has not begun yet, so the rollover to it has already been done."
        )
    name, starts_on, ends_on = academic_year_for(date(year.ends_on.year, 9, 1))
    if db.session.scalar(select(AcademicYear.id).where(AcademicYear.name == name)):
        raise DomainError(f"The academic year {name} already exists: the rollover has been done.")
    counts: dict[int, int] = dict(
        db.session.execute(
            select(Pupil.class_id, db.func.count(Pupil.id))
            .where(Pupil.left_on.is_(None))
            .group_by(Pupil.class_id)
        ).all()
    )
    classes = db.session.scalars(
        select(SchoolClass)
        .where(SchoolClass.academic_year_id == year.id, SchoolClass.archived.is_(False))
        .order_by(SchoolClass.year_group, SchoolClass.name)
    )
    plan = RolloverPlan(year.name, name, starts_on, ends_on)
    for school_class in classes:
        to = (
            YearGroup(school_class.year_group + 1)
            if school_class.year_group < YearGroup.YEAR_6
            else None
        )
        plan.moves.append(
            ClassMove(
                school_class.name, school_class.year_group, to, counts.get(school_class.id, 0)
            )
        )
    return plan


def apply_rollover(actor: User | None) -> RolloverPlan:
    """Start the next academic year: every class up a year group, Year 6 pupils leave."""
    plan = plan_rollover()
    old_year = current_academic_year()
    old_year.is_current = False
    db.session.flush()
    new_year = AcademicYear(
        name=plan.to_year, starts_on=plan.to_starts_on, ends_on=plan.to_ends_on, is_current=True
    )
    db.session.add(new_year)
    db.session.flush()
    old_classes = list(
        db.session.scalars(
            select(SchoolClass).where(
                SchoolClass.academic_year_id == old_year.id, SchoolClass.archived.is_(False)
            )
        )
    )
    teachers = db.session.execute(
        select(ClassTeacher.class_id, ClassTeacher.user_id).where(
            ClassTeacher.class_id.in_([c.id for c in old_classes])
        )
    ).all()
    for school_class in old_classes:
        school_class.archived = True
        pupils = select(Pupil).where(Pupil.class_id == school_class.id, Pupil.left_on.is_(None))
        if school_class.year_group == YearGroup.YEAR_6:
            for pupil in db.session.scalars(pupils):
                pupil.class_id = None
                pupil.left_on = old_year.ends_on
                pupil.user.active = False
                pupil.user.rotate_session_token()
            continue
        moved = SchoolClass(
            name=school_class.name,
            year_group=YearGroup(school_class.year_group + 1),
            academic_year_id=new_year.id,
            login_code=new_login_code(),
        )
        db.session.add(moved)
        db.session.flush()
        for class_id, user_id in teachers:
            if class_id == school_class.id:
                db.session.add(ClassTeacher(class_id=moved.id, user_id=user_id))
        for pupil in db.session.scalars(pupils):
            pupil.class_id = moved.id
    db.session.flush()
    audit.record(
        "school.rollover",
        actor=actor,
        target=new_year,
        from_year=plan.from_year,
        to_year=plan.to_year,
        leavers=plan.leavers,
    )
    return plan
