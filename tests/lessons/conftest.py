"""Lessons fixtures: a class with its teacher and pupils; lessons from the real catalogue."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from esafety.auth.models import User
from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.lessons.catalogue import Lesson, Strand, get_catalogue
from esafety.school.models import Pupil, SchoolClass, YearGroup
from tests import factories


def lesson_for(year: YearGroup, strand: Strand | None = None) -> Lesson:
    """The first catalogue lesson for a year group (and strand)."""
    catalogue = get_catalogue()
    lessons = catalogue.in_cell(year, strand) if strand else catalogue.for_year(year)
    assert lessons, f"no lesson for {year.label} {strand}"
    return lessons[0]


def wrong_answer(lesson: Lesson, number: int) -> int:
    return next(i for i, a in enumerate(lesson.quiz[number].answers) if not a.correct)


@dataclass
class ClassSetup:
    school_class: SchoolClass
    teacher: User
    pupils: list[Pupil]

    @property
    def pupil(self) -> Pupil:
        return self.pupils[0]


def make_class_setup(year: YearGroup, pupils: int = 3, name: str | None = None) -> ClassSetup:
    teacher = factories.make_user(Role.TEACHER)
    school_class = factories.make_class(year, name=name, teacher=teacher)
    made = [
        factories.make_pupil(school_class, first_name=f"P{n}", last_name=f"Family{n}")
        for n in range(pupils)
    ]
    db.session.commit()
    return ClassSetup(school_class, teacher, made)


@pytest.fixture
def year2(db) -> ClassSetup:
    return make_class_setup(YearGroup.YEAR_2, name="Owls")


@pytest.fixture
def year4(db) -> ClassSetup:
    return make_class_setup(YearGroup.YEAR_4, name="Ash")
