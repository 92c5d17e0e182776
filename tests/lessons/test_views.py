"""The pages: who may open each, the pupil's lesson and quiz without JavaScript, forms re-shown
with errors, the CSV export, and a progress page whose query count does not grow."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from esafety.audit import AuditEntry
from esafety.auth.roles import Role
from esafety.clock import today
from esafety.extensions import db
from esafety.lessons import services
from esafety.lessons.catalogue import PUPIL_SECTIONS, Strand, get_catalogue
from esafety.lessons.models import LessonAssignment, LessonProgress, SelfAssessment
from esafety.school.models import ClassTeacher, YearGroup
from tests import factories
from tests.lessons.conftest import lesson_for, make_class_setup, wrong_answer

NEXT_WEEK = today() + timedelta(days=7)


def _set(setup, *lessons, due=NEXT_WEEK):
    for lesson in lessons:
        services.assign_lessons(
            setup.teacher, setup.school_class.id, lesson_id=lesson.id, opens_on=today(), due_on=due
        )
    db.session.commit()


def _selected(page: str, value: str) -> bool:
    """Whether the option with this value is the one chosen in a <select>."""
    return f'<option selected value="{value}"' in page or f'value="{value}" selected' in page


def _text(response) -> str:
    """The page's HTML with entities decoded and white space squeezed, for finding words in it."""
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


# --- Who may open what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.PUPIL, "/lessons/mine", 200),
        (Role.TEACHER, "/lessons/mine", 403),
        (Role.PARENT, "/lessons/mine", 403),
        (Role.TEACHER, "/lessons/curriculum", 200),
        (Role.GOVERNOR, "/lessons/curriculum", 200),
        (Role.SUPPORT_STAFF, "/lessons/curriculum", 200),
        (Role.PUPIL, "/lessons/curriculum", 403),
        (Role.PARENT, "/lessons/curriculum", 403),
        (Role.HEADTEACHER, "/lessons/coverage", 200),
        (Role.COMPUTING_LEAD, "/lessons/coverage", 200),
        (Role.SLT, "/lessons/coverage", 200),
        (Role.GOVERNOR, "/lessons/coverage", 200),
        (Role.TEACHER, "/lessons/coverage", 403),
        (Role.PARENT, "/lessons/coverage", 403),
        (Role.PUPIL, "/lessons/coverage", 403),
        (Role.PARENT, "/lessons/family", 200),
        (Role.TEACHER, "/lessons/family", 403),
        (Role.PUPIL, "/lessons/family", 403),
        (Role.PUPIL, "/lessons/can-i-sign-up", 200),
        (Role.PARENT, "/lessons/can-i-sign-up", 200),
        (Role.OFFICE_ADMIN, "/lessons/can-i-sign-up", 200),
    ],
)
def test_each_page_is_for_the_right_people(client, login_as, year4, role, path, status):
    user = year4.pupil.user if role is Role.PUPIL else factories.make_user(role)
    if role is Role.PARENT:
        factories.make_parent(year4.pupil)
    login_as(user)
    assert client.get(path).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("class_teacher", 200),
        ("other_teacher", 404),
        ("headteacher", 200),
        ("assistant", 200),
        ("pupil", 403),
        ("parent", 403),
    ],
)
def test_only_the_class_staff_and_leaders_see_its_progress(client, login_as, year4, who, status):
    users = {
        "class_teacher": lambda: year4.teacher,
        "other_teacher": lambda: make_class_setup(YearGroup.YEAR_4, name="Beech").teacher,
        "headteacher": lambda: factories.make_user(Role.HEADTEACHER),
        "assistant": lambda: _assistant(year4),
        "pupil": lambda: year4.pupil.user,
        "parent": lambda: factories.make_parent(year4.pupil),
    }
    login_as(users[who]())
    class_id = year4.school_class.id
    assert client.get(f"/lessons/classes/{class_id}/progress").status_code == status
    assert client.get(f"/lessons/classes/{class_id}/progress.csv").status_code == status


def _assistant(setup):
    assistant = factories.make_user(Role.SUPPORT_STAFF)
    db.session.add(ClassTeacher(class_id=setup.school_class.id, user_id=assistant.id))
    db.session.commit()
    return assistant


def test_a_teaching_assistant_cannot_set_lessons(client, login_as, year4):
    login_as(_assistant(year4))
    assert client.get(f"/lessons/classes/{year4.school_class.id}/assign").status_code == 403


def test_a_pupil_never_sees_a_later_years_lesson(client, login_as, year4):
    login_as(year4.pupil.user)
    later = lesson_for(YearGroup.YEAR_5)
    for path in (
        f"/lessons/{later.id}",
        f"/lessons/{later.id}/read/learn",
        f"/lessons/{later.id}/quiz/1",
        f"/lessons/{later.id}/i-can",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/lessons/{later.id}/quiz/1", data={"answer": "0"}).status_code == 404
    page = _text(client.get("/lessons/mine"))
    assert later.title not in page
    assert lesson_for(YearGroup.YEAR_3).title in page  # earlier years are there to explore


# --- A pupil's lesson, without JavaScript ---------------------------------------------------------


def test_a_pupil_works_through_a_lesson_with_plain_form_posts(client, login_as, year2):
    lesson = lesson_for(YearGroup.YEAR_2, Strand.PRIVACY_AND_SECURITY)
    _set(year2, lesson)
    login_as(year2.pupil.user)

    mine = _text(client.get("/lessons/mine"))
    assert lesson.title in mine and "Finish by" in mine
    start = _text(client.get(f"/lessons/{lesson.id}"))
    assert "Start" in start and lesson.objectives[0] in start

    for n, section in enumerate(PUPIL_SECTIONS):
        page = client.get(f"/lessons/{lesson.id}/read/{section}")
        assert page.status_code == 200
        assert 'data-read-target="section-' + section + '"' in page.get_data(as_text=True)
        response = client.post(f"/lessons/{lesson.id}/read/{section}")
        expected = (
            f"/lessons/{lesson.id}/read/{PUPIL_SECTIONS[n + 1]}"
            if n + 1 < len(PUPIL_SECTIONS)
            else f"/lessons/{lesson.id}/quiz/1"
        )
        assert response.status_code == 302 and response.location.endswith(expected)

    # Half-way: leaving and coming back carries on from the quiz.
    assert "Carry on" in _text(client.get(f"/lessons/{lesson.id}"))

    wrong = wrong_answer(lesson, 0)
    response = client.post(f"/lessons/{lesson.id}/quiz/1", data={"answer": str(wrong)})
    assert response.status_code == 302 and response.location.endswith("/quiz/1")
    page = _text(client.get(f"/lessons/{lesson.id}/quiz/1"))
    assert lesson.quiz[0].answers[wrong].feedback in page
    assert "Have another go!" in page and "Check my answer" in page

    for number, question in enumerate(lesson.quiz, start=1):
        client.post(f"/lessons/{lesson.id}/quiz/{number}", data={"answer": question.correct_index})
        page = _text(client.get(f"/lessons/{lesson.id}/quiz/{number}"))
        assert question.answers[question.correct_index].feedback in page
        assert "Check my answer" not in page  # right: no more tries, just "Next"

    response = client.post(f"/lessons/{lesson.id}/i-can", data={"rating": "getting_there"})
    assert response.location.endswith(f"/lessons/{lesson.id}/done")
    done = _text(client.get(f"/lessons/{lesson.id}/done"))
    assert "Well done" in done
    progress = db.session.scalar(select(LessonProgress))
    assert progress.completed_at is not None
    assert (progress.right_first_time, progress.needed_another_go) == (len(lesson.quiz) - 1, 1)
    assert progress.self_assessment is SelfAssessment.GETTING_THERE
    assert "Finished" in _text(client.get("/lessons/mine"))


def test_finishing_the_last_lesson_of_a_strand_gives_a_sticker(client, login_as, year2):
    lessons = get_catalogue().in_cell(YearGroup.YEAR_2, Strand.ONLINE_BULLYING)
    login_as(year2.pupil.user)
    for lesson in lessons:
        for number, question in enumerate(lesson.quiz, start=1):
            client.post(
                f"/lessons/{lesson.id}/quiz/{number}", data={"answer": question.correct_index}
            )
        client.post(f"/lessons/{lesson.id}/i-can", data={"rating": "i_can"})
    done = _text(client.get(f"/lessons/{lessons[-1].id}/done"))
    assert "You have a sticker!" in done and "Being kind online" in done
    mine = _text(client.get("/lessons/mine"))
    assert "You have 1 sticker." in mine
    assert "Being kind online" in mine


@pytest.mark.parametrize("strand", list(Strand))
def test_pupils_see_the_child_name_of_a_strand_and_never_the_official_one(
    client, login_as, year4, strand
):
    lesson = lesson_for(YearGroup.YEAR_4, strand)
    login_as(year4.pupil.user)
    page = _text(client.get(f"/lessons/{lesson.id}"))
    assert strand.child_label in page
    assert strand.label not in page
    assert strand.child_label != strand.label


def test_teachers_see_the_official_strand_names(client, login_as, year4):
    login_as(year4.teacher)
    page = _text(client.get("/lessons/curriculum"))
    lesson = lesson_for(YearGroup.YEAR_4, Strand.SELF_IMAGE_AND_IDENTITY)
    preview = _text(client.get(f"/lessons/{lesson.id}"))
    assert "Self-image and identity" in page and "Self-image and identity" in preview
    assert "Being me online" not in page and "Being me online" not in preview


def test_a_quiz_sent_without_an_answer_is_shown_again_with_a_kind_message(client, login_as, year2):
    lesson = lesson_for(YearGroup.YEAR_2)
    login_as(year2.pupil.user)
    response = client.post(f"/lessons/{lesson.id}/quiz/1", data={})
    assert response.status_code == 400
    page = _text(response)
    assert "Choose an answer, then press the button." in page
    assert lesson.quiz[0].text in page


def test_the_faces_form_is_shown_again_when_no_face_is_picked(client, login_as, year2):
    lesson = lesson_for(YearGroup.YEAR_2)
    login_as(year2.pupil.user)
    response = client.post(f"/lessons/{lesson.id}/i-can", data={})
    assert response.status_code == 400
    page = _text(response)
    assert "Choose the face that shows how you feel." in page
    for face in SelfAssessment:
        assert face.label in page and face.face in page


def test_the_quiz_answers_instantly_as_json_for_the_script(client, login_as, year2):
    lesson = lesson_for(YearGroup.YEAR_2)
    login_as(year2.pupil.user)
    headers = {"Accept": "application/json"}
    wrong = wrong_answer(lesson, 0)
    response = client.post(f"/lessons/{lesson.id}/quiz/1", data={"answer": wrong}, headers=headers)
    assert response.json["correct"] is False
    assert response.json["feedback"] == lesson.quiz[0].answers[wrong].feedback
    assert response.json["next_url"] is None
    response = client.post(
        f"/lessons/{lesson.id}/quiz/1",
        data={"answer": lesson.quiz[0].correct_index},
        headers=headers,
    )
    assert response.json["correct"] is True
    assert response.json["next_url"].endswith("/read/learn")  # sections not read yet
    assert response.json["steps_done"] == 1
    missing = client.post(f"/lessons/{lesson.id}/quiz/2", data={}, headers=headers)
    assert missing.status_code == 400 and "Choose an answer" in missing.json["error"]


def test_every_section_has_a_read_aloud_button_and_the_script(client, login_as, year2):
    lesson = lesson_for(YearGroup.YEAR_2)
    login_as(year2.pupil.user)
    for path in (f"/lessons/{lesson.id}/read/learn", f"/lessons/{lesson.id}/quiz/1"):
        html = client.get(path).get_data(as_text=True)
        assert re.search(r'<button type="button" class="[^"]*read-aloud[^"]*"[^>]*hidden', html)
        assert "js/read-aloud.js" in html
        assert "<script>" not in html and "style=" not in html


@pytest.mark.parametrize(
    ("year", "linked"),
    [(YearGroup.YEAR_2, False), (YearGroup.YEAR_3, True), (YearGroup.YEAR_6, True)],
)
def test_lessons_from_year_3_link_to_can_i_sign_up(client, login_as, db, year, linked):
    setup = make_class_setup(year)
    lesson = lesson_for(year)
    login_as(setup.pupil.user)
    html = client.get(f"/lessons/{lesson.id}/read/worries").get_data(as_text=True)
    assert ('href="/lessons/can-i-sign-up"' in html) is linked


SIGN_UP_LINK = 'href="/lessons/can-i-sign-up"'
LATER = "This one is for older children. Ask your teacher or grown-up about apps."


@pytest.mark.parametrize(
    ("year", "offered"),
    [
        (YearGroup.RECEPTION, False),
        (YearGroup.YEAR_1, False),
        (YearGroup.YEAR_2, False),
        (YearGroup.YEAR_3, True),
        (YearGroup.YEAR_6, True),
    ],
)
def test_can_i_sign_up_is_offered_to_pupils_from_year_3(client, login_as, db, year, offered):
    setup = make_class_setup(year)
    pupil = login_as(setup.pupil.user)
    assert pupil.is_pupil
    pages = ["/", f"/school/classes/{setup.school_class.id}", "/lessons/mine"]
    pages += [f"/lessons/{lesson.id}" for lesson in get_catalogue().for_year(year)]
    for path in pages:
        html = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert "Can I sign up?" not in html or offered, path
    class_page = client.get(f"/school/classes/{setup.school_class.id}").get_data(as_text=True)
    assert (SIGN_UP_LINK in class_page) is offered
    response = client.get("/lessons/can-i-sign-up?app=tiktok")
    assert response.status_code == 200
    page = _text(response)
    assert (LATER in page) is not offered
    assert ('name="app"' in page) is offered


def test_a_younger_pupil_opening_the_sign_up_check_gets_a_kind_page(client, login_as, db):
    setup = make_class_setup(YearGroup.YEAR_1)
    login_as(setup.pupil.user)
    response = client.get("/lessons/can-i-sign-up?app=tiktok&age=15")
    page = _text(response)
    assert response.status_code == 200
    assert LATER in page
    assert "TikTok" not in page
    assert 'href="/lessons/mine"' in page


@pytest.mark.parametrize("role", [Role.TEACHER, Role.PARENT, Role.HEADTEACHER])
def test_adults_keep_the_sign_up_check_and_preview_any_age(client, login_as, db, role):
    login_as(role)
    page = _text(client.get("/lessons/can-i-sign-up?app=tiktok&age=6&country=AU"))
    assert LATER not in page
    assert "Not yet. TikTok is for people aged 16 and over." in page
    assert SIGN_UP_LINK in client.get("/").get_data(as_text=True)


# --- Teachers -------------------------------------------------------------------------------------


def test_the_assign_form_keeps_what_was_chosen_and_explains_each_error(client, login_as, year4):
    login_as(year4.teacher)
    lesson = lesson_for(YearGroup.YEAR_4)
    url = f"/lessons/classes/{year4.school_class.id}/assign"
    assert _selected(client.get(f"{url}?lesson={lesson.id}").get_data(as_text=True), lesson.id)

    response = client.post(url, data={"lesson_id": lesson.id, "opens_on": "", "due_on": ""})
    assert response.status_code == 400
    page = _text(response)
    assert "Choose the day pupils can start it." in page and "Choose the day it is due." in page
    assert _selected(page, lesson.id)

    response = client.post(
        url,
        data={
            "lesson_id": lesson.id,
            "opens_on": today().isoformat(),
            "due_on": (today() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "The due date must be on or after the day it opens." in _text(response)

    response = client.post(url, data={"opens_on": today().isoformat(), "due_on": "2030-01-01"})
    assert "Choose a lesson, or a whole strand below." in _text(response)

    later = lesson_for(YearGroup.YEAR_6)
    response = client.post(
        url,
        data={
            "lesson_id": later.id,
            "opens_on": today().isoformat(),
            "due_on": NEXT_WEEK.isoformat(),
        },
    )
    assert response.status_code == 400 and "Choose a lesson from the list." in _text(response)


def test_a_teacher_sets_a_strand_and_is_taken_to_the_progress_page(client, login_as, year4):
    login_as(year4.teacher)
    response = client.post(
        f"/lessons/classes/{year4.school_class.id}/assign",
        data={
            "strand": Strand.ONLINE_REPUTATION.value,
            "opens_on": today().isoformat(),
            "due_on": NEXT_WEEK.isoformat(),
        },
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/lessons/classes/{year4.school_class.id}/progress")
    page = _text(client.get(response.location))
    for lesson in get_catalogue().in_cell(YearGroup.YEAR_4, Strand.ONLINE_REPUTATION):
        assert lesson.title in page
    assert "set for Ash" in page


def test_the_curriculum_grid_shows_the_class_coverage(client, login_as, year4):
    lesson = lesson_for(YearGroup.YEAR_4, Strand.ONLINE_BULLYING)
    _set(year4, lesson)
    login_as(year4.teacher)
    page = _text(client.get("/lessons/curriculum"))
    assert "Showing what Ash has covered" in page
    for year in YearGroup:
        assert year.label in page
    for strand in Strand:
        assert strand.label in page
    assert f"0 of {len(year4.pupils)} finished" in page
    grid = page.split('class="curriculum-grid"')[1]
    assert len(re.findall(r'class="badge ok">Set<', grid)) == 1


def test_the_progress_page_shows_who_may_need_help(client, login_as, year4):
    lesson = lesson_for(YearGroup.YEAR_4)
    _set(year4, lesson)
    struggling, fine, _ = year4.pupils
    for n, question in enumerate(lesson.quiz):
        services.answer_question(struggling.user, lesson.id, n, wrong_answer(lesson, n))
        services.answer_question(struggling.user, lesson.id, n, question.correct_index)
        services.answer_question(fine.user, lesson.id, n, question.correct_index)
    services.record_self_assessment(struggling.user, lesson.id, SelfAssessment.NOT_YET)
    services.record_self_assessment(fine.user, lesson.id, SelfAssessment.I_CAN)
    db.session.commit()
    login_as(year4.teacher)
    page = _text(client.get(f"/lessons/classes/{year4.school_class.id}/progress"))
    help_section = page.split('id="help-h"')[1].split('id="set-h"')[0]
    assert struggling.full_name in help_section and fine.full_name not in help_section
    assert "said “not yet”" in help_section
    assert f"{len(lesson.quiz)}/{len(lesson.quiz)} first time" in page
    assert "May need help" in page
    assert f"2 of {len(year4.pupils)}" in page


def test_the_csv_export_is_spreadsheet_safe_and_audited(client, login_as, year4):
    lesson = lesson_for(YearGroup.YEAR_4)
    _set(year4, lesson)
    factories.make_pupil(year4.school_class, first_name="=HYPERLINK(1)", last_name="+Sum")
    db.session.commit()
    login_as(year4.teacher)
    response = client.get(f"/lessons/classes/{year4.school_class.id}/progress.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["First name", "Last name", "Lesson"]
    assert len(rows) == 1 + len(year4.pupils) + 1
    names = {(row[0], row[1]) for row in rows[1:]}
    assert ("'=HYPERLINK(1)", "'+Sum") in names
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "lessons.progress_exported")
    )
    assert entry.actor_id == year4.teacher.id


def test_a_set_lesson_can_be_removed(client, login_as, year4):
    _set(year4, lesson_for(YearGroup.YEAR_4))
    assignment = db.session.scalar(select(LessonAssignment))
    login_as(year4.teacher)
    response = client.post(f"/lessons/assignments/{assignment.id}/remove")
    assert response.status_code == 302
    assert db.session.scalar(select(LessonAssignment)) is None
    assert "is no longer set" in _text(client.get(response.location))


def _class_with_progress(pupils: int, lessons: int):
    setup = make_class_setup(YearGroup.YEAR_4, pupils=pupils)
    catalogue = get_catalogue()
    chosen = catalogue.up_to(YearGroup.YEAR_4)[-lessons:]
    _set(setup, *chosen)
    for n, pupil in enumerate(setup.pupils):
        lesson = chosen[n % len(chosen)]
        services.answer_question(pupil.user, lesson.id, 0, wrong_answer(lesson, 0))
        services.answer_question(pupil.user, lesson.id, 0, lesson.quiz[0].correct_index)
        if n % 3 == 0:
            services.record_self_assessment(pupil.user, lesson.id, SelfAssessment.NOT_YET)
    db.session.commit()
    return setup


def test_the_progress_page_costs_the_same_queries_for_8_or_60_pupils(
    app, client, login_as, count_queries
):
    counts = []
    for pupils, lessons in ((8, 2), (60, 6)):
        setup = _class_with_progress(pupils, lessons)
        login_as(setup.teacher)
        db.session.expire_all()
        with count_queries() as counter:
            response = client.get(f"/lessons/classes/{setup.school_class.id}/progress")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("<tr>") >= pupils
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


# --- Parents, leaders and "Can I sign up?" --------------------------------------------------------


def test_a_parent_sees_their_own_childs_term_and_take_home_notes_only(client, login_as, year4):
    lesson = lesson_for(YearGroup.YEAR_4, Strand.PRIVACY_AND_SECURITY)
    _set(year4, lesson)
    mine, theirs = year4.pupils[0], year4.pupils[1]
    for n, question in enumerate(lesson.quiz):
        services.answer_question(mine.user, lesson.id, n, question.correct_index)
    services.record_self_assessment(mine.user, lesson.id, SelfAssessment.I_CAN)
    db.session.commit()
    parent = factories.make_parent(mine)
    login_as(parent)
    page = _text(client.get("/lessons/family"))
    assert mine.first_name in page and theirs.first_name not in page
    assert lesson.title in page and "Finished" in page
    take_home = lesson.section("take_home").source.splitlines()[0]
    assert take_home.strip(" *,") in page
    assert mine.last_name not in page  # first names only


def test_a_parent_without_linked_children_is_told_so(client, login_as, db):
    login_as(Role.PARENT)
    assert "no children linked" in _text(client.get("/lessons/family"))


def test_leaders_see_the_share_of_pupils_who_finished_each_strand(client, login_as, year4):
    lessons = get_catalogue().in_cell(YearGroup.YEAR_4, Strand.ONLINE_BULLYING)
    pupil = year4.pupil
    for lesson in lessons:
        for n, question in enumerate(lesson.quiz):
            services.answer_question(pupil.user, lesson.id, n, question.correct_index)
        services.record_self_assessment(pupil.user, lesson.id, SelfAssessment.I_CAN)
    db.session.commit()
    login_as(Role.GOVERNOR)
    page = _text(client.get("/lessons/coverage"))
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert f"33% 1 of {len(year4.pupils)}" in words
    assert pupil.first_name not in page


def test_a_pupil_is_told_for_their_own_age_and_cannot_pick_another(client, login_as, year4):
    from esafety.lessons.signup import app_ages

    over_13 = next(app for app in app_ages() if app.minimum_age >= 13)
    pupil = year4.pupil
    pupil.date_of_birth = date(today().year - 9, 1, 1)
    db.session.commit()
    age = 9
    login_as(pupil.user)
    page = _text(client.get(f"/lessons/can-i-sign-up?app={over_13.slug}&age=18"))
    assert f"You are {age}" in page
    assert f"Not yet. {over_13.name} is for people aged {over_13.minimum_age} and over." in page
    assert f"wait {over_13.minimum_age - age} more years" in page
    assert 'name="age"' not in page


def test_an_adult_previews_the_answer_for_a_chosen_age(client, login_as, db):
    from esafety.lessons.signup import app_ages

    app = next(app for app in app_ages() if app.minimum_age == 13)
    login_as(Role.TEACHER)
    page = _text(client.get(f"/lessons/can-i-sign-up?app={app.slug}&age=14"))
    assert f"Yes, {app.name}'s rules say you are old enough." in page
    assert app.source in page
    page = _text(client.get("/lessons/can-i-sign-up?app=not-an-app"))
    assert "Choose an app from the list." in page


def test_pupil_forms_carry_a_csrf_token_and_are_refused_without_one(app, client, login_as, year2):
    lesson = lesson_for(YearGroup.YEAR_2)
    login_as(year2.pupil.user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for path in (
            f"/lessons/{lesson.id}/read/learn",
            f"/lessons/{lesson.id}/quiz/1",
            f"/lessons/{lesson.id}/i-can",
        ):
            page = client.get(path).get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
            assert token, path
        refused = client.post(f"/lessons/{lesson.id}/quiz/1", data={"answer": "0"})
        assert refused.status_code == 400
        accepted = client.post(
            f"/lessons/{lesson.id}/quiz/1",
            data={"answer": "0", "csrf_token": token.group(1)},
        )
        assert accepted.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_family_sheet_is_one_page_per_year_for_staff_and_the_childs_own_parents(
    client, login_as, year4
):
    login_as(year4.teacher)
    page = _text(client.get("/lessons/family-sheet/4"))
    lessons = get_catalogue().for_year(YearGroup.YEAR_4)
    assert all(lesson.title in page for lesson in lessons)
    assert "Childline on 0800 1111" in page
    from esafety.lessons.reports import family_sheet

    assert all(line.talk and line.tip for y in YearGroup for line in family_sheet(y))
    assert client.get("/lessons/family-sheet/9").status_code == 404

    parent = factories.make_parent(year4.pupil)
    db.session.commit()
    login_as(parent)
    assert client.get("/lessons/family-sheet/4").status_code == 200
    assert client.get("/lessons/family-sheet/6").status_code == 404
    assert "/lessons/family-sheet/4" in _text(client.get("/lessons/family"))
    login_as(year4.pupil.user)
    assert client.get("/lessons/family-sheet/4").status_code == 404
