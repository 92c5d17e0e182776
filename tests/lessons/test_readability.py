"""Pupil-facing words get harder with age, and stay easy for the youngest (Flesch-Kincaid grade)."""

from __future__ import annotations

import json
from statistics import mean

from esafety.lessons import readability
from esafety.lessons.catalogue import get_catalogue
from esafety.school.models import YearGroup


def test_flesch_kincaid_grade_rises_with_longer_sentences_and_longer_words():
    easy = "The cat sat on the mat. We tell a grown-up."
    hard = (
        "Information published anonymously on international platforms frequently "
        "contains deliberately misleading generalisations, consequently verification "
        "is particularly important."
    )
    assert readability.flesch_kincaid_grade(easy) < 1
    assert readability.flesch_kincaid_grade(hard) > 12
    assert readability.syllables("information") == 4
    assert readability.syllables("cat") == 1


def test_emoji_markup_and_bullets_are_not_counted_as_words():
    text = readability.plain_text("- 🔒 **Some** things are [secret](https://x.example).\n")
    assert text.split() == ["Some", "things", "are", "secret."]


def test_the_youngest_read_the_easiest_words_and_under_grade_4():
    results = {r.year_group: r for r in readability.by_year_group(get_catalogue())}
    assert set(results) == set(YearGroup)
    youngest = mean(
        results[y].mean_grade for y in (YearGroup.RECEPTION, YearGroup.YEAR_1, YearGroup.YEAR_2)
    )
    oldest = mean(results[y].mean_grade for y in (YearGroup.YEAR_5, YearGroup.YEAR_6))
    assert youngest < oldest
    assert youngest < 4
    assert all(
        results[y].highest < 4 for y in (YearGroup.RECEPTION, YearGroup.YEAR_1, YearGroup.YEAR_2)
    )
    # Even the oldest pupils' lessons stay plain: below a US grade 7 (about age 12).
    assert all(r.highest < 7 for r in results.values())


def test_the_readability_command_reports_each_year_group(app):
    result = app.test_cli_runner().invoke(args=["lessons", "readability", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["year_group"] for row in rows] == list(range(7))
    assert all(row["lessons"] >= 8 for row in rows)
