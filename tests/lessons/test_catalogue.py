"""The curriculum files: every one valid, all 56 year-and-strand pairs covered, and a broken copy
named file-and-field by `flask --app esafety lessons check`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from esafety.lessons.catalogue import (
    CONTENT_DIR,
    CatalogueError,
    Strand,
    get_catalogue,
    load_catalogue,
    missing_cells,
    parse_lesson,
    teacher_script_problems,
)
from esafety.lessons.framework import get_framework
from esafety.lessons.signup import APP_AGES_FILE
from esafety.school.models import YearGroup

BROKEN = "y3-online-bullying.md"


def test_every_lesson_file_loads_without_a_problem():
    catalogue = load_catalogue(CONTENT_DIR)
    assert len(catalogue) >= 56
    assert len({lesson.id for lesson in catalogue}) == len(catalogue)


def test_every_year_group_and_strand_has_a_lesson_with_at_least_three_questions():
    catalogue = get_catalogue()
    assert missing_cells(catalogue, min_questions=3) == []
    pairs = {(lesson.year_group, lesson.strand) for lesson in catalogue if len(lesson.quiz) >= 3}
    assert len(pairs) == 56 == len(YearGroup) * len(Strand)


def test_the_catalogue_is_loaded_once_per_process():
    assert get_catalogue() is get_catalogue()


def test_lessons_list_json_prints_every_lesson(app):
    result = app.test_cli_runner().invoke(args=["lessons", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) >= 56
    # The current fields stay; each lesson also lists the framework statements it teaches, its
    # own "I can" objectives, and its review details.
    assert {"id", "year_group", "strand", "title", "questions"} <= set(rows[0])
    assert set(rows[0]) - {"id", "year_group", "strand", "title", "questions"} == {
        "statements",
        "objectives",
        "reviewed",
        "owner",
    }
    assert all(row["objectives"] and row["objectives"][0]["id"] == f"{row['id']}#1" for row in rows)
    assert all(row["statements"] for row in rows)
    assert all(
        re.fullmatch(r"[A-Z]{2}\.(EY-7|7-11)\.\d+", s["ref"]) and s["text"]
        for row in rows
        for s in row["statements"]
    )
    y3 = next(row for row in rows if row["id"] == "y3-online-relationships")
    assert {"ref": "OR.7-11.2", "text": get_framework().get("OR.7-11.2").text} in y3["statements"]
    assert all(row["reviewed"] and row["owner"] for row in rows)
    assert {row["year_group"] for row in rows} == set(range(7))
    assert {row["strand"] for row in rows} == {s.value for s in Strand}
    assert {(row["year_group"], row["strand"]) for row in rows if row["questions"] >= 3} == {
        (int(y), s.value) for y in YearGroup for s in Strand
    }
    reception = next(row for row in rows if row["id"].startswith("r-"))
    assert reception["year_group"] == 0


def test_lessons_check_passes_on_the_shipped_content(app):
    result = app.test_cli_runner().invoke(args=["lessons", "check"])
    assert result.exit_code == 0, result.output
    assert "are in order" in result.output


def _nth_line_index(lines: list[str], pattern: str, n: int = 0) -> int:
    found = [i for i, line in enumerate(lines) if re.match(pattern, line)]
    return found[n]


def _front_matter(text: str) -> dict:
    return yaml.safe_load(text.split("---")[1])


def _remove_title(text: str) -> str:
    lines = text.splitlines(keepends=True)
    del lines[_nth_line_index(lines, r"title:")]
    return "".join(lines)


def _remove_second_questions_second_feedback(text: str) -> str:
    """Delete the feedback of quiz[1].answers[1] (the right line worked out from the YAML)."""
    first_question_answers = len(_front_matter(text)["quiz"][0]["answers"])
    lines = text.splitlines(keepends=True)
    index = _nth_line_index(lines, r"\s+feedback:", first_question_answers + 1)
    del lines[index]
    return "".join(lines)


def _unknown_strand(text: str) -> str:
    return text.replace("strand: online_bullying", "strand: online_safety", 1)


def _unknown_year(text: str) -> str:
    return text.replace("year_group: year_3", "year_group: year_7", 1)


def _two_right_answers(text: str) -> str:
    return re.sub(r"correct: false", "correct: true", text, count=1)


def _missing_section(text: str) -> str:
    return text.replace("## Teacher notes\n", "", 1)


def _two_questions_only(text: str) -> str:
    data = _front_matter(text)
    body = text.split("---", 2)[2]
    data["quiz"] = data["quiz"][:2]
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---" + body


def _bad_yaml(text: str) -> str:
    return text.replace("title: ", "title: [unclosed ", 1)


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (_remove_title, f"{BROKEN}: title is missing"),
        (
            _remove_second_questions_second_feedback,
            f"{BROKEN}: quiz[1].answers[1].feedback is missing",
        ),
        (_unknown_strand, f'{BROKEN}: strand "online_safety" is not a strand'),
        (_unknown_year, f'{BROKEN}: year_group "year_7" is not a year group'),
        (_two_right_answers, f"{BROKEN}: quiz[0].answers has 2 correct answers"),
        (_missing_section, f"{BROKEN}: sections must be exactly"),
        (_two_questions_only, f"{BROKEN}: quiz has 2 items; it needs 3 to 6"),
        (_bad_yaml, f"{BROKEN}: front matter is not valid YAML at line"),
    ],
    ids=[
        "missing-field",
        "missing-feedback",
        "unknown-strand",
        "unknown-year",
        "two-right-answers",
        "missing-section",
        "too-few-questions",
        "bad-yaml",
    ],
)
def test_check_names_the_file_and_the_field_of_a_broken_copy(app, tmp_path, break_it, expected):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    target = content / BROKEN
    original = target.read_text(encoding="utf-8")
    broken = break_it(original)
    assert broken != original
    target.write_text(broken, encoding="utf-8")

    result = app.test_cli_runner().invoke(
        args=["lessons", "check", "--content", str(content), "--app-ages", str(APP_AGES_FILE)]
    )

    assert result.exit_code == 1
    assert expected in result.output
    with pytest.raises(CatalogueError) as error:
        load_catalogue(content)
    assert any(problem.startswith(expected) for problem in error.value.problems)


def test_a_missing_section_says_which(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    target = content / BROKEN
    target.write_text(_missing_section(target.read_text(encoding="utf-8")), encoding="utf-8")
    _, problems = parse_lesson(target)
    assert 'missing "## Teacher notes"' in problems[0]


def test_a_word_yaml_reads_as_true_is_caught_with_a_hint(tmp_path):
    path = tmp_path / BROKEN
    text = (CONTENT_DIR / BROKEN).read_text(encoding="utf-8")
    path.write_text(re.sub(r"- word: .*", "- word: yes", text, count=1), encoding="utf-8")
    _, problems = parse_lesson(path)
    assert problems == [
        f"{BROKEN}: key_words[0].word must be text, but YAML read True as a bool: put it in quotes"
    ]


def test_raw_html_in_a_lesson_is_shown_as_text_never_run(tmp_path):
    path = tmp_path / BROKEN
    text = (CONTENT_DIR / BROKEN).read_text(encoding="utf-8")
    text = text.replace(
        "## Activity\n",
        '## Activity\n\n<script>alert(1)</script> <img src=x onerror="alert(2)">\n\n'
        "[a link](javascript:alert(3))\n\n",
        1,
    )
    path.write_text(text, encoding="utf-8")
    lesson, problems = parse_lesson(path)
    assert problems == []
    html = lesson.section("activity").html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_copy_with_a_lesson_missing_leaves_a_gap_in_the_grid(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    for path in content.glob("y3-online-bullying*.md"):
        path.unlink()
    assert missing_cells(load_catalogue(content)) == ["Year 3: Online bullying"]


@pytest.mark.parametrize(
    "phrase", ["Ask the class what they think.", "The children draw a picture.", "In pairs, talk."]
)
def test_teacher_script_words_in_a_pupils_activity_are_caught(tmp_path, phrase):
    content = tmp_path / "content"
    content.mkdir()
    target = content / "r-online-bullying.md"
    text = (CONTENT_DIR / target.name).read_text(encoding="utf-8")
    target.write_text(text.replace("## Activity\n", f"## Activity\n\n{phrase}\n", 1), "utf-8")
    problems = teacher_script_problems(load_catalogue(content))
    assert len(problems) == 1
    assert problems[0].startswith('r-online-bullying.md: section "Activity" speaks to a teacher')


def test_lessons_check_refuses_a_pupils_activity_written_for_the_teacher(app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    target = content / "y2-online-bullying.md"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("## Activity\n", "## Activity\n\nShow the class a post.\n"))
    result = app.test_cli_runner().invoke(
        args=["lessons", "check", "--content", str(content), "--app-ages", str(APP_AGES_FILE)]
    )
    assert result.exit_code == 1
    assert 'y2-online-bullying.md: section "Activity" speaks to a teacher' in result.output


def test_every_activity_is_numbered_steps_and_the_class_version_is_in_the_teacher_notes():
    for lesson in get_catalogue():
        activity = lesson.section("activity").source
        steps = activity.split("**Your turn**")[-1]
        assert re.search(r"^1\. ", steps, re.MULTILINE), lesson.id
        assert re.search(r"^2\. ", steps, re.MULTILINE), lesson.id
        assert "**With the class" in lesson.section("teacher_notes").source, lesson.id


def test_teacher_script_words_in_the_teacher_notes_are_fine(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    target = content / "r-online-bullying.md"
    text = (CONTENT_DIR / target.name).read_text(encoding="utf-8")
    note = "## Teacher notes\n\nAsk the class what they think, then the children draw.\n"
    target.write_text(text.replace("## Teacher notes\n", note, 1), "utf-8")
    assert teacher_script_problems(load_catalogue(content)) == []


# --- What the school asked the writing to do ------------------------------------------------------


def _text(lesson, key: str) -> str:
    return lesson.section(key).source.lower()


def test_from_year_3_the_key_strands_teach_minimum_ages_and_the_sign_up_check():
    strands = {
        Strand.PRIVACY_AND_SECURITY,
        Strand.ONLINE_RELATIONSHIPS,
        Strand.HEALTH_WELLBEING_AND_LIFESTYLE,
    }
    missing = []
    for lesson in get_catalogue():
        if lesson.year_group < YearGroup.YEAR_3 or lesson.strand not in strands:
            continue
        text = " ".join(lesson.section(s.key).source for s in lesson.sections.values()).lower()
        quiz = " ".join(q.text + " ".join(a.text for a in q.answers) for q in lesson.quiz).lower()
        if "sign up" not in text + quiz or not re.search(r"minimum age|\b13\b", text + quiz):
            missing.append(lesson.id)
    assert missing == []


def test_older_pupils_are_told_about_childline_and_everyone_about_the_flag_button():
    no_childline = [
        lesson.id
        for lesson in get_catalogue()
        if lesson.year_group >= YearGroup.YEAR_3 and "0800 1111" not in _text(lesson, "worries")
    ]
    no_grown_up = [
        lesson.id
        for lesson in get_catalogue()
        if not re.search(r"grown-up|adult|someone you trust", _text(lesson, "worries"))
    ]
    assert no_childline == []
    assert no_grown_up == []


def test_every_answer_is_answered_kindly_and_says_why():
    """Feedback never opens with "Wrong!" and always gives a reason (a sentence, not a word)."""
    unkind = [
        f"{lesson.id} quiz[{n}]: {answer.feedback[:30]}"
        for lesson in get_catalogue()
        for n, question in enumerate(lesson.quiz)
        for answer in question.answers
        if re.match(r"(wrong|incorrect)\b", answer.feedback, re.IGNORECASE)
        or len(answer.feedback.split()) < 5
    ]
    assert unkind == []


def test_youngest_pupils_learn_lines_begin_with_a_picture():
    """Reception to Year 2: one idea per line, each starting with an emoji picture cue."""
    without = []
    for lesson in get_catalogue():
        if lesson.year_group > YearGroup.YEAR_2:
            continue
        for line in lesson.section("learn").source.splitlines():
            words = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line).strip()
            if words and words[0].isascii():
                without.append(f"{lesson.id}: {words[:40]}")
    assert without == []


def test_minutes_suit_the_age(tmp_path):
    for lesson in get_catalogue():
        if lesson.year_group <= YearGroup.YEAR_2:
            assert 15 <= lesson.minutes <= 20, lesson.id
        else:
            assert 30 <= lesson.minutes <= 45, lesson.id


def test_content_dir_is_inside_the_package():
    assert CONTENT_DIR == Path(__file__).resolve().parents[2] / "esafety" / "lessons" / "content"


# --- The 2026 topics ------------------------------------------------------------------------------

TOPICS_2026 = {
    # topic: (lesson id, year group, a phrase its Learn section must teach)
    "AI chatbots and AI friends": ("y5-online-relationships-2", YearGroup.YEAR_5, "a bot is not"),
    "bots that seem like people": ("y3-online-relationships-2", YearGroup.YEAR_3, "chatbot"),
    "voice assistants": ("y2-managing-online-information-2", YearGroup.YEAR_2, "machines"),
    "AI images": ("y5-managing-online-information-2", YearGroup.YEAR_5, "ai tools"),
    "deepfakes": ("y6-managing-online-information-2", YearGroup.YEAR_6, "deepfake"),
    "livestreaming": ("y4-online-relationships-2", YearGroup.YEAR_4, "livestream"),
    "challenges and hoaxes": ("y6-health-wellbeing-and-lifestyle-2", YearGroup.YEAR_6, "hoax"),
    "scams in games": ("y5-health-wellbeing-and-lifestyle-2", YearGroup.YEAR_5, "login code"),
    "sextortion": ("y6-online-relationships-2", YearGroup.YEAR_6, "never too late to tell"),
    "PANTS language": ("y2-online-relationships-2", YearGroup.YEAR_2, "pants are private"),
    "private is private online": ("y4-online-bullying-2", YearGroup.YEAR_4, "private parts"),
    "stereotypes online": ("y4-self-image-and-identity-2", YearGroup.YEAR_4, "stereotype"),
    "smart toys": ("y3-privacy-and-security-2", YearGroup.YEAR_3, "connected devices"),
    "updates and password managers": (
        "y6-privacy-and-security-2",
        YearGroup.YEAR_6,
        "password manager",
    ),
}


@pytest.mark.parametrize("topic", sorted(TOPICS_2026))
def test_each_2026_topic_has_its_own_lesson_at_the_right_year(topic):
    lesson_id, year, phrase = TOPICS_2026[topic]
    lesson = get_catalogue().get(lesson_id)
    assert lesson is not None, topic
    assert lesson.year_group == year
    assert phrase in _text(lesson, "learn"), topic
    # Every statement is checked by a question, so the knowledge map can judge each one.
    checked = {q.objective for q in lesson.quiz}
    assert None in checked or checked == set(range(len(lesson.objectives))), topic


def test_no_teacher_note_waits_until_the_end_of_the_day_to_pass_on_a_disclosure():
    late = [lesson.id for lesson in get_catalogue() if "same day" in _text(lesson, "teacher_notes")]
    assert late == []
    told = [
        lesson.id
        for lesson in get_catalogue()
        if "immediately" not in _text(lesson, "teacher_notes")
    ]
    assert told == []


def test_a_lesson_reviewed_over_a_year_ago_is_warned_about_and_needs_an_owner(app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    target = content / "y5-online-relationships-2.md"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("reviewed: 2026-12-03", "reviewed: 2024-09-01"), "utf-8")
    result = app.test_cli_runner().invoke(
        args=["lessons", "check", "--content", str(content), "--app-ages", str(APP_AGES_FILE)]
    )
    assert result.exit_code == 0, result.output
    assert "reviewed over a year ago: y5-online-relationships-2 (reviewed 2024-09-01)" in (
        result.output
    )
    target.write_text(text.replace("owner: Computing lead\n", ""), "utf-8")
    _, problems = parse_lesson(target)
    assert problems == [
        "y5-online-relationships-2.md: owner is missing: say who looks after the lesson"
    ]
