"""The rules without HTTP: setting lessons, who may open which lesson, saving a pupil's progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from esafety.audit import AuditEntry
from esafety.auth.roles import Role
from esafety.clock import today
from esafety.errors import DomainError, NotAllowed, NotFoundError
from esafety.extensions import db
from esafety.lessons import services
from esafety.lessons.catalogue import Strand, get_catalogue
from esafety.lessons.models import LessonAssignment, QuizAnswer, SelfAssessment
from esafety.lessons.reports import is_struggling
from esafety.school.models import ClassTeacher, YearGroup
from tests import factories
from tests.lessons.conftest import lesson_for, make_class_setup, wrong_answer

NEXT_WEEK = today() + timedelta(days=7)


# --- Setting lessons ------------------------------------------------------------------------------


def test_a_teacher_sets_a_lesson_for_their_class_and_it_is_audited(year4):
    lesson = lesson_for(YearGroup.YEAR_4, Strand.ONLINE_BULLYING)
    [assignment] = services.assign_lessons(
        year4.teacher,
        year4.school_class.id,
        lesson_id=lesson.id,
        opens_on=today(),
        due_on=NEXT_WEEK,
    )
    db.session.commit()
    assert (assignment.lesson_id, assignment.due_on) == (lesson.id, NEXT_WEEK)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "lessons.assigned"))
    assert entry.actor_id == year4.teacher.id
    assert entry.details["lessons"] == [lesson.id]


def test_setting_the_same_lesson_again_moves_its_dates_rather_than_doubling_it(year4):
    lesson = lesson_for(YearGroup.YEAR_4)
    args = {"lesson_id": lesson.id, "opens_on": today()}
    services.assign_lessons(year4.teacher, year4.school_class.id, due_on=NEXT_WEEK, **args)
    later = NEXT_WEEK + timedelta(days=7)
    services.assign_lessons(year4.teacher, year4.school_class.id, due_on=later, **args)
    rows = db.session.scalars(select(LessonAssignment)).all()
    assert [(r.lesson_id, r.due_on) for r in rows] == [(lesson.id, later)]


def test_a_whole_strand_sets_the_years_lessons_and_optionally_earlier_ones(year4):
    services.assign_lessons(
        year4.teacher,
        year4.school_class.id,
        strand=Strand.PRIVACY_AND_SECURITY,
        opens_on=today(),
        due_on=NEXT_WEEK,
    )
    catalogue = get_catalogue()
    set_ids = set(db.session.scalars(select(LessonAssignment.lesson_id)))
    assert set_ids == {
        lesson.id for lesson in catalogue.in_cell(YearGroup.YEAR_4, Strand.PRIVACY_AND_SECURITY)
    }
    services.assign_lessons(
        year4.teacher,
        year4.school_class.id,
        strand=Strand.PRIVACY_AND_SECURITY,
        include_earlier=True,
        opens_on=today(),
        due_on=NEXT_WEEK,
    )
    set_years = {
        catalogue.get(lesson_id).year_group
        for lesson_id in db.session.scalars(select(LessonAssignment.lesson_id))
    }
    assert set_years == {YearGroup(n) for n in range(5)}


def test_a_later_years_lesson_cannot_be_set_because_pupils_could_not_open_it(year4):
    later = lesson_for(YearGroup.YEAR_6)
    with pytest.raises(DomainError) as refused:
        services.assign_lessons(
            year4.teacher,
            year4.school_class.id,
            lesson_id=later.id,
            opens_on=today(),
            due_on=NEXT_WEEK,
        )
    assert refused.value.field == "lesson_id"
    assert "Year 6" in refused.value.message


@pytest.mark.parametrize(
    ("opens", "due", "field"),
    [
        (0, -1, "due_on"),  # due before it opens
        (-10, -2, "due_on"),  # due date already passed
        (0, 400, "due_on"),  # more than a year
    ],
)
def test_dates_must_make_sense(year4, opens, due, field):
    with pytest.raises(DomainError) as refused:
        services.assign_lessons(
            year4.teacher,
            year4.school_class.id,
            lesson_id=lesson_for(YearGroup.YEAR_4).id,
            opens_on=today() + timedelta(days=opens),
            due_on=today() + timedelta(days=due),
        )
    assert refused.value.field == field


def test_choose_one_lesson_or_one_strand(year4):
    with pytest.raises(DomainError, match="Choose one lesson, or a whole strand"):
        services.assign_lessons(
            year4.teacher, year4.school_class.id, opens_on=today(), due_on=NEXT_WEEK
        )


def test_another_classs_teacher_cannot_see_or_set_its_lessons(year4):
    other = make_class_setup(YearGroup.YEAR_4, name="Beech")
    with pytest.raises(NotFoundError):
        services.assign_lessons(
            other.teacher,
            year4.school_class.id,
            lesson_id=lesson_for(YearGroup.YEAR_4).id,
            opens_on=today(),
            due_on=NEXT_WEEK,
        )


def test_a_teaching_assistant_follows_progress_but_does_not_set_lessons(year4):
    assistant = factories.make_user(Role.SUPPORT_STAFF)
    db.session.add(ClassTeacher(class_id=year4.school_class.id, user_id=assistant.id))
    db.session.flush()
    assert services.class_for_teaching(assistant, year4.school_class.id) == year4.school_class
    with pytest.raises(NotAllowed):
        services.class_for_teaching(assistant, year4.school_class.id, assign=True)


def test_removing_a_set_lesson_keeps_the_pupils_progress(year4):
    lesson = lesson_for(YearGroup.YEAR_4)
    [assignment] = services.assign_lessons(
        year4.teacher,
        year4.school_class.id,
        lesson_id=lesson.id,
        opens_on=today(),
        due_on=NEXT_WEEK,
    )
    services.answer_question(year4.pupil.user, lesson.id, 0, lesson.quiz[0].correct_index)
    services.remove_assignment(year4.teacher, assignment.id)
    assert db.session.scalars(select(LessonAssignment)).all() == []
    assert services.lesson_state(year4.pupil.user, lesson.id).questions[0].right


# --- Who may open a lesson ------------------------------------------------------------------------


def test_pupils_open_their_own_and_earlier_years_lessons_never_later_ones(year4):
    pupil = year4.pupil.user
    assert (
        services.lesson_for(pupil, lesson_for(YearGroup.YEAR_4).id).year_group == YearGroup.YEAR_4
    )
    assert services.lesson_for(pupil, lesson_for(YearGroup.RECEPTION).id)
    with pytest.raises(NotFoundError):
        services.lesson_for(pupil, lesson_for(YearGroup.YEAR_5).id)
    with pytest.raises(NotFoundError):
        services.mark_section_read(pupil, lesson_for(YearGroup.YEAR_6).id, "learn")


def test_unknown_lessons_are_not_found(year4):
    with pytest.raises(NotFoundError):
        services.lesson_for(year4.teacher, "y9-nothing")


@pytest.mark.parametrize("role", [Role.TEACHER, Role.GOVERNOR, Role.OFFICE_ADMIN])
def test_staff_and_governors_read_any_lesson(db, role):
    user = factories.make_user(role)
    assert services.lesson_for(user, lesson_for(YearGroup.YEAR_6).id)


def test_parents_do_not_open_lessons_directly(year4):
    parent = factories.make_parent(year4.pupil)
    with pytest.raises(NotFoundError):
        services.lesson_for(parent, lesson_for(YearGroup.YEAR_4).id)


# --- A pupil working through a lesson -------------------------------------------------------------


def test_progress_is_saved_as_the_pupil_goes_so_they_can_carry_on(year4):
    pupil = year4.pupil.user
    lesson = lesson_for(YearGroup.YEAR_4)
    state = services.lesson_state(pupil, lesson.id)
    assert not state.started
    assert (state.next_step.kind, state.next_step.key) == ("read", "learn")
    assert len(state.steps) == 3 + len(lesson.quiz) + 1

    services.mark_section_read(pupil, lesson.id, "learn")
    services.mark_section_read(pupil, lesson.id, "activity")
    db.session.commit()
    state = services.lesson_state(pupil, lesson.id)
    assert (state.next_step.kind, state.next_step.key) == ("read", "worries")
    assert state.steps_done == 2

    services.mark_section_read(pupil, lesson.id, "worries")
    services.answer_question(pupil, lesson.id, 0, lesson.quiz[0].correct_index)
    db.session.commit()
    state = services.lesson_state(pupil, lesson.id)
    assert (state.next_step.kind, state.next_step.key) == ("quiz", 1)


def test_a_wrong_answer_gets_its_own_kind_feedback_and_another_go(year4):
    pupil = year4.pupil.user
    lesson = lesson_for(YearGroup.YEAR_4)
    wrong = wrong_answer(lesson, 0)
    first = services.answer_question(pupil, lesson.id, 0, wrong)
    assert not first.correct
    assert first.feedback == lesson.quiz[0].answers[wrong].feedback
    second = services.answer_question(pupil, lesson.id, 0, lesson.quiz[0].correct_index)
    assert second.correct
    progress = second.progress
    assert (progress.questions_right, progress.right_first_time, progress.needed_another_go) == (
        1,
        0,
        1,
    )
    # Once right, a question takes no more tries: the score cannot be changed afterwards.
    again = services.answer_question(pupil, lesson.id, 0, wrong)
    assert again.already_right and not again.correct
    assert db.session.scalar(select(db.func.count(QuizAnswer.id))) == 2
    assert progress.questions_right == 1


def test_an_answer_must_be_chosen(year4):
    lesson = lesson_for(YearGroup.YEAR_4)
    with pytest.raises(DomainError) as refused:
        services.answer_question(year4.pupil.user, lesson.id, 0, None)
    assert refused.value.field == "answer"
    with pytest.raises(DomainError):
        services.answer_question(year4.pupil.user, lesson.id, 0, 9)
    with pytest.raises(NotFoundError):
        services.answer_question(year4.pupil.user, lesson.id, 99, 0)


def _finish(pupil_user, lesson, feeling=SelfAssessment.I_CAN, wrong_first=0):
    for n, question in enumerate(lesson.quiz):
        if n < wrong_first:
            services.answer_question(pupil_user, lesson.id, n, wrong_answer(lesson, n))
        services.answer_question(pupil_user, lesson.id, n, question.correct_index)
    return services.record_self_assessment(pupil_user, lesson.id, feeling)


def test_a_lesson_is_finished_when_every_question_is_right_and_the_pupil_says_how_they_feel(year4):
    pupil = year4.pupil.user
    lesson = lesson_for(YearGroup.YEAR_4)
    services.record_self_assessment(pupil, lesson.id, SelfAssessment.GETTING_THERE)
    assert not services.lesson_state(pupil, lesson.id).completed
    progress = _finish(pupil, lesson, SelfAssessment.GETTING_THERE)
    assert progress.completed_at is not None
    assert progress.right_first_time == len(lesson.quiz)
    assert services.lesson_state(pupil, lesson.id).next_step is None


def test_a_sticker_for_each_strand_finished_for_the_pupils_year(year4):
    pupil = year4.pupil
    strand = Strand.ONLINE_REPUTATION
    for lesson in get_catalogue().in_cell(YearGroup.YEAR_4, strand):
        assert (
            services.stickers_for(YearGroup.YEAR_4, services.completed_lesson_ids(pupil.id)) == []
        )
        _finish(pupil.user, lesson)
    # An earlier year's lesson in another strand earns no Year 4 sticker.
    _finish(pupil.user, lesson_for(YearGroup.YEAR_3, Strand.ONLINE_BULLYING))
    completed = services.completed_lesson_ids(pupil.id)
    assert services.stickers_for(YearGroup.YEAR_4, completed) == [strand]


def test_a_choice_of_face_is_needed(year4):
    with pytest.raises(DomainError):
        services.record_self_assessment(year4.pupil.user, lesson_for(YearGroup.YEAR_4).id, None)


def test_struggling_means_not_yet_or_half_the_questions_needing_another_go(year4):
    lesson = lesson_for(YearGroup.YEAR_4)
    quiz = len(lesson.quiz)
    [a, b, c] = [p.user for p in year4.pupils]
    one_retry = _finish(a, lesson, SelfAssessment.I_CAN, wrong_first=1)
    many_retries = _finish(b, lesson, SelfAssessment.I_CAN, wrong_first=(quiz + 1) // 2)
    not_yet = _finish(c, lesson, SelfAssessment.NOT_YET)
    assert not is_struggling(one_retry, lesson)
    assert is_struggling(many_retries, lesson)
    assert is_struggling(not_yet, lesson)
    assert not is_struggling(None, lesson)
