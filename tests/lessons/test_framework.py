"""The statement map: every "Education for a Connected World" statement for Reception to Year 6
has a lesson in each year group the map names, and `lessons check` fails, one line per gap,
when a copy of the content leaves one uncovered or names a reference the map does not have."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from esafety.lessons.catalogue import CONTENT_DIR, get_catalogue
from esafety.lessons.framework import (
    FRAMEWORK_FILE,
    Band,
    FrameworkError,
    framework_gaps,
    framework_warnings,
    get_framework,
    load_framework,
    unknown_references,
)
from esafety.school.models import YearGroup


def test_the_map_has_both_primary_bands_for_all_eight_strands_and_every_year_group():
    framework = get_framework()
    assert framework.owner == "Computing lead" and framework.reviewed == date(2026, 12, 3)
    counts = {band: len(framework.in_band(band)) for band in Band}
    assert counts[Band.EARLY_YEARS_TO_7] >= 30 and counts[Band.AGES_7_TO_11] >= 70
    assert {(s.strand, s.band) for s in framework} == {
        (strand, band) for strand in {s.strand for s in framework} for band in Band
    }
    assert len({s.strand for s in framework}) == 8
    for year in YearGroup:
        assert framework.for_year(year), year
    # Each statement is taught somewhere, and only in its own band's year groups.
    assert all(s.years and set(s.years) <= set(s.band.years) for s in framework)


def test_every_statement_has_a_lesson_in_each_year_it_is_taught_and_every_reference_is_known():
    framework, catalogue = get_framework(), get_catalogue()
    assert framework_gaps(framework, catalogue) == []
    assert unknown_references(framework, catalogue) == []
    assert all(lesson.reviewed and lesson.owner for lesson in catalogue)


#: The statements added to the map once lessons taught them: where they sit in the framework's
#: order, a word from our wording, and the one lesson that teaches and quizzes each.
ADDED = [
    ("MI.EY-7.7", "MI.EY-7.6", "back and home buttons", "y2-managing-online-information"),
    ("MI.7-11.2", "MI.7-11.1", "autocomplete", "y3-managing-online-information"),
    ("RP.7-11.6", "RP.7-11.5", "summing up what the search shows", "y5-online-reputation"),
    ("HW.7-11.7", "HW.7-11.6", "wrong or trying to sell", "y4-health-wellbeing-and-lifestyle"),
]


@pytest.mark.parametrize(("ref", "before", "words", "lesson_id"), ADDED)
def test_an_added_statement_follows_the_framework_order_and_its_lesson_quizzes_it(
    ref, before, words, lesson_id
):
    framework, lesson = get_framework(), get_catalogue().get(lesson_id)
    refs = list(framework.statements)
    assert refs.index(ref) == refs.index(before) + 1
    statement = framework.get(ref)
    assert words in statement.text
    assert statement.years == (lesson.year_group,)
    assert ref in lesson.framework
    (question,) = (lesson.quiz[n] for n in lesson.questions_checking(ref))
    assert question.framework == (ref,) and len(question.answers) == 3
    assert all(a.misconception for a in question.answers if not a.correct)


def test_the_bands_count_the_added_statements():
    counts = {band: len(get_framework().in_band(band)) for band in Band}
    assert counts == {Band.EARLY_YEARS_TO_7: 39, Band.AGES_7_TO_11: 87}


def test_a_question_checks_its_own_statements_or_else_its_lessons():
    lesson = get_catalogue().get("y3-online-relationships")
    assert lesson.question_framework(1) == ("HW.7-11.2", "PS.7-11.12")
    assert lesson.questions_checking("OR.7-11.2") == [0, 4]
    assert set(lesson.question_framework(1)) <= set(lesson.framework)


def test_the_wording_is_our_own_and_the_file_says_so():
    header = FRAMEWORK_FILE.read_text(encoding="utf-8").split("reviewed:")[0]
    assert "The wording is ours" in header
    assert "framework's order" in header
    assert "computing lead confirms" in header.lower()


def _copy(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    return content


def _retag(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_check_fails_one_line_per_gap_when_a_statement_is_left_uncovered(app, tmp_path):
    content = _copy(tmp_path)
    # SI.7-11.4 (keep asking until I get help) is taught only in Year 4's bullying lesson.
    _retag(content / "y4-online-bullying.md", "[SI.7-11.4, ", "[")
    result = app.test_cli_runner().invoke(args=["lessons", "check", "--content", str(content)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "framework: SI.7-11.4 (Year 4) has no lesson that teaches it" in lines
    assert "1 problem(s) found." in lines


def test_the_check_fails_when_a_lesson_or_question_names_an_unknown_reference(app, tmp_path):
    content = _copy(tmp_path)
    path = content / "y3-online-relationships.md"
    _retag(path, "framework: [OR.7-11.2, OR.7-11.3, ", "framework: [OR.7-11.99, OR.7-11.3, ")
    _retag(path, "    framework: [HW.7-11.2, PS.7-11.12]", "    framework: [HW.7-11.2, PS.EY-7.1]")
    result = app.test_cli_runner().invoke(args=["lessons", "check", "--content", str(content)])
    assert result.exit_code == 1
    output = result.output
    assert "y3-online-relationships: framework names OR.7-11.99, which is not in the map" in output
    assert (
        "y3-online-relationships: quiz[1].framework names PS.EY-7.1, "
        "which the lesson's framework does not list"
    ) in output


def test_a_badly_written_reference_is_refused_by_the_loader(app, tmp_path):
    content = _copy(tmp_path)
    _retag(content / "y3-online-relationships.md", "[OR.7-11.2, OR.7-11.3, ", "[OR-7-11-2, ")
    result = app.test_cli_runner().invoke(args=["lessons", "check", "--content", str(content)])
    assert result.exit_code == 1
    assert "y3-online-relationships.md: framework[0] 'OR-7-11-2' is not a reference" in (
        result.output
    )


def _write_map(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(FRAMEWORK_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "connected_world.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_map_promising_a_year_with_no_lesson_fails_the_check(app, tmp_path):
    def promise_reception(data):
        entry = next(s for s in data["statements"] if s["ref"] == "MI.EY-7.6")
        entry["years"] = ["reception", *entry["years"]]

    path = _write_map(tmp_path, promise_reception)
    result = app.test_cli_runner().invoke(args=["lessons", "check", "--framework", str(path)])
    assert result.exit_code == 1
    assert "framework: MI.EY-7.6 (Reception) has no lesson that teaches it" in result.output


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["statements"][0].update(years=["year_5"]), "outside the Early years"),
        (lambda d: d["statements"].pop(1), "SI.EY-7 statements must be numbered 1 to 2"),
        (lambda d: d["statements"][0].update(ref="OR.EY-7.1"), "must start SI.EY-7."),
        (lambda d: d.pop("owner"), "owner is missing"),
    ],
    ids=["wrong-band-year", "gap-in-numbers", "wrong-strand-code", "no-owner"],
)
def test_a_broken_map_is_refused_naming_the_entry(tmp_path, change, expected):
    with pytest.raises(FrameworkError) as error:
        load_framework(_write_map(tmp_path, change))
    assert any(expected in problem for problem in error.value.problems), error.value.problems


def test_a_map_reviewed_over_a_year_ago_is_warned_about(app, tmp_path):
    framework = get_framework()
    assert framework_warnings(framework, date(2027, 6, 1)) == []
    assert "over a year ago" in framework_warnings(framework, date(2028, 1, 1))[0]
    path = _write_map(tmp_path, lambda d: d.update(reviewed=date(2024, 9, 1)))
    result = app.test_cli_runner().invoke(args=["lessons", "check", "--framework", str(path)])
    assert result.exit_code == 0, result.output
    assert re.search(r"warning: framework map: reviewed 2024-09-01, over a year ago", result.output)
