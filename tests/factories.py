"""Small builders for test data: make_user, make_class, make_pupil, make_parent, make_school."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

from esafety.auth.models import User
from esafety.auth.roles import LIGHT_ROLES, STAFF_ROLES, Role
from esafety.auth.services import create_user, set_picture_password
from esafety.clock import today
from esafety.extensions import db
from esafety.school.models import (
    AcademicYear,
    ClassTeacher,
    ParentLink,
    Pupil,
    SchoolClass,
    StaffProfile,
    YearGroup,
)
from esafety.school.services import academic_year_for, give_avatar, new_login_code

PASSWORD = "correct horse battery staple"
PICTURES = ["cat", "star", "boat"]
_counter = itertools.count(1)


def current_year() -> AcademicYear:
    year = db.session.scalar(db.select(AcademicYear).where(AcademicYear.is_current))
    if year is None:
        name, starts_on, ends_on = academic_year_for(today())
        year = AcademicYear(name=name, starts_on=starts_on, ends_on=ends_on, is_current=True)
        db.session.add(year)
        db.session.flush()
    return year


def make_user(
    role: Role | list[Role] = Role.TEACHER,
    first_name: str | None = None,
    last_name: str = "Tester",
    email: str | None = None,
    password: str = PASSWORD,
    job_title: str = "",
) -> User:
    roles = role if isinstance(role, list) else [role]
    n = next(_counter)
    user = create_user(
        first_name or f"{roles[0].value.title().replace('_', '')}{n}",
        last_name,
        roles,
        email=email or f"{roles[0].value}{n}@school.example",
        password=password,
    )
    if set(roles) & (STAFF_ROLES | LIGHT_ROLES | {Role.GOVERNOR}):
        db.session.add(
            StaffProfile(
                user_id=user.id, job_title=job_title or roles[0].label, start_date=date(2024, 9, 1)
            )
        )
        db.session.flush()
    return user


def make_class(
    year_group: YearGroup = YearGroup.YEAR_3, name: str | None = None, teacher: User | None = None
) -> SchoolClass:
    school_class = SchoolClass(
        name=name or f"Class {next(_counter)}",
        year_group=year_group,
        academic_year_id=current_year().id,
        login_code=new_login_code(),
    )
    db.session.add(school_class)
    db.session.flush()
    if teacher is not None:
        db.session.add(ClassTeacher(class_id=school_class.id, user_id=teacher.id))
        db.session.flush()
    return school_class


def make_pupil(
    school_class: SchoolClass,
    first_name: str | None = None,
    last_name: str = "Pupil",
    date_of_birth: date | None = None,
    pictures: list[str] | None = None,
) -> Pupil:
    n = next(_counter)
    first_name = first_name or f"Kid{n}"
    user = create_user(first_name, last_name, [Role.PUPIL])
    set_picture_password(None, user, pictures or PICTURES)
    start = current_year().starts_on
    pupil = Pupil(
        user_id=user.id,
        reference=f"T{n:05d}",
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth or date(start.year - 5 - int(school_class.year_group), 11, 15),
        class_id=school_class.id,
    )
    give_avatar(pupil)
    db.session.add(pupil)
    db.session.flush()
    return pupil


def make_parent(*children: Pupil, **kwargs) -> User:
    parent = make_user(Role.PARENT, **kwargs)
    for child in children:
        db.session.add(ParentLink(parent_id=parent.id, pupil_id=child.id))
    db.session.flush()
    return parent


@dataclass
class SmallSchool:
    year: AcademicYear
    classes: dict[YearGroup, SchoolClass] = field(default_factory=dict)
    teachers: dict[YearGroup, User] = field(default_factory=dict)
    pupils: dict[YearGroup, list[Pupil]] = field(default_factory=dict)


def make_school(pupils_per_class: int = 3) -> SmallSchool:
    school = SmallSchool(year=current_year())
    for year_group in YearGroup:
        teacher = make_user(Role.TEACHER, last_name=f"Teach{int(year_group)}")
        school_class = make_class(year_group, name=f"{year_group.label} class", teacher=teacher)
        school.classes[year_group] = school_class
        school.teachers[year_group] = teacher
        school.pupils[year_group] = [
            make_pupil(school_class, last_name=f"Family{int(year_group)}{i}")
            for i in range(pupils_per_class)
        ]
    db.session.commit()
    return school


def guards_off(*tables: str):
    """Let a test change evidence rows (to make them old): see esafety.guards.suspended."""
    from esafety import guards

    return guards.suspended(db.session.connection(), *tables)
