"""Quizzes that need understanding: no cue in the options' shape, enough options, one minimum-age
question per junior year, distractors tagged, and options shuffled per pupil but stable."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from datetime import timedelta

import pytest
import yaml

from esafety.clock import today
from esafety.extensions import db
from esafety.lessons import services
from esafety.lessons.catalogue import (
    CONTENT_DIR,
    SHAPES,
    Strand,
    get_catalogue,
    load_catalogue,
    parse_lesson,
    quiz_bias,
    quiz_problems,
    right_answer_shape,
    right_is_uniquely_longest,
)
from esafety.lessons.models import QuizAnswer
from esafety.lessons.signup import APP_AGES_FILE
from esafety.school.models import YearGroup
from tests.lessons.conftest import lesson_for

KS2 = (YearGroup.YEAR_3, YearGroup.YEAR_4, YearGroup.YEAR_5, YearGroup.YEAR_6)


def _rewrite_quizzes(folder, change) -> None:
    """Apply `change(year, question)` to every question in a copied content folder."""
    for path in folder.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---", 2)
        data = yaml.safe_load(front)
        for question in data["quiz"]:
            change(data["year_group"], question)
        dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
        path.write_text("---\n" + dumped + "---" + body, encoding="utf-8")


def test_the_shipped_quizzes_pass_the_lint_in_every_year_group():
    catalogue = get_catalogue()
    assert quiz_problems(catalogue) == []
    for bias in quiz_bias(catalogue):
        for shape in SHAPES:
            assert bias.share(shape) <= bias.limit(shape), (bias.year_group, shape)
            if bias.year_group >= YearGroup.YEAR_1:
                assert bias.limit(shape) == 0.40
        if bias.year_group >= YearGroup.YEAR_1:
            assert bias.too_few_options == []


def test_the_lint_fails_a_copy_where_the_longest_option_is_always_right(app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)

    def longest_right(_year, question):
        right = next(a for a in question["answers"] if a["correct"])
        others = max(len(a["text"]) for a in question["answers"] if not a["correct"])
        while len(right["text"]) <= others:
            right["text"] += ", which is sensible"

    _rewrite_quizzes(content, longest_right)
    catalogue = load_catalogue(content)
    assert all(right_is_uniquely_longest(q) for lesson in catalogue for q in lesson.quiz)

    result = app.test_cli_runner().invoke(
        args=["lessons", "check", "--content", str(content), "--app-ages", str(APP_AGES_FILE)]
    )
    assert result.exit_code == 1
    for year in YearGroup:
        assert f"quiz lint: in {year.label} the right answer is the longest option" in result.output


def test_the_lint_fails_a_junior_question_with_two_options(app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    path = content / "y4-online-bullying.md"
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---", 2)
    data = yaml.safe_load(front)
    question = data["quiz"][1]
    question["answers"] = [a for a in question["answers"] if a["correct"]] + [
        next(a for a in question["answers"] if not a["correct"])
    ]
    path.write_text(
        "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---" + body,
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(
        args=["lessons", "check", "--content", str(content), "--app-ages", str(APP_AGES_FILE)]
    )
    assert result.exit_code == 1
    assert "quiz lint: y4-online-bullying quiz[1] needs at least 3 options for Year 4" in (
        result.output
    )


def test_each_junior_year_asks_about_minimum_ages_once_not_over_and_over():
    for year in KS2:
        asking = [
            f"{lesson.id} quiz[{n}]"
            for lesson in get_catalogue().for_year(year)
            for n, q in enumerate(lesson.quiz)
            if re.search(
                r"minimum age|\b13\b|sign up",
                (q.text + " " + " ".join(a.text for a in q.answers)).lower(),
            )
        ]
        assert len(asking) == 1, (year.label, asking)


def test_most_junior_distractors_name_the_misconception_they_show():
    wrong = [
        answer
        for lesson in get_catalogue()
        if lesson.year_group in KS2
        for q in lesson.quiz
        for answer in q.answers
        if not answer.correct
    ]
    tagged = [answer for answer in wrong if answer.misconception]
    assert len(tagged) / len(wrong) >= 0.5
    right = [a for lesson in get_catalogue() for q in lesson.quiz for a in q.answers if a.correct]
    assert not any(a.misconception for a in right)


def test_a_misconception_on_the_right_answer_or_an_unknown_objective_is_refused(tmp_path):
    path = tmp_path / "y3-online-bullying.md"
    text = (CONTENT_DIR / "y3-online-bullying.md").read_text(encoding="utf-8")
    _, front, body = text.split("---", 2)
    data = yaml.safe_load(front)
    data["quiz"][0]["objective"] = 9
    right = next(a for a in data["quiz"][1]["answers"] if a["correct"])
    right["misconception"] = "anything"
    path.write_text(
        "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---" + body,
        encoding="utf-8",
    )
    lesson, problems = parse_lesson(path)
    assert lesson is None
    assert any("quiz[0].objective must be the number of one of" in p for p in problems)
    assert any("misconception belongs on a wrong answer" in p for p in problems)


# --- Shuffled per pupil, the same on every visit -----------------------------------------------


def test_the_option_order_is_a_stable_shuffle_per_pupil_and_question():
    first = services.option_order(7, "y5-online-bullying", 2, 3)
    assert sorted(first) == [0, 1, 2]
    assert services.option_order(7, "y5-online-bullying", 2, 3) == first
    orders = {tuple(services.option_order(p, "y5-online-bullying", 2, 3)) for p in range(60)}
    assert len(orders) == 6  # every order of three turns up across a class or two


def test_the_right_answer_lands_evenly_across_positions_for_a_year_group():
    """What pupils see: over 60 pupils, the right answer is in each place about equally often."""
    for year in (YearGroup.RECEPTION, YearGroup.YEAR_1, YearGroup.YEAR_5):
        seen: Counter[int] = Counter()
        total = 0
        for pupil_id in range(1, 61):
            for lesson in get_catalogue().for_year(year):
                for n, q in enumerate(lesson.quiz):
                    order = services.option_order(pupil_id, lesson.id, n, len(q.answers))
                    seen[order.index(q.correct_index)] += 1
                    total += 1
        fair = 0.55 if year == YearGroup.RECEPTION else 0.40
        assert max(seen.values()) / total < fair, (year, seen)


def test_the_quiz_page_shows_a_pupils_own_order_and_keeps_it_on_reload(client, login_as, year4):
    lesson = lesson_for(YearGroup.YEAR_4, Strand.ONLINE_BULLYING)
    services.assign_lessons(
        year4.teacher,
        year4.school_class.id,
        lesson_id=lesson.id,
        opens_on=today(),
        due_on=today() + timedelta(days=7),
    )
    db.session.commit()
    pupil = year4.pupil
    login_as(pupil.user)
    orders = []
    for number, question in enumerate(lesson.quiz, start=1):
        page = client.get(f"/lessons/{lesson.id}/quiz/{number}").get_data(as_text=True)
        values = [int(v) for v in re.findall(r'name="answer" id="answer-\d+" value="(\d+)"', page)]
        expected = services.option_order(pupil.id, lesson.id, number - 1, len(question.answers))
        assert values == expected
        again = client.get(f"/lessons/{lesson.id}/quiz/{number}").get_data(as_text=True)
        assert values == [
            int(v) for v in re.findall(r'name="answer" id="answer-\d+" value="(\d+)"', again)
        ]
        texts = re.findall(r"<span>([^<]+)</span>\s*</label>", page)
        assert len(texts) == len(question.answers)
        orders.append(values)
    assert any(order != sorted(order) for order in orders)

    # The value sent is the answer's place in the file, whatever place it was shown in.
    right = lesson.quiz[0].correct_index
    client.post(f"/lessons/{lesson.id}/quiz/1", data={"answer": str(right)})
    saved = db.session.query(QuizAnswer).one()
    assert (saved.answer, saved.correct) == (right, True)


@pytest.mark.parametrize("year", list(YearGroup))
def test_every_year_group_keeps_the_fewest_options_it_needs(year):
    need = 2 if year == YearGroup.RECEPTION else 3
    for lesson in get_catalogue().for_year(year):
        for q in lesson.quiz:
            assert len(q.answers) >= need, lesson.id


def test_the_lint_also_fails_a_copy_where_the_right_answer_is_always_the_middle_length(
    app, tmp_path
):
    """Swapping one cue for another ("never the longest") must not pass either."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)

    def middle_right(year, question):
        if year == "reception" or len(question["answers"]) < 3:
            return
        right = next(a for a in question["answers"] if a["correct"])
        wrong = [a for a in question["answers"] if not a["correct"]]
        right["text"] = "M" * 30
        wrong[0]["text"] = "S" * 10
        for n, answer in enumerate(wrong[1:]):
            answer["text"] = "L" * (50 + n)

    _rewrite_quizzes(content, middle_right)
    catalogue = load_catalogue(content)
    assert all(
        right_answer_shape(q) == "in between"
        for lesson in catalogue
        if lesson.year_group >= YearGroup.YEAR_1
        for q in lesson.quiz
    )
    problems = quiz_problems(catalogue)
    assert "quiz lint: in Year 5 the right answer is of middle length in" in "\n".join(problems)
