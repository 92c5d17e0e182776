"""The statement map: UKCIS "Education for a Connected World" (2020), in our words, by year group.

The framework sets out, per strand and age band, what children should be able to do online. The
data file (data/connected_world.yaml) holds each statement of the two bands a primary school
covers, in our own plain wording, with the year groups where this school teaches it. Lessons
name the statements they teach in their front matter, and `lessons check` fails when a year
group the map promises has no lesson for a statement, so the map stays honest.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from ..school.models import YearGroup
from .catalogue import REFERENCE, Catalogue, Strand
from .datafiles import DataFileError, read_data_file

FRAMEWORK_FILE = Path(__file__).resolve().parent / "data" / "connected_world.yaml"
#: The map is read against the published framework at least this often.
REVIEW_DAYS = 365


class Band(enum.StrEnum):
    """The framework's two age bands that a primary school covers."""

    EARLY_YEARS_TO_7 = "EY-7"
    AGES_7_TO_11 = "7-11"

    @property
    def label(self) -> str:
        return "Early years to age 7" if self is Band.EARLY_YEARS_TO_7 else "Ages 7 to 11"

    @property
    def years(self) -> tuple[YearGroup, ...]:
        """Reception to Year 2 for the first band; Years 3 to 6 for the second."""
        if self is Band.EARLY_YEARS_TO_7:
            return (YearGroup.RECEPTION, YearGroup.YEAR_1, YearGroup.YEAR_2)
        return (YearGroup.YEAR_3, YearGroup.YEAR_4, YearGroup.YEAR_5, YearGroup.YEAR_6)


#: The two-letter code that starts each reference, per strand.
STRAND_CODES = {
    Strand.SELF_IMAGE_AND_IDENTITY: "SI",
    Strand.ONLINE_RELATIONSHIPS: "OR",
    Strand.ONLINE_REPUTATION: "RP",
    Strand.ONLINE_BULLYING: "OB",
    Strand.MANAGING_ONLINE_INFORMATION: "MI",
    Strand.HEALTH_WELLBEING_AND_LIFESTYLE: "HW",
    Strand.PRIVACY_AND_SECURITY: "PS",
    Strand.COPYRIGHT_AND_OWNERSHIP: "CO",
}


@dataclass(frozen=True)
class FrameworkStatement:
    ref: str
    strand: Strand
    band: Band
    #: Our own paraphrase, never the framework's wording.
    text: str
    #: The year groups in which this school teaches it.
    years: tuple[YearGroup, ...]

    @property
    def number(self) -> int:
        return int(self.ref.rsplit(".", 1)[1])

    def sort_key(self) -> tuple[int, int, int]:
        return (list(Strand).index(self.strand), list(Band).index(self.band), self.number)


@dataclass(frozen=True)
class Framework:
    statements: dict[str, FrameworkStatement]
    reviewed: date
    owner: str

    def get(self, ref: str) -> FrameworkStatement | None:
        return self.statements.get(ref)

    def __iter__(self):
        return iter(self.statements.values())

    def __len__(self) -> int:
        return len(self.statements)

    def for_year(self, year_group: YearGroup) -> list[FrameworkStatement]:
        """The statements this school teaches in a year group, in the framework's order."""
        return [s for s in self.statements.values() if year_group in s.years]

    def in_band(self, band: Band) -> list[FrameworkStatement]:
        return [s for s in self.statements.values() if s.band is band]

    @property
    def texts(self) -> dict[str, str]:
        return {ref: s.text for ref, s in self.statements.items()}


class FrameworkError(DataFileError):
    """The map file is wrong; `problems` names each entry and field."""


def _year(key: object) -> YearGroup | None:
    try:
        return YearGroup[str(key).upper()]
    except KeyError:
        return None


def _statement(item: object, where: str, problems: list[str]) -> FrameworkStatement | None:
    if not isinstance(item, dict):
        problems.append(f"{where} must have ref, strand, band, text and years")
        return None
    for unknown in sorted(set(item) - {"ref", "strand", "band", "text", "years"}, key=str):
        problems.append(f"{where}.{unknown} is not a known field")
    ref, text = item.get("ref"), item.get("text")
    try:
        strand = Strand(str(item.get("strand")))
    except ValueError:
        problems.append(f"{where}.strand {item.get('strand')!r} is not a strand")
        return None
    try:
        band = Band(str(item.get("band")))
    except ValueError:
        problems.append(f"{where}.band must be EY-7 or 7-11")
        return None
    if not isinstance(ref, str) or not REFERENCE.fullmatch(ref):
        problems.append(f"{where}.ref {ref!r} is not a reference like OR.7-11.3")
        return None
    if not ref.startswith(f"{STRAND_CODES[strand]}.{band.value}."):
        problems.append(f"{where}.ref {ref} must start {STRAND_CODES[strand]}.{band.value}.")
        return None
    if not isinstance(text, str) or not text.strip():
        problems.append(f"{where}.text is missing")
        return None
    raw_years = item.get("years")
    if not isinstance(raw_years, list):
        problems.append(f"{where}.years must be a list of year groups, like [year_3, year_4]")
        return None
    years = []
    for key in raw_years:
        year = _year(key)
        if year is None:
            problems.append(f"{where}.years: {key!r} is not a year group")
        elif year not in band.years:
            problems.append(f"{where}.years: {year.label} is outside the {band.label} band")
        else:
            years.append(year)
    return FrameworkStatement(ref, strand, band, text.strip(), tuple(sorted(set(years))))


def load_framework(path: Path = FRAMEWORK_FILE) -> Framework:
    """Read and check the map; raise FrameworkError naming the entry and the field."""
    name = path.name
    data = read_data_file(path, FrameworkError)
    if not isinstance(data, dict):
        raise FrameworkError([f"{name}: must have reviewed, owner and statements"])
    problems: list[str] = []
    reviewed, owner = data.get("reviewed"), data.get("owner")
    if not isinstance(reviewed, date):
        problems.append(f"{name}: reviewed must be a date like 2026-12-03")
    if not isinstance(owner, str) or not owner.strip():
        problems.append(f"{name}: owner is missing: say who looks after the map")
    raw = data.get("statements")
    if not isinstance(raw, list) or not raw:
        raise FrameworkError([*problems, f"{name}: statements must be a list"])
    statements: dict[str, FrameworkStatement] = {}
    for n, item in enumerate(raw):
        statement = _statement(item, f"{name}: statements[{n}]", problems)
        if statement is None:
            continue
        if statement.ref in statements:
            problems.append(f"{name}: {statement.ref} appears twice")
            continue
        statements[statement.ref] = statement
    # References follow the framework's order: 1, 2, 3 ... within each strand and band.
    for strand in Strand:
        for band in Band:
            numbers = sorted(
                s.number for s in statements.values() if s.strand is strand and s.band is band
            )
            if numbers != list(range(1, len(numbers) + 1)):
                problems.append(
                    f"{name}: {STRAND_CODES[strand]}.{band.value} statements must be numbered "
                    f"1 to {len(numbers)} with no gaps"
                )
            elif not numbers:
                problems.append(f"{name}: {strand.label} has no statements for {band.label}")
    if problems:
        raise FrameworkError(problems)
    assert isinstance(reviewed, date) and isinstance(owner, str)  # else a problem was raised
    ordered = sorted(statements.values(), key=FrameworkStatement.sort_key)
    return Framework({s.ref: s for s in ordered}, reviewed, owner.strip())


@cache
def get_framework() -> Framework:
    """The package's map, loaded once per process."""
    return load_framework(FRAMEWORK_FILE)


# --- What `lessons check` reports ---------------------------------------------------------------


def unknown_references(framework: Framework, catalogue: Catalogue) -> list[str]:
    """Lessons or questions naming a statement the map does not have, or none at all."""
    problems = []
    for lesson in catalogue:
        if not lesson.framework:
            problems.append(f"{lesson.id}: framework names no statement the lesson teaches")
        for ref in lesson.framework:
            if ref not in framework.statements:
                problems.append(f"{lesson.id}: framework names {ref}, which is not in the map")
        for n, question in enumerate(lesson.quiz):
            for ref in question.framework:
                if ref not in framework.statements:
                    problems.append(
                        f"{lesson.id}: quiz[{n}].framework names {ref}, which is not in the map"
                    )
                elif ref not in lesson.framework:
                    problems.append(
                        f"{lesson.id}: quiz[{n}].framework names {ref}, "
                        "which the lesson's framework does not list"
                    )
    return problems


def framework_gaps(framework: Framework, catalogue: Catalogue) -> list[str]:
    """Each statement and year group where the map says it is taught but no lesson teaches it."""
    taught = {(lesson.year_group, ref) for lesson in catalogue for ref in lesson.framework}
    gaps = []
    for statement in framework:
        if not statement.years:
            gaps.append(f"framework: {statement.ref} is taught in no year group")
        for year in statement.years:
            if (year, statement.ref) not in taught:
                gaps.append(
                    f"framework: {statement.ref} ({year.label}) has no lesson that teaches it"
                )
    return gaps


def framework_warnings(framework: Framework, today: date) -> list[str]:
    if (today - framework.reviewed).days > REVIEW_DAYS:
        return [
            f"framework map: reviewed {framework.reviewed.isoformat()}, over a year ago: "
            "check it against the published framework"
        ]
    return []


def band_counts(framework: Framework) -> dict[Band, int]:
    return {band: len(framework.in_band(band)) for band in Band}
