"""The curriculum as data: every lesson file in content/, loaded once and checked field by field.

A lesson is a Markdown file with YAML front matter (see content/ and the README). The loader
refuses the whole catalogue if any file is wrong, naming the file and the field, so a mistake
is found by `flask --app esafety lessons check` (and the tests) and never by a child.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..school.models import YearGroup
from ..text import render_markdown

CONTENT_DIR = Path(__file__).resolve().parent / "content"
#: Minimum ages for apps are taught from Year 3; younger pupils do not see "Can I sign up?".
SIGN_UP_FROM = YearGroup.YEAR_3


class Strand(enum.StrEnum):
    """The eight strands of UKCIS "Education for a Connected World" (2020), in its order."""

    SELF_IMAGE_AND_IDENTITY = "self_image_and_identity"
    ONLINE_RELATIONSHIPS = "online_relationships"
    ONLINE_REPUTATION = "online_reputation"
    ONLINE_BULLYING = "online_bullying"
    MANAGING_ONLINE_INFORMATION = "managing_online_information"
    HEALTH_WELLBEING_AND_LIFESTYLE = "health_wellbeing_and_lifestyle"
    PRIVACY_AND_SECURITY = "privacy_and_security"
    COPYRIGHT_AND_OWNERSHIP = "copyright_and_ownership"

    @property
    def label(self) -> str:
        return STRAND_LABELS[self][0]

    @property
    def child_label(self) -> str:
        """The strand's name on stickers and pupils' pages; adults' pages keep `label`."""
        return CHILD_STRAND_NAMES[self]

    @property
    def sticker(self) -> str:
        """The picture on the sticker a pupil earns for finishing the strand."""
        return STRAND_LABELS[self][1]

    @property
    def slug(self) -> str:
        return self.value.replace("_", "-")


STRAND_LABELS = {
    Strand.SELF_IMAGE_AND_IDENTITY: ("Self-image and identity", "🪞"),
    Strand.ONLINE_RELATIONSHIPS: ("Online relationships", "🤝"),
    Strand.ONLINE_REPUTATION: ("Online reputation", "⭐"),
    Strand.ONLINE_BULLYING: ("Online bullying", "💛"),
    Strand.MANAGING_ONLINE_INFORMATION: ("Managing online information", "🔍"),
    Strand.HEALTH_WELLBEING_AND_LIFESTYLE: ("Health, wellbeing and lifestyle", "🌱"),
    Strand.PRIVACY_AND_SECURITY: ("Privacy and security", "🔒"),
    Strand.COPYRIGHT_AND_OWNERSHIP: ("Copyright and ownership", "🎨"),
}

#: What pupils see: short and warm enough for a six-year-old, not babyish for a ten-year-old.
CHILD_STRAND_NAMES = {
    Strand.SELF_IMAGE_AND_IDENTITY: "Being me online",
    Strand.ONLINE_RELATIONSHIPS: "Friends online",
    Strand.ONLINE_REPUTATION: "My online footprints",
    Strand.ONLINE_BULLYING: "Being kind online",
    Strand.MANAGING_ONLINE_INFORMATION: "Is it true?",
    Strand.HEALTH_WELLBEING_AND_LIFESTYLE: "Feeling good with screens",
    Strand.PRIVACY_AND_SECURITY: "Keeping things private",
    Strand.COPYRIGHT_AND_OWNERSHIP: "Who made it?",
}


class FourC(enum.StrEnum):
    """The four areas of online risk (content, contact, conduct, commerce)."""

    CONTENT = "content"
    CONTACT = "contact"
    CONDUCT = "conduct"
    COMMERCE = "commerce"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    #: Markdown as written, for the readability measure and for reading aloud.
    source: str
    #: Rendered with raw HTML off, then cleaned by esafety.text: safe to mark |safe.
    html: str


#: The five sections every lesson has, in this order: (key, heading in the file).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("learn", "Learn"),
    ("activity", "Activity"),
    ("worries", "If something worries you"),
    ("teacher_notes", "Teacher notes"),
    ("take_home", "Take-home note"),
)
#: The sections a pupil reads, in order, before the quiz.
PUPIL_SECTIONS: tuple[str, ...] = ("learn", "activity", "worries")


@dataclass(frozen=True)
class Answer:
    text: str
    correct: bool
    feedback: str
    #: For a wrong answer: the mistaken idea choosing it first shows (e.g. "a bot is a person").
    misconception: str | None = None


@dataclass(frozen=True)
class Question:
    text: str
    answers: tuple[Answer, ...]
    #: Which of the lesson's "I can" statements this question checks (from 0); None means all.
    objective: int | None = None
    #: The framework statements it checks (see framework.py); empty means all of its lesson's.
    framework: tuple[str, ...] = ()

    @property
    def correct_index(self) -> int:
        return next(i for i, answer in enumerate(self.answers) if answer.correct)

    def checks(self, objective: int) -> bool:
        return self.objective is None or self.objective == objective


@dataclass(frozen=True)
class KeyWord:
    word: str
    meaning: str


@dataclass(frozen=True)
class Lesson:
    id: str
    year_group: YearGroup
    strand: Strand
    title: str
    objectives: tuple[str, ...]
    key_words: tuple[KeyWord, ...]
    minutes: int
    four_cs: tuple[FourC, ...]
    quiz: tuple[Question, ...]
    sections: dict[str, Section] = field(hash=False)
    #: When the lesson was last read through against current guidance, and who looks after it.
    reviewed: date | None = None
    owner: str | None = None
    #: The "Education for a Connected World" statements it teaches, by reference (SI.EY-7.1).
    framework: tuple[str, ...] = ()

    def section(self, key: str) -> Section:
        return self.sections[key]

    def question_framework(self, number: int) -> tuple[str, ...]:
        """The framework statements one question checks: its own list, or else the lesson's."""
        return self.quiz[number].framework or self.framework

    def questions_checking(self, reference: str) -> list[int]:
        return [n for n in range(len(self.quiz)) if reference in self.question_framework(n)]

    @property
    def pupil_sections(self) -> list[Section]:
        return [self.sections[key] for key in PUPIL_SECTIONS]

    @property
    def teaches_minimum_ages(self) -> bool:
        """From Year 3 up, lessons point to the "Can I sign up?" check."""
        return self.year_group >= SIGN_UP_FROM

    def sort_key(self) -> tuple[int, int, str]:
        return (int(self.year_group), STRAND_ORDER[self.strand], self.id)


STRAND_ORDER = {strand: n for n, strand in enumerate(Strand)}


class CatalogueError(Exception):
    """One or more lesson files are wrong; `problems` names each file and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Catalogue:
    """Every lesson, in curriculum order (year group, then strand)."""

    lessons: dict[str, Lesson]

    def get(self, lesson_id: str) -> Lesson | None:
        return self.lessons.get(lesson_id)

    def __iter__(self):
        return iter(self.lessons.values())

    def __len__(self) -> int:
        return len(self.lessons)

    def in_cell(self, year_group: YearGroup, strand: Strand) -> list[Lesson]:
        return [
            lesson
            for lesson in self.lessons.values()
            if lesson.year_group == year_group and lesson.strand == strand
        ]

    def for_year(self, year_group: YearGroup) -> list[Lesson]:
        return [lesson for lesson in self.lessons.values() if lesson.year_group == year_group]

    def up_to(self, year_group: YearGroup) -> list[Lesson]:
        """The lessons a pupil in this year group may open: theirs and earlier years'."""
        return [lesson for lesson in self.lessons.values() if lesson.year_group <= year_group]

    def grid(self) -> dict[YearGroup, dict[Strand, list[Lesson]]]:
        table: dict[YearGroup, dict[Strand, list[Lesson]]] = {
            year: {strand: [] for strand in Strand} for year in YearGroup
        }
        for lesson in self.lessons.values():
            table[lesson.year_group][lesson.strand].append(lesson)
        return table


# --- Loading and checking ------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n(.*)\Z", re.DOTALL)
_HEADING = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)
_YEAR_PREFIX = {YearGroup.RECEPTION: "r", **{y: f"y{int(y)}" for y in YearGroup if y}}
_FIELDS = (
    "id",
    "year_group",
    "strand",
    "title",
    "objectives",
    "key_words",
    "minutes",
    "four_cs",
    "quiz",
    "reviewed",
    "owner",
    "framework",
)
#: Lesson length in minutes by age: short for the youngest.
_MINUTES = {True: (15, 20), False: (30, 45)}


def render_section(source: str) -> str:
    """A lesson section as HTML, through the same pipeline as everything people write."""
    return render_markdown(source)


class _Problems:
    """Collects problems for one file, each starting with the file's name."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(
            f"{self.filename}: {where} {message}" if where else f"{self.filename}: {message}"
        )


def _text(data: dict, key: str, where: str, problems: _Problems) -> str | None:
    """A required, non-empty string field."""
    if key not in data or data[key] is None:
        problems.add(f"{where}{key}", "is missing")
        return None
    value = data[key]
    if isinstance(value, bool | int | float):
        problems.add(
            f"{where}{key}",
            f"must be text, but YAML read {value!r} as a {type(value).__name__}: put it in quotes",
        )
        return None
    if not isinstance(value, str):
        problems.add(f"{where}{key}", f"must be text, not a {type(value).__name__}")
        return None
    if not value.strip():
        problems.add(f"{where}{key}", "is empty")
        return None
    return value.strip()


def _list(data: dict, key: str, low: int, high: int, problems: _Problems) -> list | None:
    if key not in data or data[key] is None:
        problems.add(key, "is missing")
        return None
    value = data[key]
    if not isinstance(value, list):
        problems.add(key, "must be a list")
        return None
    if not low <= len(value) <= high:
        problems.add(key, f"has {len(value)} items; it needs {low} to {high}")
    return value


#: A framework reference: strand code, age band, place in the framework's list (OR.7-11.3).
REFERENCE = re.compile(r"[A-Z]{2}\.(EY-7|7-11)\.[1-9][0-9]*")


def _references(data: dict, where: str, problems: _Problems) -> list[str]:
    """An optional list of framework references; each must look like OR.EY-7.2."""
    value = data.get("framework")
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        problems.add(f"{where}framework", "must be a list of references like [OR.EY-7.2]")
        return []
    found = []
    for n, item in enumerate(value):
        if not isinstance(item, str) or not REFERENCE.fullmatch(item):
            problems.add(
                f"{where}framework[{n}]", f"{item!r} is not a reference like OR.EY-7.2 or OR.7-11.3"
            )
        elif item in found:
            problems.add(f"{where}framework[{n}]", f"names {item} twice")
        else:
            found.append(item)
    return found


def _parse_quiz(items: list, objective_count: int, problems: _Problems) -> list[Question]:
    questions: list[Question] = []
    for q_index, item in enumerate(items):
        where = f"quiz[{q_index}]."
        if not isinstance(item, dict):
            problems.add(f"quiz[{q_index}]", "must be a question with answers")
            continue
        for unknown in sorted(set(item) - {"question", "answers", "objective", "framework"}):
            problems.add(f"{where}{unknown}", "is not a known field")
        text = _text(item, "question", where, problems)
        objective = item.get("objective")
        if objective is not None and (
            not isinstance(objective, int)
            or isinstance(objective, bool)
            or not 1 <= objective <= objective_count
        ):
            problems.add(
                f"{where}objective",
                f"must be the number of one of the lesson's {objective_count} objectives",
            )
            objective = None
        framework = _references(item, where, problems)
        raw_answers = item.get("answers")
        if raw_answers is None:
            problems.add(f"{where}answers", "is missing")
            continue
        if not isinstance(raw_answers, list):
            problems.add(f"{where}answers", "must be a list")
            continue
        if not 2 <= len(raw_answers) <= 4:
            problems.add(f"{where}answers", f"has {len(raw_answers)} answers; it needs 2 to 4")
        answers: list[Answer] = []
        for a_index, raw in enumerate(raw_answers):
            a_where = f"{where}answers[{a_index}]."
            if not isinstance(raw, dict):
                problems.add(f"{where}answers[{a_index}]", "must have text, correct and feedback")
                continue
            for unknown in sorted(set(raw) - {"text", "correct", "feedback", "misconception"}):
                problems.add(f"{a_where}{unknown}", "is not a known field")
            answer_text = _text(raw, "text", a_where, problems)
            feedback = _text(raw, "feedback", a_where, problems)
            correct = raw.get("correct")
            if correct is None:
                problems.add(f"{a_where}correct", "is missing")
            elif not isinstance(correct, bool):
                problems.add(f"{a_where}correct", "must be true or false")
            misconception = None
            if "misconception" in raw:
                misconception = _text(raw, "misconception", a_where, problems)
                if correct is True:
                    problems.add(
                        f"{a_where}misconception", "belongs on a wrong answer, not the right one"
                    )
            if answer_text and feedback and isinstance(correct, bool):
                answers.append(Answer(answer_text, correct, feedback, misconception))
        right = sum(
            1 for raw in raw_answers if isinstance(raw, dict) and raw.get("correct") is True
        )
        if right != 1:
            problems.add(f"{where}answers", f"has {right} correct answers; it needs exactly one")
        if text and len(answers) == len(raw_answers) and right == 1:
            questions.append(
                Question(
                    text, tuple(answers), objective - 1 if objective else None, tuple(framework)
                )
            )
    return questions


def _parse_sections(body: str, problems: _Problems) -> dict[str, Section]:
    headings = list(_HEADING.finditer(body))
    found = [match.group(1) for match in headings]
    expected = [title for _, title in SECTIONS]
    if found != expected:
        missing = [title for title in expected if title not in found]
        extra = [title for title in found if title not in expected]
        detail = []
        if missing:
            detail.append("missing " + ", ".join(f'"## {t}"' for t in missing))
        if extra:
            detail.append("unexpected " + ", ".join(f'"## {t}"' for t in extra))
        if not detail:
            detail.append("in the wrong order")
        problems.add(
            "sections",
            "must be exactly "
            + ", ".join(f'"## {t}"' for t in expected)
            + " in this order: "
            + "; ".join(detail),
        )
        return {}
    sections: dict[str, Section] = {}
    if body[: headings[0].start()].strip():
        problems.add("sections", 'have text before "## Learn"')
    for n, (key, title) in enumerate(SECTIONS):
        start = headings[n].end()
        end = headings[n + 1].start() if n + 1 < len(headings) else len(body)
        source = body[start:end].strip()
        if not source:
            problems.add(f'section "{title}"', "is empty")
        sections[key] = Section(key, title, source, render_section(source))
    return sections


def parse_lesson(path: Path) -> tuple[Lesson | None, list[str]]:
    """Read one lesson file: the lesson, or None and the problems (each naming file and field)."""
    problems = _Problems(path.name)
    parts = _front_matter_and_body(path, problems)
    if parts is None:
        return None, problems.items
    data, body = parts

    for unknown in sorted(set(data) - set(_FIELDS), key=str):
        problems.add(str(unknown), "is not a known field")
    lesson_id = _text(data, "id", "", problems)
    title = _text(data, "title", "", problems)
    year_group = _year_group(data, problems)
    strand = _strand(data, problems)
    if lesson_id is not None:
        _check_id(lesson_id, path, year_group, strand, problems)
    objectives = _objectives(data, problems)
    key_words = _key_words(data, problems)
    minutes = _minutes(data, year_group, problems)
    four_cs = _four_cs(data, problems)
    reviewed, owner = _review(data, problems)
    framework = _references(data, "", problems)
    quiz_items = _list(data, "quiz", 3, 6, problems)
    quiz = _parse_quiz(quiz_items, len(objectives), problems) if quiz_items is not None else []
    sections = _parse_sections(body, problems)

    if problems.items:
        return None, problems.items
    assert lesson_id and title and year_group is not None and strand is not None  # noqa: S101
    lesson = Lesson(
        id=lesson_id,
        year_group=year_group,
        strand=strand,
        title=title,
        objectives=tuple(o.strip() for o in objectives),
        key_words=tuple(key_words),
        minutes=int(minutes or 0),
        four_cs=tuple(four_cs),
        quiz=tuple(quiz),
        sections=sections,
        reviewed=reviewed,
        owner=owner,
        framework=tuple(framework),
    )
    return lesson, []


def _front_matter_and_body(path: Path, problems: _Problems) -> tuple[dict, str] | None:
    """The YAML block as a mapping and the Markdown after it, or None when either is unusable."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.add("", f"cannot be read ({error})")
        return None
    match = _FRONT_MATTER.match(raw.lstrip("\ufeff"))
    if match is None:
        problems.add("front matter", "is missing: the file must start with a '---' block")
        return None
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problems.add(
            "front matter", f"is not valid YAML{where}: {getattr(error, 'problem', error)}"
        )
        return None
    if not isinstance(data, dict):
        problems.add("front matter", "must be a set of 'field: value' lines")
        return None
    return data, match.group(2)


def _year_group(data: dict, problems: _Problems) -> YearGroup | None:
    year_key = _text(data, "year_group", "", problems)
    if year_key is None:
        return None
    try:
        return YearGroup[year_key.upper()]
    except KeyError:
        keys = ", ".join(y.key for y in YearGroup)
        problems.add("year_group", f'"{year_key}" is not a year group (use one of: {keys})')
        return None


def _strand(data: dict, problems: _Problems) -> Strand | None:
    strand_key = _text(data, "strand", "", problems)
    if strand_key is None:
        return None
    try:
        return Strand(strand_key)
    except ValueError:
        keys = ", ".join(s.value for s in Strand)
        problems.add("strand", f'"{strand_key}" is not a strand (use one of: {keys})')
        return None


def _check_id(
    lesson_id: str,
    path: Path,
    year_group: YearGroup | None,
    strand: Strand | None,
    problems: _Problems,
) -> None:
    """A lesson's id is its file name, and says its year and strand, so files sort and find."""
    if lesson_id != path.stem:
        problems.add("id", f'"{lesson_id}" must match the file name "{path.stem}"')
    if year_group is not None and strand is not None:
        stem = f"{_YEAR_PREFIX[year_group]}-{strand.slug}"
        if not re.fullmatch(re.escape(stem) + r"(-[0-9]+)?", lesson_id):
            problems.add("id", f'"{lesson_id}" must be "{stem}" or "{stem}-N"')


def _objectives(data: dict, problems: _Problems) -> list:
    objectives = _list(data, "objectives", 2, 3, problems) or []
    for n, objective in enumerate(objectives):
        if not isinstance(objective, str) or not objective.strip().startswith("I can"):
            problems.add(f"objectives[{n}]", 'must be text starting "I can"')
    return objectives


def _key_words(data: dict, problems: _Problems) -> list[KeyWord]:
    key_words: list[KeyWord] = []
    for n, item in enumerate(_list(data, "key_words", 2, 5, problems) or []):
        if not isinstance(item, dict):
            problems.add(f"key_words[{n}]", "must have a word and a meaning")
            continue
        word = _text(item, "word", f"key_words[{n}].", problems)
        meaning = _text(item, "meaning", f"key_words[{n}].", problems)
        if word and meaning:
            key_words.append(KeyWord(word, meaning))
    return key_words


def _minutes(data: dict, year_group: YearGroup | None, problems: _Problems) -> int | None:
    """A lesson's length suits the age: shorter for Reception to Year 2."""
    minutes = data.get("minutes")
    if minutes is None:
        problems.add("minutes", "is missing")
        return None
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        problems.add("minutes", "must be a whole number")
        return None
    if year_group is not None:
        low, high = _MINUTES[year_group <= YearGroup.YEAR_2]
        if not low <= minutes <= high:
            problems.add("minutes", f"is {minutes}; for {year_group.label} use {low} to {high}")
    return minutes


def _four_cs(data: dict, problems: _Problems) -> list[FourC]:
    four_cs: list[FourC] = []
    for n, item in enumerate(_list(data, "four_cs", 1, 4, problems) or []):
        try:
            four_cs.append(FourC(item))
        except ValueError:
            problems.add(
                f"four_cs[{n}]", f'"{item}" is not one of content, contact, conduct, commerce'
            )
    return four_cs


def _review(data: dict, problems: _Problems) -> tuple[date | None, str | None]:
    """When the lesson was last reviewed and who looks after it: a reviewed lesson has an owner."""
    reviewed = data.get("reviewed")
    if reviewed is not None and not isinstance(reviewed, date):
        problems.add("reviewed", "must be a date like 2026-12-03")
        reviewed = None
    owner = _text(data, "owner", "", problems) if "owner" in data else None
    if "reviewed" in data and "owner" not in data:
        problems.add("owner", "is missing: say who looks after the lesson")
    return reviewed, owner


def lesson_files(content_dir: Path) -> list[Path]:
    return sorted(content_dir.glob("*.md"))


def load_catalogue(content_dir: Path = CONTENT_DIR) -> Catalogue:
    """Load every lesson; raise CatalogueError listing every problem in every file."""
    problems: list[str] = []
    lessons: list[Lesson] = []
    files = lesson_files(content_dir)
    if not files:
        raise CatalogueError([f"{content_dir}: no lesson files (*.md) found"])
    for path in files:
        lesson, found = parse_lesson(path)
        problems.extend(found)
        if lesson is not None:
            lessons.append(lesson)
    if problems:
        raise CatalogueError(problems)
    lessons.sort(key=Lesson.sort_key)
    return Catalogue({lesson.id: lesson for lesson in lessons})


def missing_cells(catalogue: Catalogue, min_questions: int = 3) -> list[str]:
    """The (year group, strand) pairs with no lesson of at least `min_questions` questions."""
    gaps = []
    for year in YearGroup:
        for strand in Strand:
            if not any(
                len(lesson.quiz) >= min_questions for lesson in catalogue.in_cell(year, strand)
            ):
                gaps.append(f"{year.label}: {strand.label}")
    return gaps


#: Phrasing from a teacher's script. A pupil may read a lesson alone, so the sections they read
#: speak to them ("1. Look at the pictures."); running it with a class goes in the teacher notes.
TEACHER_SCRIPT = re.compile(
    r"\b(?:the children|(?:ask|show|tell) the class|(?:pupils|children) should"
    r"|the teacher (?:reads|shows|writes|holds|names|mixes|draws|rings)"
    r"|in pairs|in (?:small )?groups|each group|your partner)\b",
    re.IGNORECASE,
)


def teacher_script_problems(catalogue: Catalogue) -> list[str]:
    """What `lessons check` reports: teacher-script words in a section a pupil reads alone."""
    problems = []
    for lesson in catalogue:
        for key in PUPIL_SECTIONS:
            section = lesson.section(key)
            found = sorted({m.group(0).lower() for m in TEACHER_SCRIPT.finditer(section.source)})
            if found:
                problems.append(
                    f'{lesson.id}.md: section "{section.title}" speaks to a teacher '
                    f"({', '.join(repr(f) for f in found)}); write steps a pupil can follow "
                    'alone and move the class script to "## Teacher notes"'
                )
    return problems


@cache
def get_catalogue() -> Catalogue:
    """The package's lessons, loaded once per process (they are data shipped with the code)."""
    return load_catalogue(CONTENT_DIR)


def lesson_or_none(lesson_id: str) -> Lesson | None:
    return get_catalogue().get(lesson_id)


def lessons_by_id(ids: Iterable[str]) -> list[Lesson]:
    """The catalogue's lessons for these ids (ids no longer in the catalogue are skipped)."""
    catalogue = get_catalogue()
    found = [catalogue.get(i) for i in ids]
    return sorted((lesson for lesson in found if lesson is not None), key=Lesson.sort_key)


#: A lesson is read through again at least this often; `lessons check` warns after that.
REVIEW_DAYS = 365


def review_warnings(catalogue: Catalogue, today: date) -> list[str]:
    """Warnings (not failures) for `lessons check`: never reviewed, or reviewed over a year ago."""
    never = [lesson.id for lesson in catalogue if lesson.reviewed is None]
    old = [
        f"{lesson.id} (reviewed {lesson.reviewed.isoformat()})"
        for lesson in catalogue
        if lesson.reviewed is not None and (today - lesson.reviewed).days > REVIEW_DAYS
    ]
    warnings = []
    if never:
        warnings.append(f"lessons: {len(never)} have no reviewed date and owner")
    if old:
        warnings.append(f"lessons: reviewed over a year ago: {', '.join(old)}")
    return warnings


def statement_rows(lesson: Lesson) -> list[dict[str, Any]]:
    """A lesson's "I can" statements, each with the quiz questions that check it."""
    return [
        {
            "id": f"{lesson.id}#{n + 1}",
            "text": text,
            "questions": [q for q, question in enumerate(lesson.quiz) if question.checks(n)],
        }
        for n, text in enumerate(lesson.objectives)
    ]


def as_json_rows(
    catalogue: Catalogue, framework_text: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """What `lessons list --json` prints, one object per lesson.

    `statements` are the framework statements the lesson teaches (reference and our wording);
    `objectives` are its own "I can" rows, each with the questions that check it.
    """
    texts = framework_text or {}
    return [
        {
            "id": lesson.id,
            "year_group": int(lesson.year_group),
            "strand": lesson.strand.value,
            "title": lesson.title,
            "questions": len(lesson.quiz),
            "statements": [{"ref": ref, "text": texts.get(ref)} for ref in lesson.framework],
            "objectives": statement_rows(lesson),
            "reviewed": lesson.reviewed.isoformat() if lesson.reviewed else None,
            "owner": lesson.owner,
        }
        for lesson in catalogue
    ]


# --- Quiz lint: can a question be answered without understanding it? ---------------------------

#: How far above chance a year group's right answers may sit at one place in the options'
#: lengths. With three options the right one is, by chance, the longest in a third of questions,
#: the shortest in a third and in between in a third. A cue at any of the three can be learned
#: ("pick the longest", "never the longest", "the middle one"), so each is held to a fair share:
#: 40% from Year 1 up, a few questions' room in a year of 30 to 60 questions, which fails the
#: 70-95% "longest" measured before the rewrite. Reception keeps two options (the question is
#: read to the child), where chance is a half, so its limit for longest or shortest is 57%.
SHAPE_MARGIN = 0.07
#: The places the right answer's length can take among a question's options.
SHAPES = ("longest", "shortest", "in between")


def fewest_options(year_group: YearGroup) -> int:
    """Two options only in Reception (read to the child); three or more from Year 1 up."""
    return 2 if year_group == YearGroup.RECEPTION else 3


def right_answer_shape(question: Question) -> str | None:
    """Where the right answer's length sits: longest, shortest, in between; None for a tie."""
    lengths = [len(answer.text) for answer in question.answers]
    mine = lengths[question.correct_index]
    if lengths.count(mine) > 1:
        return None
    if mine == max(lengths):
        return "longest"
    if mine == min(lengths):
        return "shortest"
    return "in between"


def right_is_uniquely_longest(question: Question) -> bool:
    return right_answer_shape(question) == "longest"


def right_is_uniquely_shortest(question: Question) -> bool:
    return right_answer_shape(question) == "shortest"


def _chance(question: Question, shape: str) -> float:
    n = len(question.answers)
    return (n - 2) / n if shape == "in between" else 1 / n


@dataclass(frozen=True)
class YearQuizBias:
    """How guessable one year group's quizzes are from the options' lengths alone."""

    year_group: YearGroup
    questions: int
    #: shape -> questions whose right answer has it
    counts: dict[str, int] = field(hash=False)
    #: shape -> the share chance alone would give (the mean over questions)
    chance: dict[str, float] = field(hash=False)
    too_few_options: list[str] = field(hash=False)

    def share(self, shape: str) -> float:
        return self.counts[shape] / self.questions if self.questions else 0.0

    def limit(self, shape: str) -> float:
        return round(self.chance[shape] + SHAPE_MARGIN, 2)

    @property
    def right_longest(self) -> int:
        return self.counts["longest"]

    @property
    def right_shortest(self) -> int:
        return self.counts["shortest"]

    @property
    def right_longest_share(self) -> float:
        return self.share("longest")

    @property
    def right_shortest_share(self) -> float:
        return self.share("shortest")


def quiz_bias(catalogue: Catalogue) -> list[YearQuizBias]:
    results = []
    for year in YearGroup:
        questions = [
            (lesson.id, n, question)
            for lesson in catalogue.for_year(year)
            for n, question in enumerate(lesson.quiz)
        ]
        if not questions:
            continue
        shapes = [right_answer_shape(q) for *_, q in questions]
        results.append(
            YearQuizBias(
                year_group=year,
                questions=len(questions),
                counts={shape: shapes.count(shape) for shape in SHAPES},
                chance={
                    shape: sum(_chance(q, shape) for *_, q in questions) / len(questions)
                    for shape in SHAPES
                },
                too_few_options=[
                    f"{lesson_id} quiz[{n}]"
                    for lesson_id, n, q in questions
                    if len(q.answers) < fewest_options(year)
                ],
            )
        )
    return results


def quiz_problems(catalogue: Catalogue) -> list[str]:
    """What `lessons check` reports about quizzes that could be passed by a cue, not a reason."""
    problems = []
    for bias in quiz_bias(catalogue):
        for shape in SHAPES:
            if bias.share(shape) > bias.limit(shape):
                what = "of middle length" if shape == "in between" else f"the {shape} option"
                problems.append(
                    f"quiz lint: in {bias.year_group.label} the right answer is {what} "
                    f"in {bias.counts[shape]} of {bias.questions} questions "
                    f"({bias.share(shape):.0%}); keep it at {bias.limit(shape):.0%} or less"
                )
        for where in bias.too_few_options:
            problems.append(
                f"quiz lint: {where} needs at least {fewest_options(bias.year_group)} options "
                f"for {bias.year_group.label}"
            )
    return problems
