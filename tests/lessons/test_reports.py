"""Reports without HTTP: a class's strand coverage, a parent's term, the whole school's coverage."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from esafety.auth.roles import Role
from esafety.clock import today
from esafety.extensions import db
from esafety.lessons import reports, services
from esafety.lessons.catalogue import Strand, get_catalogue
from esafety.lessons.models import LessonAssignment, LessonProgress, SelfAssessment
from esafety.school.models import YearGroup
from esafety.spreadsheet import safe_cell
from tests import factories
from tests.lessons.conftest import lesson_for, make_class_setup, wrong_answer


def _finish(user, lesson, feeling=SelfAssessment.I_CAN, wrong_first=0):
    for n, question in enumerate(lesson.quiz):
        if n < wrong_first:
            services.answer_question(user, lesson.id, n, wrong_answer(lesson, n))
        services.answer_question(user, lesson.id, n, question.correct_index)
    services.record_self_assessment(user, lesson.id, feeling)


def test_class_progress_shows_each_pupil_each_set_lesson_and_strand_coverage(year4):
    strand_lessons = get_catalogue().in_cell(YearGroup.YEAR_4, Strand.ONLINE_REPUTATION)
    earlier = lesson_for(YearGroup.YEAR_2, Strand.ONLINE_BULLYING)
    for lesson in (*strand_lessons, earlier):
        services.assign_lessons(
            year4.teacher,
            year4.school_class.id,
            lesson_id=lesson.id,
            opens_on=today(),
            due_on=today() + timedelta(days=3),
        )
    done, struggling, idle = year4.pupils
    for lesson in strand_lessons:
        _finish(done.user, lesson)
    _finish(struggling.user, earlier, SelfAssessment.NOT_YET)
    db.session.commit()

    report = reports.class_progress(year4.teacher, year4.school_class.id)

    assert [lesson.id for lesson in report.lessons] == [earlier.id] + [
        lesson.id for lesson in strand_lessons
    ]
    assert report.cell(done, strand_lessons[0]).status == "done"
    assert report.cell(idle, strand_lessons[0]).status == "not_started"
    assert report.struggling == [(struggling, [earlier])]
    reputation = next(s for s in report.strands if s.strand is Strand.ONLINE_REPUTATION)
    assert reputation.completed_by == 1
    bullying = next(s for s in report.strands if s.strand is Strand.ONLINE_BULLYING)
    assert bullying.struggling == [struggling]
    assert bullying.completed_by == 0  # an earlier year's lesson does not finish this year's strand


@pytest.mark.parametrize(
    ("day", "name", "starts"),
    [
        (date(2026, 11, 24), "Autumn term 2026", date(2026, 9, 1)),
        (date(2027, 2, 1), "Spring term 2027", date(2027, 1, 1)),
        (date(2027, 6, 30), "Summer term 2027", date(2027, 4, 1)),
    ],
)
def test_terms(day, name, starts):
    term = reports.term_containing(day)
    assert (term.name, term.starts_on) == (name, starts)
    assert term.starts_on <= day <= term.ends_on


def test_a_parent_sees_this_terms_lessons_for_their_children_only(year4):
    term = reports.term_containing(today())
    this_term = lesson_for(YearGroup.YEAR_4, Strand.PRIVACY_AND_SECURITY)
    last_term = lesson_for(YearGroup.YEAR_4, Strand.ONLINE_BULLYING)
    unassigned = lesson_for(YearGroup.YEAR_3, Strand.ONLINE_BULLYING)
    class_id = year4.school_class.id
    db.session.add_all(
        [
            LessonAssignment(
                class_id=class_id,
                lesson_id=this_term.id,
                opens_on=term.starts_on,
                due_on=today() + timedelta(days=5),
                assigned_by_id=year4.teacher.id,
            ),
            LessonAssignment(
                class_id=class_id,
                lesson_id=last_term.id,
                opens_on=term.starts_on - timedelta(days=30),
                due_on=term.starts_on - timedelta(days=20),
                assigned_by_id=year4.teacher.id,
            ),
        ]
    )
    child, other = year4.pupils[0], year4.pupils[1]
    _finish(child.user, unassigned)  # done by choice this term: it counts as covered
    _finish(other.user, this_term)
    parent = factories.make_parent(child)
    db.session.commit()

    family = reports.family_learning(parent)

    assert family.term == term
    [learning] = family.children
    assert learning.pupil == child
    assert {item.lesson.id for item in learning.lessons} == {this_term.id, unassigned.id}
    assert learning.finished == 1
    assert not next(i for i in learning.lessons if i.lesson.id == this_term.id).done


def test_school_coverage_is_the_share_of_each_year_groups_pupils_who_finished_a_strand(db):
    year2 = make_class_setup(YearGroup.YEAR_2, pupils=4)
    year5 = make_class_setup(YearGroup.YEAR_5, pupils=2)
    strand = Strand.ONLINE_BULLYING
    for pupil in year2.pupils[:3]:
        for lesson in get_catalogue().in_cell(YearGroup.YEAR_2, strand):
            _finish(pupil.user, lesson)
    # A Year 5 pupil finishing a Year 2 lesson does not count for Year 5.
    for lesson in get_catalogue().in_cell(YearGroup.YEAR_2, strand):
        _finish(year5.pupil.user, lesson)
    left = year2.pupils[3]
    left.left_on, left.class_id = today(), None
    db.session.commit()

    coverage = reports.school_coverage()

    cell = coverage.rows[YearGroup.YEAR_2][strand]
    assert (cell.completed, cell.pupils, cell.percent) == (3, 3, 100)
    assert coverage.rows[YearGroup.YEAR_5][strand].percent == 0
    assert coverage.rows[YearGroup.YEAR_1][strand].percent is None  # no pupils
    assert coverage.pupils[YearGroup.YEAR_5] == 2


def test_school_coverage_costs_the_same_queries_however_many_pupils(db, count_queries):
    counts = []
    for size in (2, 20):
        setup = make_class_setup(YearGroup.YEAR_3, pupils=size)
        for pupil in setup.pupils:
            _finish(pupil.user, lesson_for(YearGroup.YEAR_3))
        db.session.commit()
        db.session.expire_all()
        with count_queries() as counter:
            reports.school_coverage()
        counts.append(counter.count)
    assert counts[0] == counts[1] == 2


def test_my_lessons_lists_only_lessons_that_have_opened(year4):
    opened = lesson_for(YearGroup.YEAR_4, Strand.ONLINE_BULLYING)
    not_yet = lesson_for(YearGroup.YEAR_4, Strand.ONLINE_REPUTATION)
    services.assign_lessons(
        year4.teacher,
        year4.school_class.id,
        lesson_id=opened.id,
        opens_on=today(),
        due_on=today() + timedelta(days=2),
    )
    services.assign_lessons(
        year4.teacher,
        year4.school_class.id,
        lesson_id=not_yet.id,
        opens_on=today() + timedelta(days=3),
        due_on=today() + timedelta(days=9),
    )
    mine = reports.my_lessons(year4.pupil.user)
    assert [item.lesson.id for item in mine.to_do] == [opened.id]
    assert list(mine.explore) == [YearGroup(n) for n in range(4, -1, -1)]


def test_spreadsheet_safe_neutralises_formulas():
    assert [safe_cell(v) for v in ("=1+1", "+44", "-3", "@A1", "Ava", None, 3)] == [
        "'=1+1",
        "'+44",
        "'-3",
        "'@A1",
        "Ava",
        "",
        "3",
    ]


def test_a_finished_lesson_row_reads_plainly_in_the_csv(year4):
    lesson = lesson_for(YearGroup.YEAR_4)
    services.assign_lessons(
        year4.teacher,
        year4.school_class.id,
        lesson_id=lesson.id,
        opens_on=today(),
        due_on=today() + timedelta(days=2),
    )
    _finish(year4.pupil.user, lesson, SelfAssessment.NOT_YET, wrong_first=1)
    db.session.commit()
    text = reports.progress_csv(reports.class_progress(year4.teacher, year4.school_class.id))
    row = next(line for line in text.splitlines() if line.startswith(year4.pupil.first_name))
    quiz = len(lesson.quiz)
    assert f",Done,{quiz - 1}/{quiz},1,Not yet," in row
    assert row.endswith(",yes")


def test_progress_rows_keep_their_counts_for_one_query_reports(year4):
    lesson = lesson_for(YearGroup.YEAR_4)
    _finish(year4.pupil.user, lesson, wrong_first=2)
    row = db.session.scalar(db.select(LessonProgress))
    assert (row.questions_right, row.right_first_time, row.needed_another_go) == (
        len(lesson.quiz),
        len(lesson.quiz) - 2,
        2,
    )
    assert isinstance(row.completed_at, datetime)


def test_governors_see_coverage_but_are_not_teaching_staff(db):
    governor = factories.make_user(Role.GOVERNOR)
    assert services.teaching_classes(governor) == []
