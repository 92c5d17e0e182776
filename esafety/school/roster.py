"""Roster import: the office uploads one CSV of classes, pupils and parents.

Every row is checked first; nothing is imported unless every row is valid; importing the same
file again updates what is there instead of adding duplicates.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from .. import audit
from ..auth.accounts import may_manage
from ..auth.models import User, UserRole
from ..auth.roles import Role
from ..auth.services import (
    create_user,
    find_by_email,
    set_picture_password,
)
from ..extensions import db
from .models import ParentLink, Pupil, SchoolClass, YearGroup
from .services import current_academic_year, give_avatar, new_login_code

COLUMNS = [
    "class_name",
    "year_group",
    "pupil_reference",
    "pupil_first_name",
    "pupil_last_name",
    "pupil_date_of_birth",
    "parent_email",
    "parent_first_name",
    "parent_last_name",
    "parent_relationship",
]
REQUIRED = COLUMNS[:6]
YEAR_GROUP_WORDS = {
    "reception": YearGroup.RECEPTION,
    "r": YearGroup.RECEPTION,
    "0": YearGroup.RECEPTION,
    **{f"year {n}": YearGroup(n) for n in range(1, 7)},
    **{f"y{n}": YearGroup(n) for n in range(1, 7)},
    **{str(n): YearGroup(n) for n in range(1, 7)},
}
MAX_ROWS = 5000


def template_csv() -> str:
    """The file the office downloads and fills in, with one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "Oak",
            "Year 3",
            "P1001",
            "Amelia",
            "Stone",
            "2018-05-14",
            "j.stone@example.com",
            "Jo",
            "Stone",
            "Mother",
        ]
    )
    return out.getvalue()


@dataclass
class RowError:
    row: int  # the line number in the file, counting the header as line 1
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    classes_created: int = 0
    pupils_created: int = 0
    pupils_updated: int = 0
    parents_created: int = 0
    links_created: int = 0
    #: New pupils' picture passwords, shown once so the teacher can print them.
    new_pictures: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    class_name: str
    year_group: YearGroup
    reference: str
    first_name: str
    last_name: str
    date_of_birth: date
    parent_email: str | None
    parent_first_name: str
    parent_last_name: str
    parent_relationship: str


def _required(
    values: dict[str, str], line: int, errors: list[RowError], column: str, label: str
) -> str:
    value = values.get(column, "")
    if not value:
        errors.append(RowError(line, column, f"{label} is empty."))
    elif len(value) > 80:
        errors.append(RowError(line, column, f"{label} is longer than 80 characters."))
    return value


def parse_rows(raw: bytes) -> tuple[list[_Row], list[RowError]]:
    """Check every row and column; return the good rows and every error found."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowError(1, "file", "The file is not UTF-8 text. Save it as 'CSV UTF-8'.")]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [RowError(1, c, "This column is missing from the header row.") for c in missing]
    reader.fieldnames = header
    rows: list[_Row] = []
    errors: list[RowError] = []
    seen_refs: dict[str, tuple[int, tuple]] = {}
    for number, record in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            errors.append(RowError(number, "file", f"A file may hold at most {MAX_ROWS} rows."))
            break
        values = {k: (v or "").strip() for k, v in record.items() if k}
        if not any(values.values()):
            continue
        row, row_errors = check_row(values, number, date.today())
        if row is not None:
            row_errors += _reference_clash(row, seen_refs)
        if row_errors:
            errors.extend(row_errors)
        elif row is not None:
            rows.append(row)
    if not rows and not errors:
        errors.append(RowError(2, "file", "The file has a header but no pupils."))
    return rows, errors


def check_row(values: dict[str, str], line: int, today: date) -> tuple[_Row | None, list[RowError]]:
    """One row's own rules: names present, a real year group, a primary-age birthday, a parent
    with an email and a name. Returns the row, or None and what is wrong with it."""
    errors: list[RowError] = []
    class_name = _required(values, line, errors, "class_name", "The class name")
    reference = _required(values, line, errors, "pupil_reference", "The pupil reference")
    first_name = _required(values, line, errors, "pupil_first_name", "The pupil's first name")
    last_name = _required(values, line, errors, "pupil_last_name", "The pupil's last name")
    year_group = _year_group(values, line, errors)
    date_of_birth = _date_of_birth(values, line, errors, today)
    email = _parent_email(values, line, errors)
    if errors or year_group is None or date_of_birth is None:
        return None, errors
    return (
        _Row(
            line,
            class_name,
            year_group,
            reference,
            first_name,
            last_name,
            date_of_birth,
            email,
            values.get("parent_first_name", ""),
            values.get("parent_last_name", ""),
            values.get("parent_relationship", "") or "Parent",
        ),
        [],
    )


def _year_group(values: dict[str, str], line: int, errors: list[RowError]) -> YearGroup | None:
    year_group = YEAR_GROUP_WORDS.get(values.get("year_group", "").lower())
    if year_group is None:
        errors.append(
            RowError(
                line,
                "year_group",
                f"'{values.get('year_group', '')}' is not a year group: "
                "use Reception or Year 1 to Year 6.",
            )
        )
    return year_group


def _date_of_birth(
    values: dict[str, str], line: int, errors: list[RowError], today: date
) -> date | None:
    text = values.get("pupil_date_of_birth", "")
    try:
        born = date.fromisoformat(text)
    except ValueError:
        errors.append(
            RowError(line, "pupil_date_of_birth", f"'{text}' is not a date like 2018-05-14.")
        )
        return None
    if not 3 <= today.year - born.year <= 13:
        errors.append(
            RowError(line, "pupil_date_of_birth", "That date of birth is not a primary-school age.")
        )
    return born


def _parent_email(values: dict[str, str], line: int, errors: list[RowError]) -> str | None:
    email = values.get("parent_email", "") or None
    if not email:
        return None
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors.append(RowError(line, "parent_email", f"'{email}' is not an email address."))
    if not values.get("parent_first_name") or not values.get("parent_last_name"):
        errors.append(
            RowError(
                line, "parent_first_name", "A parent with an email needs a first and last name."
            )
        )
    return email


def _reference_clash(row: _Row, seen: dict[str, tuple[int, tuple]]) -> list[RowError]:
    """One pupil reference means one child: the same reference with other details is a mistake."""
    identity = (row.first_name, row.last_name, row.date_of_birth, row.class_name)
    first = seen.setdefault(row.reference, (row.line, identity))
    if first[1] == identity:
        return []
    return [
        RowError(
            row.line,
            "pupil_reference",
            f"Pupil reference {row.reference} is also used on row {first[0]} "
            "for different details.",
        )
    ]


def import_roster(actor: User, raw: bytes) -> ImportResult:
    """Validate the whole file, then apply it in the caller's transaction, or change nothing."""
    rows, errors = parse_rows(raw)
    result = ImportResult(errors=errors)
    if errors:
        return result
    year = current_academic_year()
    classes = {
        c.name.lower(): c
        for c in db.session.scalars(
            select(SchoolClass).where(SchoolClass.academic_year_id == year.id)
        )
    }
    result.errors = _year_group_changes(rows, classes) + _staff_made_parents(actor, rows)
    if result.errors:
        return result
    pupils = {
        p.reference: p
        for p in db.session.scalars(
            select(Pupil).where(Pupil.reference.in_({r.reference for r in rows}))
        )
    }
    for row in rows:
        school_class = _class_for(row, classes, year.id, result)
        pupil = _pupil_for(actor, row, school_class, pupils, result)
        if row.parent_email:
            _link_parent(row, row.parent_email, pupil, result)
    audit.record(
        "school.roster_imported",
        actor=actor,
        rows=len(rows),
        classes_created=result.classes_created,
        pupils_created=result.pupils_created,
        pupils_updated=result.pupils_updated,
        parents_created=result.parents_created,
    )
    return result


def _year_group_changes(rows: list[_Row], classes: dict[str, SchoolClass]) -> list[RowError]:
    """A class keeps its year group for the year: a file that moves one is refused whole."""
    errors = []
    for row in rows:
        existing = classes.get(row.class_name.lower())
        if existing and existing.year_group != row.year_group:
            errors.append(
                RowError(
                    row.line,
                    "year_group",
                    f"Class {existing.name} is already {existing.year_group.label} this year.",
                )
            )
    return errors


def _staff_made_parents(actor: User, rows: list[_Row]) -> list[RowError]:
    """Making a member of staff a parent changes their account: the grant table decides."""
    errors = []
    for row in rows:
        adult = find_by_email(row.parent_email) if row.parent_email else None
        if adult is not None and not adult.has_role(Role.PARENT) and not may_manage(actor, adult):
            errors.append(
                RowError(
                    row.line,
                    "parent_email",
                    "This email belongs to a member of staff whose account you cannot change. "
                    "Ask the headteacher to link them as a parent.",
                )
            )
    return errors


def _class_for(
    row: _Row, classes: dict[str, SchoolClass], year_id: int, result: ImportResult
) -> SchoolClass:
    school_class = classes.get(row.class_name.lower())
    if school_class is None:
        school_class = SchoolClass(
            name=row.class_name,
            year_group=row.year_group,
            academic_year_id=year_id,
            login_code=new_login_code(),
        )
        db.session.add(school_class)
        db.session.flush()
        classes[row.class_name.lower()] = school_class
        result.classes_created += 1
    return school_class


def _pupil_for(
    actor: User,
    row: _Row,
    school_class: SchoolClass,
    pupils: dict[str, Pupil],
    result: ImportResult,
) -> Pupil:
    """The pupil with this reference, made (with new pictures to print) or brought up to date."""
    pupil = pupils.get(row.reference)
    if pupil is None:
        user = create_user(row.first_name, row.last_name, [Role.PUPIL])
        pupil = Pupil(
            user_id=user.id,
            reference=row.reference,
            first_name=row.first_name,
            last_name=row.last_name,
            date_of_birth=row.date_of_birth,
            class_id=school_class.id,
        )
        give_avatar(pupil)
        db.session.add(pupil)
        db.session.flush()
        pupils[row.reference] = pupil
        result.new_pictures[f"{row.first_name} {row.last_name}"] = set_picture_password(actor, user)
        result.pupils_created += 1
    elif (pupil.first_name, pupil.last_name, pupil.date_of_birth, pupil.class_id) != (
        row.first_name,
        row.last_name,
        row.date_of_birth,
        school_class.id,
    ):
        pupil.first_name, pupil.last_name = row.first_name, row.last_name
        pupil.user.first_name, pupil.user.last_name = row.first_name, row.last_name
        moved = pupil.class_id != school_class.id
        pupil.date_of_birth, pupil.class_id = row.date_of_birth, school_class.id
        if moved:
            give_avatar(pupil)
        result.pupils_updated += 1
    return pupil


def _link_parent(row: _Row, email: str, pupil: Pupil, result: ImportResult) -> None:
    """The parent's account (made if new, or given the parent role) linked to the pupil."""
    parent = find_by_email(email)
    if parent is None:
        parent = create_user(
            row.parent_first_name, row.parent_last_name, [Role.PARENT], email=email
        )
        result.parents_created += 1
    elif not parent.has_role(Role.PARENT):
        parent.roles.append(UserRole(role=Role.PARENT))
    if db.session.get(ParentLink, (parent.id, pupil.id)) is None:
        db.session.add(
            ParentLink(
                parent_id=parent.id,
                pupil_id=pupil.id,
                relationship_to_pupil=row.parent_relationship[:40],
            )
        )
        db.session.flush()
        result.links_created += 1
