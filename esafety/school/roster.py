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
from ..auth.models import User
from ..auth.roles import Role
from ..auth.services import (
    create_user,
    find_by_email,
    random_picture_sequence,
    set_picture_password,
)
from ..extensions import db
from .models import ParentLink, Pupil, SchoolClass, YearGroup
from .services import current_academic_year, new_login_code

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
    errors: list[RowError] = []
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
    seen_refs: dict[str, tuple[int, tuple]] = {}
    today = date.today()
    for number, record in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            errors.append(RowError(number, "file", f"A file may hold at most {MAX_ROWS} rows."))
            break
        values = {k: (v or "").strip() for k, v in record.items() if k}
        if not any(values.values()):
            continue
        row_errors: list[RowError] = []

        class_name = _required(values, number, row_errors, "class_name", "The class name")
        reference = _required(values, number, row_errors, "pupil_reference", "The pupil reference")
        first_name = _required(
            values, number, row_errors, "pupil_first_name", "The pupil's first name"
        )
        last_name = _required(
            values, number, row_errors, "pupil_last_name", "The pupil's last name"
        )
        year_text = values.get("year_group", "").lower()
        year_group = YEAR_GROUP_WORDS.get(year_text)
        if year_group is None:
            row_errors.append(
                RowError(
                    number,
                    "year_group",
                    f"'{values.get('year_group', '')}' is not a year group: "
                    "use Reception or Year 1 to Year 6.",
                )
            )
        dob_text = values.get("pupil_date_of_birth", "")
        dob = None
        try:
            dob = date.fromisoformat(dob_text)
        except ValueError:
            row_errors.append(
                RowError(
                    number, "pupil_date_of_birth", f"'{dob_text}' is not a date like 2018-05-14."
                )
            )
        if dob and not (3 <= (today.year - dob.year) <= 13):
            row_errors.append(
                RowError(
                    number, "pupil_date_of_birth", "That date of birth is not a primary-school age."
                )
            )
        email = values.get("parent_email", "") or None
        if email:
            try:
                email = validate_email(email, check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                row_errors.append(
                    RowError(number, "parent_email", f"'{email}' is not an email address.")
                )
            if not values.get("parent_first_name") or not values.get("parent_last_name"):
                row_errors.append(
                    RowError(
                        number,
                        "parent_first_name",
                        "A parent with an email needs a first and last name.",
                    )
                )
        if reference and not row_errors:
            identity = (first_name, last_name, dob, class_name)
            if reference in seen_refs and seen_refs[reference][1] != identity:
                row_errors.append(
                    RowError(
                        number,
                        "pupil_reference",
                        f"Pupil reference {reference} is also used on row "
                        f"{seen_refs[reference][0]} for different details.",
                    )
                )
            seen_refs.setdefault(reference, (number, identity))
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(
            _Row(
                number,
                class_name,
                year_group,
                reference,
                first_name,
                last_name,
                dob,
                email,
                values.get("parent_first_name", ""),
                values.get("parent_last_name", ""),
                values.get("parent_relationship", "") or "Parent",
            )
        )
    if not rows and not errors:
        errors.append(RowError(2, "file", "The file has a header but no pupils."))
    return rows, errors


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
    from ..auth.accounts import may_manage

    for row in rows:
        existing = classes.get(row.class_name.lower())
        adult = find_by_email(row.parent_email) if row.parent_email else None
        if adult is not None and not adult.has_role(Role.PARENT) and not may_manage(actor, adult):
            # Making someone a parent is a change to their account: the grant table decides.
            result.errors.append(
                RowError(
                    row.line,
                    "parent_email",
                    "This email belongs to a member of staff whose account you cannot change. "
                    "Ask the headteacher to link them as a parent.",
                )
            )
        if existing and existing.year_group != row.year_group:
            result.errors.append(
                RowError(
                    row.line,
                    "year_group",
                    f"Class {existing.name} is already {existing.year_group.label} this year.",
                )
            )
    if result.errors:
        return result
    pupils = {
        p.reference: p
        for p in db.session.scalars(
            select(Pupil).where(Pupil.reference.in_({r.reference for r in rows}))
        )
    }
    for row in rows:
        school_class = classes.get(row.class_name.lower())
        if school_class is None:
            school_class = SchoolClass(
                name=row.class_name,
                year_group=row.year_group,
                academic_year_id=year.id,
                login_code=new_login_code(),
            )
            db.session.add(school_class)
            db.session.flush()
            classes[row.class_name.lower()] = school_class
            result.classes_created += 1
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
                avatar=random_picture_sequence()[0],
            )
            db.session.add(pupil)
            db.session.flush()
            pupils[row.reference] = pupil
            result.new_pictures[f"{row.first_name} {row.last_name}"] = set_picture_password(
                actor, user
            )
            result.pupils_created += 1
        elif (pupil.first_name, pupil.last_name, pupil.date_of_birth, pupil.class_id) != (
            row.first_name,
            row.last_name,
            row.date_of_birth,
            school_class.id,
        ):
            pupil.first_name, pupil.last_name = row.first_name, row.last_name
            pupil.user.first_name, pupil.user.last_name = row.first_name, row.last_name
            pupil.date_of_birth, pupil.class_id = row.date_of_birth, school_class.id
            result.pupils_updated += 1
        if row.parent_email:
            parent = find_by_email(row.parent_email)
            if parent is None:
                parent = create_user(
                    row.parent_first_name,
                    row.parent_last_name,
                    [Role.PARENT],
                    email=row.parent_email,
                )
                result.parents_created += 1
            elif not parent.has_role(Role.PARENT):
                from ..auth.models import UserRole

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
