"""How hard the pupil-facing words are to read: Flesch-Kincaid grade level, per year group.

Flesch-Kincaid grade = 0.39 x (words / sentences) + 11.8 x (syllables / words) - 15.59.
Syllables come from pyphen's en_US hyphenation dictionary, as textstat does for words its CMU
dictionary lacks (pyphen is installed with textstat). textstat itself is not used because it
downloads NLTK's CMU dictionary at run time, and the school's servers and CI work offline.
Each line and list item counts as its own sentence, since the
youngest pupils' lessons are written one idea per line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from statistics import mean

from ..school.models import YearGroup
from .catalogue import Catalogue, Lesson

_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u20e3\U0001f1e6-\U0001f1ff]"
)
_MARKUP = re.compile(r"[*_`#>|]+|\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n+")
_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")


@cache
def _hyphenator():
    import pyphen

    return pyphen.Pyphen(lang="en_US")


def syllables(word: str) -> int:
    """Syllables in one word: its hyphenation points plus one (textstat's own fallback rule)."""
    return len(_hyphenator().positions(word.lower())) + 1


def plain_text(markdown: str) -> str:
    """Markdown to the words a child reads: no emoji, no markup, list bullets removed."""
    text = _EMOJI.sub("", markdown)
    text = _MARKUP.sub(lambda m: m.group(1) or " ", text)
    text = re.sub(r"^\s*(?:[-+]|\d+\.)\s+", "", text, flags=re.MULTILINE)
    return text


def pupil_text(lesson: Lesson) -> str:
    """What a pupil reads: the Learn and Activity sections, and the quiz (questions, answers,
    feedback)."""
    parts = [lesson.section("learn").source, lesson.section("activity").source]
    for question in lesson.quiz:
        parts.append(question.text)
        for answer in question.answers:
            parts.append(answer.text)
            parts.append(answer.feedback)
    return plain_text("\n".join(parts))


@dataclass(frozen=True)
class Measure:
    words: int
    sentences: int
    syllables: int

    @property
    def grade(self) -> float:
        """The Flesch-Kincaid grade level (US school grade; add 5 for a rough reading age)."""
        if not self.words or not self.sentences:
            return 0.0
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59


def measure(text: str) -> Measure:
    sentences = [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]
    words = _WORD.findall(text)
    return Measure(len(words), len(sentences), sum(syllables(w) for w in words))


def flesch_kincaid_grade(text: str) -> float:
    return measure(text).grade


@dataclass(frozen=True)
class YearReadability:
    year_group: YearGroup
    lessons: int
    mean_grade: float
    lowest: float
    highest: float
    hardest_lesson: str
    words_per_sentence: float


def by_year_group(catalogue: Catalogue) -> list[YearReadability]:
    """The mean Flesch-Kincaid grade of each lesson's pupil-facing text, per year group."""
    results = []
    for year in YearGroup:
        measures = {lesson.id: measure(pupil_text(lesson)) for lesson in catalogue.for_year(year)}
        if not measures:
            continue
        grades = {lesson_id: m.grade for lesson_id, m in measures.items()}
        hardest = max(grades, key=grades.__getitem__)
        results.append(
            YearReadability(
                year_group=year,
                lessons=len(grades),
                mean_grade=round(mean(grades.values()), 1),
                lowest=round(min(grades.values()), 1),
                highest=round(grades[hardest], 1),
                hardest_lesson=hardest,
                words_per_sentence=round(
                    mean(m.words / m.sentences for m in measures.values() if m.sentences), 1
                ),
            )
        )
    return results
