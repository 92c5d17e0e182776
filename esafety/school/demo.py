"""A believable demo school: a class in every year group, their parents, and staff in every role.

Deterministic, so the printed logins are the same every time, and safe to run twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..auth.roles import Role
from ..auth.services import create_user, set_picture_password
from ..clock import today
from ..extensions import db
from .avatars import AVATARS
from .models import AcademicYear, ParentLink, Pupil, SchoolClass, StaffProfile, YearGroup
from .services import academic_year_for, assign_teacher, new_login_code

#: Every adult in the demo school signs in with this password (demo only).
DEMO_PASSWORD = "demo-school-2026"

CLASS_NAMES = {
    YearGroup.RECEPTION: "Robins",
    YearGroup.YEAR_1: "Wrens",
    YearGroup.YEAR_2: "Owls",
    YearGroup.YEAR_3: "Oak",
    YearGroup.YEAR_4: "Ash",
    YearGroup.YEAR_5: "Beech",
    YearGroup.YEAR_6: "Willow",
}
FIRST_NAMES = [
    "Ava",
    "Noah",
    "Isla",
    "Leo",
    "Maya",
    "Oscar",
    "Zara",
    "Arlo",
    "Freya",
    "Idris",
    "Ruby",
    "Theo",
    "Amara",
    "Finn",
    "Priya",
    "Jack",
    "Evie",
    "Kai",
    "Lily",
    "Omar",
    "Grace",
    "Ravi",
    "Poppy",
    "Sami",
    "Ella",
    "Jude",
    "Hana",
    "Max",
    "Nia",
    "Reuben",
    "Sofia",
    "Toby",
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Erin",
    "Felix",
    "Gemma",
    "Harvey",
    "Iris",
    "Jonah",
    "Keira",
    "Luca",
    "Mia",
    "Nathan",
    "Olive",
    "Patrick",
    "Rosa",
    "Sean",
    "Tilly",
    "Umar",
    "Violet",
    "Will",
    "Yara",
    "Zac",
]
LAST_NAMES = [
    "Adeyemi",
    "Brennan",
    "Chowdhury",
    "Davies",
    "Evans",
    "Fletcher",
    "Garcia",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lewis",
    "Morgan",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Thomas",
    "Upton",
    "Vaughan",
    "Walsh",
    "Young",
    "Zhang",
    "Ahmed",
    "Baker",
    "Clarke",
]
STAFF = [
    # (first, last, email local part, job title, roles, class year group taught or None)
    ("Helen", "Marsh", "head", "Headteacher", [Role.HEADTEACHER, Role.TEACHER], None),
    (
        "Daniel",
        "Okoro",
        "deputy",
        "Deputy headteacher and deputy DSL",
        [Role.SLT, Role.DEPUTY_DSL, Role.TEACHER],
        None,
    ),
    (
        "Grace",
        "Adeyemi",
        "dsl",
        "Designated safeguarding lead (assistant head)",
        [Role.DSL, Role.SLT],
        None,
    ),
    (
        "Sarah",
        "Lindqvist",
        "esafety",
        "E-safety officer",
        [Role.ESAFETY_OFFICER, Role.SLT],
        None,
    ),
    (
        "Tom",
        "Reid",
        "computing",
        "Computing lead",
        [Role.COMPUTING_LEAD, Role.TEACHER],
        YearGroup.YEAR_5,
    ),
    ("Priti", "Shah", "office", "School business manager", [Role.OFFICE_ADMIN], None),
    ("Laura", "Bennett", "reception", "Reception teacher", [Role.TEACHER], YearGroup.RECEPTION),
    ("Marcus", "Hill", "year1", "Year 1 teacher", [Role.TEACHER], YearGroup.YEAR_1),
    ("Anna", "Kowal", "year2", "Year 2 teacher", [Role.TEACHER], YearGroup.YEAR_2),
    ("James", "Price", "year3", "Year 3 teacher", [Role.TEACHER], YearGroup.YEAR_3),
    ("Fatima", "Rahman", "year4", "Year 4 teacher", [Role.TEACHER], YearGroup.YEAR_4),
    ("Chris", "Doyle", "year6", "Year 6 teacher", [Role.TEACHER], YearGroup.YEAR_6),
    ("Jenny", "Cole", "ta", "Teaching assistant", [Role.SUPPORT_STAFF], YearGroup.RECEPTION),
    ("Robert", "Ainsworth", "chair", "Chair of governors", [Role.GOVERNOR], None),
    ("Margaret", "Ellis", "governor", "Safeguarding governor", [Role.GOVERNOR], None),
]
#: Adults in school for a while: they sign the school's policies on a light pathway.
VISITORS = [
    ("Dawn", "Fletcher", "volunteer", "Reading volunteer", Role.VOLUNTEER, 3),
    ("Kwame", "Mensah", "supply", "Supply teacher", Role.SUPPLY_STAFF, 2),
    ("Ellie", "Marsh", "student", "Trainee teacher on placement", Role.STUDENT, 8),
    ("Gary", "Platt", "contractor", "IT technician (contractor)", Role.CONTRACTOR, 4),
]
PUPILS_PER_CLASS = 8
EMAIL_DOMAIN = "meadowbank.example"


@dataclass
class DemoSchool:
    """What feature seeders build on: the year, classes, pupils, parents and staff by role."""

    year: AcademicYear
    classes: dict[YearGroup, SchoolClass]
    pupils: dict[YearGroup, list[Pupil]]
    parents: list[User]
    staff: dict[str, User]
    logins: list[dict] = field(default_factory=list)

    def staff_with(self, role: Role) -> list[User]:
        return [u for u in self.staff.values() if u.has_role(role)]


def is_present() -> bool:
    """True when this database holds the demo school (its headteacher's account exists)."""
    return (
        db.session.scalar(select(User.id).where(User.email == f"head@{EMAIL_DOMAIN}")) is not None
    )


def _picture_sequence(rng: random.Random) -> list[str]:
    from ..auth.pictures import PICTURES

    return [rng.choice(list(PICTURES)) for _ in range(3)]


def build(start: date | None = None) -> DemoSchool:
    """Create the demo school if it is not there; either way return it and its logins.

    One seeded random source, drawn from in the same order every time, so a fresh demo always
    has the same class codes, pictures and names (the README's tour relies on it)."""
    rng = random.Random(2026)
    day = start or today()
    year = _academic_year(day)
    staff: dict[str, User] = {}
    logins: list[dict] = []
    for first, last, local, title, roles, _ in STAFF:
        worked_days = rng.randint(30, 2000)
        start_date = year.starts_on - timedelta(days=worked_days)
        staff[local] = _adult(first, last, local, title, roles, start_date, logins, True)
    for first, last, local, title, role, days_ago in VISITORS:
        start_date = day - timedelta(days=days_ago)
        staff[local] = _adult(first, last, local, title, [role], start_date, logins, False)

    classes: dict[YearGroup, SchoolClass] = {}
    pupils: dict[YearGroup, list[Pupil]] = {}
    parents: list[User] = []
    name_index = 0
    for year_group, class_name in CLASS_NAMES.items():
        school_class = _class(rng, year, year_group, class_name, staff)
        classes[year_group] = school_class
        tiles = rng.sample(list(AVATARS), min(PUPILS_PER_CLASS, len(AVATARS)))
        pupils[year_group] = []
        for n in range(PUPILS_PER_CLASS):
            pupil, parent = _pupil_and_parent(
                rng, year, school_class, n, name_index, tiles[n % len(tiles)], logins
            )
            name_index += 1
            pupils[year_group].append(pupil)
            parents.append(parent)
    return DemoSchool(year, classes, pupils, parents, staff, logins)


def _academic_year(day: date) -> AcademicYear:
    """The school year `day` falls in, made the current one if the demo creates it."""
    name, starts_on, ends_on = academic_year_for(day)
    year = db.session.scalar(select(AcademicYear).where(AcademicYear.name == name))
    if year is None:
        db.session.execute(db.update(AcademicYear).values(is_current=False))
        year = AcademicYear(name=name, starts_on=starts_on, ends_on=ends_on, is_current=True)
        db.session.add(year)
        db.session.flush()
    return year


def _adult(
    first: str,
    last: str,
    local: str,
    title: str,
    roles: list[Role],
    start_date: date,
    logins: list[dict],
    is_staff: bool,
) -> User:
    """A member of staff or a visitor with their profile, and their line in the printed logins."""
    email = f"{local}@{EMAIL_DOMAIN}"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = create_user(first, last, roles, email=email, password=DEMO_PASSWORD)
        db.session.add(
            StaffProfile(
                user_id=user.id,
                job_title=title,
                start_date=start_date,
                is_chair_of_governors=(local == "chair"),
            )
        )
    login: dict = {"role": roles[0].value}
    if is_staff:
        login["roles"] = [r.value for r in roles]
    login |= {
        "name": f"{first} {last}",
        "email": email,
        "password": DEMO_PASSWORD,
        "job_title": title,
    }
    logins.append(login)
    return user


def _class(
    rng: random.Random,
    year: AcademicYear,
    year_group: YearGroup,
    class_name: str,
    staff: dict[str, User],
) -> SchoolClass:
    """A class of the year with its code and its teachers from the staff list."""
    code = new_login_code(choice=rng.choice)
    school_class = db.session.scalar(
        select(SchoolClass).where(
            SchoolClass.academic_year_id == year.id, SchoolClass.name == class_name
        )
    )
    if school_class is None:
        school_class = SchoolClass(
            name=class_name, year_group=year_group, academic_year_id=year.id, login_code=code
        )
        db.session.add(school_class)
        db.session.flush()
    for _, _, local, _, _, taught in STAFF:
        if taught == year_group:
            assign_teacher(school_class, staff[local])
    return school_class


def _pupil_and_parent(
    rng: random.Random,
    year: AcademicYear,
    school_class: SchoolClass,
    n: int,
    name_index: int,
    avatar: str,
    logins: list[dict],
) -> tuple[Pupil, User]:
    """The class's n-th pupil with their pictures, and a parent (the first one's is printed)."""
    year_group = school_class.year_group
    first = FIRST_NAMES[name_index % len(FIRST_NAMES)]
    last = LAST_NAMES[(name_index * 5) % len(LAST_NAMES)]
    reference = f"DEMO{int(year_group)}{n:02d}"
    sequence = _picture_sequence(rng)
    born_from = date(year.starts_on.year - 5 - int(year_group), 9, 1)
    age_days = rng.randint(0, 360)
    pupil = db.session.scalar(select(Pupil).where(Pupil.reference == reference))
    if pupil is None:
        user = create_user(first, last, [Role.PUPIL])
        set_picture_password(None, user, sequence)
        pupil = Pupil(
            user_id=user.id,
            reference=reference,
            first_name=first,
            last_name=last,
            date_of_birth=born_from + timedelta(days=age_days),
            class_id=school_class.id,
            avatar=avatar,
        )
        db.session.add(pupil)
        db.session.flush()
    logins.append(
        {
            "role": "pupil",
            "name": first,
            "class": school_class.name,
            "class_code": school_class.login_code,
            "pictures": sequence,
            "year_group": year_group.label,
        }
    )
    parent_email = f"parent.{last.lower()}{int(year_group)}{n}@{EMAIL_DOMAIN}"
    parent = db.session.scalar(select(User).where(User.email == parent_email))
    parent_first = rng.choice(["Sam", "Alex", "Jo", "Chris", "Kim", "Pat", "Lee", "Dana"])
    if parent is None:
        parent = create_user(
            parent_first, last, [Role.PARENT], email=parent_email, password=DEMO_PASSWORD
        )
        db.session.add(
            ParentLink(parent_id=parent.id, pupil_id=pupil.id, relationship_to_pupil="Parent")
        )
        db.session.flush()
    if n == 0:
        logins.append(
            {
                "role": "parent",
                "name": parent.full_name,
                "email": parent_email,
                "password": DEMO_PASSWORD,
                "child": f"{first} ({school_class.name})",
            }
        )
    return pupil, parent
