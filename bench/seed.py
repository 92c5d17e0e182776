"""A large school for the load benchmark, on the database named by ESAFETY_DATABASE_URL.

The demo school (every feature's demo seeder, with its well-known logins) is the core; around it
go 3 classes per year group (21 classes, 630 pupils), their parents, 40 staff, 20,000 blog posts
with 60,000 comments, 50,000 lesson attempts (quiz answers, with the progress rows they add up
to), 2,000 bookings and 500 sign-offs. Bulk rows go in with `insert()` executemany, so the whole
school takes well under two minutes; each row is one the app's own rules could have written
(the sign-off chain verifies, places taken match confirmed bookings, states have their dates).

Writes bench/results/accounts.json: the logins, classes and evenings bench/prepare.py uses.
Usage: ESAFETY_DATABASE_URL=postgresql+psycopg://... python bench/seed.py
"""

from __future__ import annotations

import functools
import json
import random
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, update

from esafety import create_app, features
from esafety.auth import services as auth_services
from esafety.auth.models import User, UserRole, role_codes_of
from esafety.auth.passwords import hash_secret
from esafety.auth.pictures import encode_sequence
from esafety.auth.roles import STAFF_ROLES, Role
from esafety.clock import utcnow
from esafety.extensions import db
from esafety.sandbox import moderation
from esafety.school import demo
from esafety.school.models import (
    ClassTeacher,
    ConsentSource,
    ParentLink,
    PhotoConsent,
    Pupil,
    SchoolClass,
    StaffProfile,
    YearGroup,
)

OUT = Path(__file__).resolve().parent / "results"

CLASSES_PER_YEAR = 3
PUPILS_PER_CLASS = 30
STAFF_TOTAL = 40
POSTS = 20_000
COMMENTS = 60_000
QUIZ_ANSWERS = 50_000
BOOKINGS = 2_000
SIGN_OFFS = 500
#: The induction demo writes this many sign-offs after ours (the chain runs in time order).
DEMO_SIGN_OFFS = 40
#: Pupils' posts waiting for the teacher in every class: what a lesson's writing leaves.
PENDING_POSTS_PER_CLASS = 6
PENDING_COMMENTS_PER_CLASS = 8
#: The two classes whose pupils sign in, read, answer and post during the run (demo classes:
#: their teachers have well-known logins).
LESSON_CLASSES = ("Oak", "Ash")
#: Parents signed in for the run; each books once per evening (the surge needs 300).
RUN_PARENTS = 300
#: Evenings booked during the run, per server configuration: saturation ones, then one paced.
RUN_EVENINGS = 4
BENCH_CONFIGS = ("sync", "gthread")

EXTRA_CLASS_NAMES = {
    YearGroup.RECEPTION: ("Sparrows", "Wagtails"),
    YearGroup.YEAR_1: ("Finches", "Larks"),
    YearGroup.YEAR_2: ("Kestrels", "Puffins"),
    YearGroup.YEAR_3: ("Elm", "Hazel"),
    YearGroup.YEAR_4: ("Birch", "Rowan"),
    YearGroup.YEAR_5: ("Maple", "Cedar"),
    YearGroup.YEAR_6: ("Holly", "Yew"),
}
STAFF_NAMES = [
    ("Megan", "Ashworth"),
    ("Samuel", "Okonjo"),
    ("Hannah", "Pryce"),
    ("Ibrahim", "Castellano"),
    ("Lucy", "Fenwick"),
    ("George", "Malik"),
    ("Naomi", "Sutherland"),
    ("Peter", "Lindgren"),
    ("Alice", "Dunmore"),
    ("Owen", "Takahashi"),
    ("Rachel", "Ferreira"),
    ("Simon", "Achebe"),
    ("Kate", "Holloway"),
    ("Martin", "Szabo"),
    ("Joanna", "Whitlock"),
    ("Yusuf", "Darby"),
    ("Claire", "Ostrowski"),
    ("Neil", "Carmody"),
    ("Bethany", "Olsen"),
    ("Tariq", "Winslow"),
    ("Diane", "Mercer"),
    ("Elliot", "Rourke"),
    ("Fiona", "Tanaka"),
    ("Graham", "Pettigrew"),
    ("Sophie", "Blackwood"),
]
PARENT_FIRST_NAMES = ["Sam", "Alex", "Jo", "Chris", "Kim", "Pat", "Lee", "Dana", "Ash", "Robin"]
#: Bulk pupils share a few picture passwords: argon2id takes a third of a second per hash here.
PICTURE_POOL = [
    ["cat", "sun", "boat"],
    ["dog", "star", "apple"],
    ["fish", "moon", "car"],
    ["bird", "tree", "flower"],
    ["sun", "cat", "star"],
    ["moon", "dog", "tree"],
    ["apple", "boat", "fish"],
    ["car", "flower", "bird"],
]
AVATARS = ["cat", "dog", "fish", "bird", "sun", "moon", "star", "tree", "flower", "apple", "car"]

TOPICS = [
    "the Romans",
    "our science experiment",
    "the school trip",
    "keeping safe online",
    "our class book",
    "the rainforest",
    "fractions",
    "the Great Fire of London",
    "our garden",
    "the space topic",
    "coding with loops",
    "our art gallery",
    "sports day",
    "the Vikings",
    "healthy eating",
    "the water cycle",
]
OPENINGS = [
    "Today we learnt about {topic}.",
    "This week our class found out about {topic}.",
    "My favourite lesson was about {topic}.",
    "We worked in groups on {topic}.",
]
MIDDLES = [
    "It was really interesting and I want to find out more.",
    "We made a poster and shared it with the class.",
    "The best part was asking questions and finding the answers.",
    "We used the tablets to look at pictures and make notes.",
    "I learnt three new words and wrote them in my book.",
    "Everybody helped each other and we finished on time.",
]
ENDINGS = [
    "Next week we are going to carry on.",
    "I would like to do it again.",
    "What do you think we should learn next?",
    "Thank you for reading our blog!",
]
COMMENT_TEXTS = [
    "Great work, I enjoyed reading this.",
    "I liked the part about the poster.",
    "That sounds like a fun lesson!",
    "Well done, you explained it clearly.",
    "I want to try that too.",
    "Brilliant writing, keep it up.",
    "I learnt something new from your post.",
    "Thank you for sharing this with us.",
    "What was your favourite part?",
    "This made me smile.",
]
BOOKING_NOTES = ["", "", "", "", "", "", "Step-free access, please.", "Coming with my mother."]


def log(message: str) -> None:
    print(f"[seed {time.strftime('%H:%M:%S')}] {message}", flush=True)


def insert_rows(model, rows: list[dict], returning=None) -> list:
    """One executemany INSERT (batched into multi-row VALUES by SQLAlchemy)."""
    if not rows:
        return []
    if returning is None:
        db.session.execute(insert(model), rows)
        return []
    result = db.session.execute(
        insert(model).returning(returning, sort_by_parameter_order=True), rows
    )
    return list(result.scalars())


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# --- People ------------------------------------------------------------------------------------


class People:
    """What the bulk seeding knows about the school it made."""

    def __init__(self) -> None:
        self.classes: list[SchoolClass] = []
        #: class id -> [(pupil id, user id)]
        self.pupils: dict[int, list[tuple[int, int]]] = defaultdict(list)
        #: class id -> the class teacher's user id
        self.teacher: dict[int, int] = {}
        #: class id -> every staff user id working with the class
        self.class_staff: dict[int, list[int]] = defaultdict(list)
        #: pupil id -> picture sequence (for the pupils the run signs in)
        self.pictures: dict[int, list[str]] = {}
        #: parent user id -> year groups of their children
        self.parent_years: dict[int, set[YearGroup]] = defaultdict(set)
        self.parent_emails: dict[int, str] = {}
        self.staff_ids: list[int] = []


def add_people(school: demo.DemoSchool, rng: random.Random) -> People:
    """Fill the demo's classes to 30, add two more classes per year group, staff and parents."""
    people = People()
    staff_hash = hash_secret(demo.DEMO_PASSWORD)
    picture_hashes = [hash_secret(encode_sequence(seq)) for seq in PICTURE_POOL]
    year = school.year

    new_staff = []
    for n, (first, last) in enumerate(STAFF_NAMES):
        if n < 14:
            local, title, roles = f"teacher{n + 1}", "Class teacher", [Role.TEACHER]
        elif n < 21:
            local, title, roles = f"ta{n - 13}", "Teaching assistant", [Role.SUPPORT_STAFF]
        elif n == 21:
            local, title, roles = "assistanthead", "Assistant headteacher", [Role.SLT, Role.TEACHER]
        elif n == 22:
            local, title, roles = "senco", "SENCo", [Role.TEACHER]
        elif n == 23:
            local, title, roles = "admin2", "Office administrator", [Role.OFFICE_ADMIN]
        else:
            local, title, roles = "governor2", "Parent governor", [Role.GOVERNOR]
        new_staff.append((first, last, f"{local}@{demo.EMAIL_DOMAIN}", title, roles))
    staff_ids = insert_rows(
        User,
        [
            {
                "first_name": f,
                "last_name": la,
                "email": e,
                "password_hash": staff_hash,
                "role_codes": role_codes_of(roles),
            }
            for f, la, e, _, roles in new_staff
        ],
        User.id,
    )
    insert_rows(
        UserRole,
        [
            {"user_id": uid, "role": r}
            for uid, s in zip(staff_ids, new_staff, strict=True)
            for r in s[4]
        ],
    )
    insert_rows(
        StaffProfile,
        [
            {
                "user_id": uid,
                "job_title": s[3],
                "start_date": year.starts_on - timedelta(days=rng.randint(20, 3000)),
            }
            for uid, s in zip(staff_ids, new_staff, strict=True)
        ],
    )

    codes = set(db.session.scalars(select(SchoolClass.login_code)))
    class_rows = []
    for year_group, names in EXTRA_CLASS_NAMES.items():
        for name in names:
            code = ""
            while not code or code in codes:
                code = "".join(rng.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(6))
            codes.add(code)
            class_rows.append(
                {
                    "name": name,
                    "year_group": year_group,
                    "academic_year_id": year.id,
                    "login_code": code,
                }
            )
    insert_rows(SchoolClass, class_rows)
    classes = list(
        db.session.scalars(
            select(SchoolClass)
            .where(SchoolClass.academic_year_id == year.id)
            .order_by(SchoolClass.year_group, SchoolClass.id)
        )
    )
    people.classes = classes
    demo_class_ids = {c.id for c in school.classes.values()}
    teachers_iter = iter(staff_ids[:14])
    tas = dict(zip(list(YearGroup), staff_ids[14:21], strict=True))
    teacher_rows = []
    for school_class in classes:
        if school_class.id not in demo_class_ids:
            teacher_rows.append({"class_id": school_class.id, "user_id": next(teachers_iter)})
        teacher_rows.append({"class_id": school_class.id, "user_id": tas[school_class.year_group]})
    insert_rows(ClassTeacher, teacher_rows)
    for row in db.session.execute(
        select(ClassTeacher.class_id, ClassTeacher.user_id, UserRole.role).join(
            UserRole, UserRole.user_id == ClassTeacher.user_id
        )
    ):
        people.class_staff[row.class_id].append(row.user_id)
        if row.role == Role.TEACHER and row.class_id not in people.teacher:
            people.teacher[row.class_id] = row.user_id

    # Pupils: the demo's eight per class keep their pictures; the rest come from the pool.
    demo_pictures = {}
    for year_group, pupils in school.pupils.items():
        sequences = [
            login["pictures"]
            for login in school.logins
            if login["role"] == "pupil" and login["class"] == demo.CLASS_NAMES[year_group]
        ]
        for pupil, sequence in zip(pupils, sequences, strict=True):
            demo_pictures[pupil.id] = sequence
    people.pictures.update(demo_pictures)

    pupil_specs = []
    index = 0
    for school_class in classes:
        have = (
            len(school.pupils[school_class.year_group]) if school_class.id in demo_class_ids else 0
        )
        born_from = date(year.starts_on.year - 5 - int(school_class.year_group), 9, 1)
        for _ in range(PUPILS_PER_CLASS - have):
            first = demo.FIRST_NAMES[(index * 5 + 3) % len(demo.FIRST_NAMES)]
            last = demo.LAST_NAMES[(index * 11 + 5) % len(demo.LAST_NAMES)]
            pool = index % len(PICTURE_POOL)
            pupil_specs.append((school_class, first, last, pool, born_from, index))
            index += 1
    user_ids = insert_rows(
        User,
        [
            {
                "first_name": first,
                "last_name": last,
                "picture_hash": picture_hashes[pool],
                "role_codes": role_codes_of([Role.PUPIL]),
            }
            for _, first, last, pool, _, _ in pupil_specs
        ],
        User.id,
    )
    insert_rows(UserRole, [{"user_id": uid, "role": Role.PUPIL} for uid in user_ids])
    pupil_ids = insert_rows(
        Pupil,
        [
            {
                "user_id": uid,
                "reference": f"BENCH{n:04d}",
                "first_name": first,
                "last_name": last,
                "date_of_birth": born_from + timedelta(days=rng.randint(0, 360)),
                "class_id": school_class.id,
                "avatar": rng.choice(AVATARS),
            }
            for uid, (school_class, first, last, _, born_from, n) in zip(
                user_ids, pupil_specs, strict=True
            )
        ],
        Pupil.id,
    )
    for pid, (_, _, _, pool, _, _) in zip(pupil_ids, pupil_specs, strict=True):
        people.pictures[pid] = PICTURE_POOL[pool]

    # Parents: one for every new pupil, and a second carer for every tenth.
    parent_specs = []
    for pid, (_, _, last, _, _, n) in zip(pupil_ids, pupil_specs, strict=True):
        first = PARENT_FIRST_NAMES[n % len(PARENT_FIRST_NAMES)]
        parent_specs.append((pid, first, last, f"parent.bench{n:04d}@{demo.EMAIL_DOMAIN}"))
        if n % 10 == 9:
            parent_specs.append((pid, "Jamie", last, f"carer.bench{n:04d}@{demo.EMAIL_DOMAIN}"))
    parent_ids = insert_rows(
        User,
        [
            {
                "first_name": f,
                "last_name": la,
                "email": e,
                "password_hash": staff_hash,
                "role_codes": role_codes_of([Role.PARENT]),
            }
            for _, f, la, e in parent_specs
        ],
        User.id,
    )
    insert_rows(UserRole, [{"user_id": uid, "role": Role.PARENT} for uid in parent_ids])
    insert_rows(
        ParentLink,
        [
            {"parent_id": uid, "pupil_id": spec[0], "relationship_to_pupil": "Parent"}
            for uid, spec in zip(parent_ids, parent_specs, strict=True)
        ],
    )
    for uid, spec in zip(parent_ids, parent_specs, strict=True):
        people.parent_emails[uid] = spec[3]

    office = school.staff["office"]
    insert_rows(
        PhotoConsent,
        [
            {
                "pupil_id": pid,
                "academic_year_id": year.id,
                "class_blog": rng.random() < 0.92,
                "website": rng.random() < 0.6,
                "source": ConsentSource.PAPER_FORM,
                "recorded_by_id": office.id,
                "recorded_at": datetime.combine(year.starts_on, datetime.min.time())
                + timedelta(days=rng.randint(0, 20), hours=10),
            }
            for pid in pupil_ids
        ],
    )
    db.session.flush()
    _load_class_members(people)
    return people


def _load_class_members(people: People) -> None:
    people.pupils.clear()
    for pupil_id, user_id, class_id in db.session.execute(
        select(Pupil.id, Pupil.user_id, Pupil.class_id)
        .where(Pupil.class_id.is_not(None))
        .order_by(Pupil.id)
    ):
        people.pupils[class_id].append((pupil_id, user_id))
    people.parent_years.clear()
    for parent_id, year_group in db.session.execute(
        select(ParentLink.parent_id, SchoolClass.year_group)
        .join(Pupil, Pupil.id == ParentLink.pupil_id)
        .join(SchoolClass, SchoolClass.id == Pupil.class_id)
    ):
        people.parent_years[parent_id].add(year_group)
    people.staff_ids = list(
        db.session.scalars(select(StaffProfile.user_id).order_by(StaffProfile.user_id))
    )


# --- Induction: years of policy reviews, each signed by the staff in post ----------------------

BENCH_POLICIES = [
    ("mobile-devices", "Mobile Phones and Cameras Policy", "Phones and cameras"),
    ("data-protection", "Data Protection Policy", "Personal data"),
    ("remote-learning", "Remote Learning Policy", "Learning from home"),
]


def _policy_text(title: str, subject: str, number: int) -> str:
    return (
        f"# {title}\n\nReviewed every year by the headteacher and governors (review {number}).\n\n"
        f"## Why we have this policy\n\n{subject} need clear rules so that children, staff and "
        "families know what to expect and stay safe.\n\n"
        "## What staff do\n\nStaff follow these rules in school, on trips and at home when "
        "they do school work. They ask the headteacher when they are unsure.\n\n"
        "## What we tell families\n\nFamilies can read this policy on the school website and "
        "ask the office for a paper copy.\n\n"
        f"## Changes this year\n\nThis is review {number}: the wording was checked against the "
        "latest guidance and examples were brought up to date.\n"
    )


def add_sign_off_history(school: demo.DemoSchool, people: People, rng: random.Random) -> int:
    """Three more policies, reviewed (a major version) every year, each version signed by the
    staff in post then: written before the demo's own history so the chain runs in time order."""
    from esafety.induction import ledger, pathways, policies, ratification
    from esafety.induction.models import ChangeSize, SignOff

    head = school.staff["head"]
    now = utcnow().replace(microsecond=0)
    target = SIGN_OFFS - DEMO_SIGN_OFFS - count(SignOff)
    versions_per_policy = 6
    published: list[tuple[datetime, object]] = []
    policy_ids = []
    for slug, title, subject in BENCH_POLICIES:
        first = policies.create_policy(
            head,
            title=title,
            owner=head,
            review_interval_months=12,
            body_markdown=_policy_text(title, subject, 1),
            slug=slug,
        )
        policy_ids.append(first.policy_id)
        for number in range(1, versions_per_policy + 1):
            version = first
            if number > 1:
                version = policies.start_new_version(
                    head,
                    first.policy,
                    body_markdown=_policy_text(title, subject, number),
                    change=ChangeSize.MAJOR,
                    change_summary="The yearly review: examples and guidance brought up to date.",
                )
            at = now - timedelta(days=365 * (versions_per_policy - number) + 60 + len(policy_ids))
            checks = list(ratification.CHECK_KEYS)
            policies.approve_version(head, version, checks=checks, at=at)
            policies.approve_version(school.staff["chair"], version, checks=checks, at=at)
            published.append((at, version))
    inductees = list(
        db.session.execute(
            select(User.id, User.first_name, User.last_name, StaffProfile.start_date)
            .join(StaffProfile, StaffProfile.user_id == User.id)
            .order_by(User.id)
        )
    )
    pathways.save_pathway(
        head,
        None,
        name="Everyone: school-wide policies",
        roles=[*sorted(STAFF_ROLES), Role.GOVERNOR],
        policy_ids=policy_ids,
        course_ids=[],
        due_within_days=20,
    )

    by_policy: dict[int, list[tuple[datetime, object]]] = defaultdict(list)
    for at, version in published:
        by_policy[version.policy_id].append((at, version))
    planned = []
    for versions in by_policy.values():
        versions.sort(key=lambda item: item[0])
        for k, (at, version) in enumerate(versions):
            until = versions[k + 1][0] if k + 1 < len(versions) else now
            for user_id, first, last, start in inductees:
                begins = max(at, datetime.combine(start, datetime.min.time()))
                signed_at = begins + timedelta(days=rng.randint(1, 9), hours=rng.randint(8, 17))
                if signed_at >= until or signed_at >= now:
                    continue
                if k + 1 == len(versions) and rng.random() < 0.12:
                    continue  # still to sign this year's version: the dashboard shows them
                planned.append((signed_at, user_id, f"{first} {last}", version))
    planned.sort(key=lambda item: (item[0], item[1]))
    planned = planned[-target:] if target > 0 else []
    rows = []
    previous = (
        db.session.scalar(select(SignOff.record_hash).order_by(SignOff.id.desc()).limit(1))
        or ledger.GENESIS
    )
    for signed_at, user_id, name, version in planned:
        record = SignOff(
            user_id=user_id,
            recorded_by_id=user_id,
            on_behalf_reason=None,
            policy_version_id=version.id,
            policy_sha256=version.sha256,
            statement=ledger.statement_for(version),
            typed_name=name,
            quiz_score=None,
            signed_at=signed_at.replace(microsecond=0),
            ip=f"192.0.2.{rng.randint(2, 250)}",
            user_agent="Mozilla/5.0 (staff laptop)",
            previous_hash=previous,
        )
        record.record_hash = ledger.record_hash(record.hashed_fields())
        previous = record.record_hash
        rows.append(
            {
                column: getattr(record, column)
                for column in (
                    "user_id",
                    "recorded_by_id",
                    "on_behalf_reason",
                    "policy_version_id",
                    "policy_sha256",
                    "statement",
                    "typed_name",
                    "quiz_score",
                    "signed_at",
                    "ip",
                    "user_agent",
                    "previous_hash",
                    "record_hash",
                )
            }
        )
    insert_rows(SignOff, rows)
    db.session.flush()
    return len(rows)


# --- Lessons -----------------------------------------------------------------------------------


def add_lesson_history(people: People, rng: random.Random, year_start: date) -> int:
    """Lessons set for every class, and pupils' tries and progress, round by round, until the
    school holds 50,000 quiz answers (older pupils have more: earlier years' lessons too)."""
    from esafety.lessons.catalogue import get_catalogue
    from esafety.lessons.models import LessonAssignment, LessonProgress, QuizAnswer, SelfAssessment

    catalogue = get_catalogue()
    now = utcnow().replace(microsecond=0)
    assigned = defaultdict(list)
    for class_id, lesson_id in db.session.execute(
        select(LessonAssignment.class_id, LessonAssignment.lesson_id)
    ):
        assigned[class_id].append(lesson_id)
    assignment_rows = []
    for school_class in people.classes:
        if assigned[school_class.id]:
            continue
        for k, lesson in enumerate(catalogue.for_year(school_class.year_group)[:4]):
            opens = year_start + timedelta(days=7 + 14 * k)
            assignment_rows.append(
                {
                    "class_id": school_class.id,
                    "lesson_id": lesson.id,
                    "opens_on": opens,
                    "due_on": opens + timedelta(days=21),
                    "assigned_by_id": people.teacher[school_class.id],
                    "assigned_at": datetime.combine(opens, datetime.min.time()) - timedelta(days=2),
                }
            )
            assigned[school_class.id].append(lesson.id)
    insert_rows(LessonAssignment, assignment_rows)

    started = {
        tuple(row)
        for row in db.session.execute(select(LessonProgress.pupil_id, LessonProgress.lesson_id))
    }
    lesson_class_ids = {c.id for c in people.classes if c.name in LESSON_CLASSES}
    queues: list[tuple[int, list[tuple[str, int]]]] = []
    for school_class in people.classes:
        own = catalogue.for_year(school_class.year_group)
        earlier = [lesson for lesson in catalogue if lesson.year_group < school_class.year_group]
        for pupil_id, _ in people.pupils[school_class.id]:
            order = [(lid, 0) for lid in assigned[school_class.id]]
            shuffled = earlier[:]
            rng.shuffle(shuffled)
            order += [
                (lesson.id, school_class.year_group - lesson.year_group) for lesson in shuffled
            ]
            unassigned = [lesson.id for lesson in own if lesson.id not in assigned[school_class.id]]
            if school_class.id in lesson_class_ids:
                unassigned = unassigned[:-4]  # left for the run's quiz answers
            order += [(lid, 0) for lid in unassigned]
            queues.append(
                (pupil_id, [item for item in order if (pupil_id, item[0]) not in started])
            )

    budget = QUIZ_ANSWERS - count(QuizAnswer)
    answers: list[dict] = []
    progress: list[dict] = []
    feelings = [SelfAssessment.I_CAN] * 6 + [SelfAssessment.GETTING_THERE] * 3
    feelings += [SelfAssessment.NOT_YET]
    round_no = 0
    while budget > 0 and any(round_no < len(queue) for _, queue in queues):
        for pupil_id, queue in queues:
            if budget <= 0:
                break
            if round_no >= len(queue):
                continue
            lesson_id, years_ago = queue[round_no]
            lesson = catalogue.get(lesson_id)
            term_start = year_start - timedelta(days=365 * years_ago)
            span = (now - datetime.combine(year_start, datetime.min.time())).days or 1
            when = datetime.combine(term_start, datetime.min.time()) + timedelta(
                days=rng.randint(0, max(1, span - 1) if years_ago == 0 else 300),
                hours=rng.randint(9, 14),
                minutes=rng.randint(0, 59),
            )
            when = min(when, now - timedelta(hours=1))
            partial = years_ago == 0 and rng.random() < 0.12
            questions = len(lesson.quiz)
            answered = rng.randint(1, questions - 1) if partial else questions
            right = first_time = another_go = 0
            moment = when
            for number in range(answered):
                if budget <= 0:
                    break
                question = lesson.quiz[number]
                correct = question.correct_index
                if rng.random() < 0.22 and budget > 1:
                    wrong = next(i for i in range(len(question.answers)) if i != correct)
                    moment += timedelta(seconds=rng.randint(10, 60))
                    answers.append(_answer(pupil_id, lesson_id, number, wrong, False, moment))
                    budget -= 1
                    another_go += 1
                else:
                    first_time += 1
                moment += timedelta(seconds=rng.randint(10, 60))
                answers.append(_answer(pupil_id, lesson_id, number, correct, True, moment))
                budget -= 1
                right += 1
            feeling = rng.choice(feelings) if right == questions else None
            progress.append(
                {
                    "pupil_id": pupil_id,
                    "lesson_id": lesson_id,
                    "started_at": when - timedelta(minutes=10),
                    "updated_at": moment,
                    "sections_read": 0b111,
                    "questions_right": right,
                    "right_first_time": first_time,
                    "needed_another_go": another_go,
                    "self_assessment": feeling,
                    "completed_at": moment + timedelta(minutes=1) if feeling else None,
                }
            )
        round_no += 1
    insert_rows(LessonProgress, progress)
    insert_rows(QuizAnswer, answers)
    return len(answers)


def _answer(pupil_id: int, lesson_id: str, question: int, answer: int, correct: bool, at):
    return {
        "pupil_id": pupil_id,
        "lesson_id": lesson_id,
        "question": question,
        "answer": answer,
        "correct": correct,
        "answered_at": at,
    }


# --- The class blogs ---------------------------------------------------------------------------


def _writing_pool(rng: random.Random):
    """A few hundred kind, name-free pieces of writing, each rendered to HTML once."""
    from esafety.text import render_markdown
    from esafety.writing.checks import check_text

    posts = []
    for topic in TOPICS:
        for _ in range(12):
            body = " ".join(
                [
                    rng.choice(OPENINGS).format(topic=topic),
                    rng.choice(MIDDLES),
                    rng.choice(MIDDLES),
                    rng.choice(ENDINGS),
                ]
            )
            title = topic[0].upper() + topic[1:]
            posts.append((title, body, render_markdown(body)))
    comments = [(text, render_markdown(text)) for text in COMMENT_TEXTS]
    for _, body, _ in posts:
        assert not [f for f in check_text(body) if f.blocking], body
    return posts, comments


def add_blog_history(people: People, rng: random.Random, year_start: date) -> tuple[int, int]:
    """Twenty thousand posts and sixty thousand comments across the 21 class blogs: most on the
    blog, a few drafts, some sent back, a lesson's worth waiting, a few reported or taken off."""
    from esafety.sandbox.models import (
        BlogComment,
        BlogPost,
        BlogReport,
        ItemState,
        ReportReason,
        ReportState,
    )

    posts_pool, comments_pool = _writing_pool(rng)
    now = utcnow().replace(microsecond=0)
    start = datetime.combine(year_start, datetime.min.time()) + timedelta(days=2)
    span = (now - start).total_seconds()
    classes = people.classes
    post_budget = POSTS - count(BlogPost)
    per_class = [post_budget // len(classes)] * len(classes)
    for k in range(post_budget - sum(per_class)):
        per_class[k] += 1

    rows: list[dict] = []
    for school_class, n_posts in zip(classes, per_class, strict=True):
        teacher = people.teacher[school_class.id]
        pupils = [uid for _, uid in people.pupils[school_class.id]]
        moments = sorted(
            start + timedelta(seconds=rng.random() * span * 0.98) for _ in range(n_posts)
        )
        for k, created in enumerate(moments):
            title, body, html = rng.choice(posts_pool)
            staff_post = rng.random() < 0.1
            author = teacher if staff_post else rng.choice(pupils)
            roll = rng.random()
            if k >= n_posts - PENDING_POSTS_PER_CLASS:
                state = ItemState.PENDING
                created = now - timedelta(minutes=rng.randint(20, 600))
            elif staff_post or roll < 0.94:
                state = ItemState.APPROVED
            elif roll < 0.96:
                state = ItemState.RETURNED
            elif roll < 0.985:
                state = ItemState.DRAFT
            elif roll < 0.995:
                state = ItemState.REMOVED
            else:
                state = ItemState.HIDDEN
            submitted = None if state is ItemState.DRAFT else created + timedelta(minutes=2)
            decided = None
            if state not in (ItemState.DRAFT, ItemState.PENDING):
                decided = min(now, submitted + timedelta(hours=rng.randint(1, 20)))
            rows.append(
                {
                    "class_id": school_class.id,
                    "title": title,
                    "source": body,
                    "html": html,
                    "state": state,
                    "feedback": "Great start! Can you tell us a little more?"
                    if state is ItemState.RETURNED
                    else None,
                    "created_at": created,
                    "updated_at": created,
                    "submitted_at": submitted,
                    "decided_at": decided,
                    "decided_by_id": teacher if decided else None,
                    "author_id": author,
                    "no_pupils_in_photos": False,
                }
            )
    post_ids = insert_rows(BlogPost, rows, BlogPost.id)

    approved_by_class: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    reports = []
    for post_id, row in zip(post_ids, rows, strict=True):
        if row["state"] is ItemState.APPROVED:
            approved_by_class[row["class_id"]].append((post_id, row["decided_at"]))
        elif row["state"] in (ItemState.HIDDEN, ItemState.REMOVED):
            pupils = [uid for _, uid in people.pupils[row["class_id"]]]
            hidden = row["state"] is ItemState.HIDDEN
            reports.append(
                {
                    "class_id": row["class_id"],
                    "post_id": post_id,
                    "reporter_id": rng.choice(pupils),
                    "reason": ReportReason.UNKIND if hidden else ReportReason.WORRIES_ME,
                    "details": "",
                    "reported_text": row["source"],
                    "created_at": row["decided_at"],
                    "state": ReportState.OPEN if hidden else ReportState.UPHELD,
                    "decided_by_id": None if hidden else row["decided_by_id"],
                    "decided_at": None if hidden else row["decided_at"],
                    "decision_note": None if hidden else "Your teacher took it off the blog.",
                }
            )
    insert_rows(BlogReport, reports)

    comment_budget = COMMENTS - count(BlogComment)
    per_class = [comment_budget // len(classes)] * len(classes)
    for k in range(comment_budget - sum(per_class)):
        per_class[k] += 1
    comment_rows = []
    for school_class, n_comments in zip(classes, per_class, strict=True):
        teacher = people.teacher[school_class.id]
        pupils = [uid for _, uid in people.pupils[school_class.id]]
        targets = approved_by_class[school_class.id]
        recent = sorted(targets, key=lambda item: item[1])[-40:]
        for k in range(n_comments):
            pending = k >= n_comments - PENDING_COMMENTS_PER_CLASS
            post_id, decided = rng.choice(recent if pending else targets)
            staff_comment = not pending and rng.random() < 0.12
            room = max(60.0, (now - decided).total_seconds() - 60)
            created = decided + timedelta(seconds=rng.random() * min(room, 3 * 86400))
            roll = rng.random()
            if pending:
                state = ItemState.PENDING
            elif staff_comment or roll < 0.975:
                state = ItemState.APPROVED
            elif roll < 0.99:
                state = ItemState.RETURNED
            else:
                state = ItemState.REMOVED
            text, html = rng.choice(comments_pool)
            decided_at = None
            if state is not ItemState.PENDING:
                decided_at = min(now, created + timedelta(hours=rng.randint(1, 12)))
            comment_rows.append(
                {
                    "post_id": post_id,
                    "source": text,
                    "html": html,
                    "state": state,
                    "feedback": "Please read it again and make sure it is kind to everyone."
                    if state is ItemState.RETURNED
                    else None,
                    "created_at": created,
                    "updated_at": created,
                    "submitted_at": created,
                    "decided_at": decided_at,
                    "decided_by_id": teacher if decided_at else None,
                    "author_id": teacher if staff_comment else rng.choice(pupils),
                }
            )
    insert_rows(BlogComment, comment_rows)
    return len(rows), len(comment_rows)


def open_lesson_blogs(school: demo.DemoSchool, people: People) -> None:
    """The run's two classes are in a writing lesson: their blogs are open until closed."""
    from esafety.sandbox import services as sandbox

    for school_class in people.classes:
        if school_class.name in LESSON_CLASSES:
            teacher = db.session.get(User, people.teacher[school_class.id])
            sandbox.open_window(teacher, school_class.id, None)


# --- E-safety evenings -------------------------------------------------------------------------


def _details(title: str, starts: datetime, capacity: int, opens: datetime, closes: datetime):
    from esafety.meetings import planning
    from esafety.meetings.models import Audience

    return planning.MeetingDetails(
        title=title,
        description="An hour for parents and carers on **keeping children safe online**, "
        "with time for questions.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1, minutes=15),
        location="School hall",
        online_url="",
        capacity=capacity,
        max_places_per_booking=2,
        booking_opens_at=opens,
        booking_closes_at=closes,
        cancellation_deadline=starts - timedelta(days=1),
        audience=Audience.ALL_PARENTS,
    )


def add_evenings(school: demo.DemoSchool, people: People, rng: random.Random) -> dict:
    """Two years of past evenings and two coming up, with 2,000 bookings between them; and the
    evenings the run books (the surge's 60 places among them), empty for now."""
    from esafety.meetings import audiences, planning
    from esafety.meetings.models import Booking, BookingStatus, Meeting

    officer = school.staff["esafety"]
    now = utcnow().replace(microsecond=0)
    evening = now.replace(hour=18, minute=30, second=0)
    history = []
    for k in range(8):
        starts = evening - timedelta(days=45 + 90 * k)
        history.append(
            planning.create_meeting(
                officer,
                _details(
                    f"E-safety evening, {starts:%B %Y}",
                    starts,
                    rng.choice([140, 160, 180]),
                    starts - timedelta(days=21),
                    starts - timedelta(hours=2),
                ),
            )
        )
    for k in range(2):
        starts = evening + timedelta(days=26 + 14 * k)
        history.append(
            planning.create_meeting(
                officer,
                _details(
                    f"Gaming, group chats and screen time ({starts:%B})",
                    starts,
                    150,
                    now - timedelta(days=10),
                    starts - timedelta(hours=2),
                ),
            )
        )
    db.session.flush()

    parents = sorted(people.parent_years)
    budget = BOOKINGS - count(Booking)
    share = [budget // len(history)] * len(history)
    for k in range(budget - sum(share)):
        share[k] += 1
    rows = []
    taken: dict[int, int] = {}
    for meeting, n in zip(history, share, strict=True):
        past = meeting.starts_at < now
        places_taken = 0
        span = (min(now, meeting.booking_closes_at) - meeting.booking_opens_at).total_seconds()
        moments = sorted(
            meeting.booking_opens_at + timedelta(seconds=rng.random() * span * 0.99)
            for _ in range(n)
        )
        for parent_id, created in zip(rng.sample(parents, n), moments, strict=True):
            places = 2 if rng.random() < 0.3 else 1
            row = {
                "meeting_id": meeting.id,
                "parent_id": parent_id,
                "places": places,
                "notes": rng.choice(BOOKING_NOTES),
                "created_at": created,
                "children_year_groups": audiences.encode_year_groups(
                    people.parent_years[parent_id]
                ),
                "confirmed_at": None,
                "cancelled_at": None,
                "reminder_sent_at": None,
                "checked_in_at": None,
                "checked_in_by_id": None,
            }
            if places_taken + places <= meeting.capacity:
                places_taken += places
                row["status"] = BookingStatus.CONFIRMED
                row["confirmed_at"] = created
                if rng.random() < 0.07:
                    places_taken -= places
                    row["status"] = BookingStatus.CANCELLED
                    row["cancelled_at"] = created + timedelta(days=rng.randint(1, 5))
                elif past:
                    row["reminder_sent_at"] = meeting.starts_at - timedelta(days=1)
                    if rng.random() < 0.82:
                        row["checked_in_at"] = meeting.starts_at + timedelta(
                            minutes=rng.randint(-15, 10)
                        )
                        row["checked_in_by_id"] = officer.id
            else:
                row["status"] = BookingStatus.WAITLISTED
            rows.append(row)
        taken[meeting.id] = places_taken
    insert_rows(Booking, rows)
    for meeting_id, places in taken.items():
        db.session.execute(
            update(Meeting)
            .where(Meeting.id == meeting_id)
            .values(places_taken=places)
            .execution_options(synchronize_session=False)
        )

    # The evenings the run books: open now, all parents, nobody booked yet.
    starts = evening + timedelta(days=20)
    opens, closes = now - timedelta(days=1), starts - timedelta(hours=2)

    def run_evening(label: str, capacity: int) -> int:
        return planning.create_meeting(
            officer, _details(f"E-safety evening ({label})", starts, capacity, opens, closes)
        ).id

    plan = {
        "surge": run_evening("surge: 60 places", 60),
        "browse": run_evening("browse", 100),
        "count": run_evening("query count", 100),
    }
    for config in BENCH_CONFIGS:
        plan[config] = {
            "saturation": [run_evening(f"{config} run {k + 1}", 100) for k in range(RUN_EVENINGS)],
            "paced": run_evening(f"{config} paced run", 100),
            "paced4": run_evening(f"{config} paced run at four times the rate", 100),
            "warmup": run_evening(f"{config} warm-up", 100),
        }
    db.session.flush()
    return plan


# --- Putting it together -----------------------------------------------------------------------


def seed() -> dict:
    rng = random.Random(2026_11)
    # Adults share one password and pupils a few picture sequences: hash each once.
    auth_services.hash_secret = functools.lru_cache(maxsize=None)(hash_secret)
    started = time.perf_counter()
    school = demo.build()
    log(f"demo school core ({time.perf_counter() - started:.0f} s)")
    people = add_people(school, rng)
    log(f"{len(people.classes)} classes, {sum(map(len, people.pupils.values()))} pupils")
    signed = add_sign_off_history(school, people, rng)
    log(f"{signed} sign-offs of three years of policy reviews")
    for feature in features.all_features():
        if feature.demo is not None:
            feature.demo(school)
    _load_class_members(people)
    log(f"every feature's demo ({time.perf_counter() - started:.0f} s)")
    answers = add_lesson_history(people, rng, school.year.starts_on)
    log(f"{answers} quiz answers")
    posts, comments = add_blog_history(people, rng, school.year.starts_on)
    open_lesson_blogs(school, people)
    # As if each waiting item had been saved through the app: its findings kept with it.
    for school_class in people.classes:
        moderation.store_waiting_findings(school_class.id)
    log(f"{posts} posts, {comments} comments")
    evenings = add_evenings(school, people, rng)
    db.session.commit()
    log(f"evenings and bookings ({time.perf_counter() - started:.0f} s)")
    return _accounts(school, people, evenings)


def _accounts(school: demo.DemoSchool, people: People, evenings: dict) -> dict:
    names = dict(db.session.execute(select(Pupil.id, Pupil.first_name)).all())
    lesson_classes = []
    for school_class in people.classes:
        if school_class.name in LESSON_CLASSES:
            lesson_classes.append(
                {
                    "id": school_class.id,
                    "name": school_class.name,
                    "code": school_class.login_code,
                    "pupils": [
                        {"id": pid, "name": names[pid], "pictures": people.pictures[pid]}
                        for pid, _ in people.pupils[school_class.id]
                    ],
                }
            )
    emails = dict(
        db.session.execute(select(User.id, User.email).where(User.email.is_not(None))).all()
    )
    teachers = [
        {"class_id": c.id, "class": c.name, "email": emails[people.teacher[c.id]]}
        for c in people.classes
    ]
    bench_parents = sorted(uid for uid, email in people.parent_emails.items())
    run_parents = [people.parent_emails[uid] for uid in bench_parents[:RUN_PARENTS]]
    return {
        "password": demo.DEMO_PASSWORD,
        "lesson_classes": lesson_classes,
        "teachers": teachers,
        "leaders": [f"head@{demo.EMAIL_DOMAIN}", f"deputy@{demo.EMAIL_DOMAIN}"],
        "governors": [f"chair@{demo.EMAIL_DOMAIN}"],
        "parents": run_parents,
        "evenings": evenings,
    }


def summary() -> dict[str, int]:
    from esafety.induction.ledger import verify_ledger
    from esafety.induction.models import SignOff
    from esafety.lessons.models import LessonProgress, QuizAnswer
    from esafety.meetings.models import Booking
    from esafety.sandbox.models import BlogComment, BlogPost

    ledger = verify_ledger()
    if not ledger.ok:
        raise SystemExit(f"the sign-off ledger does not verify: {ledger.bad_id} {ledger.problem}")
    return {
        "classes": count(SchoolClass),
        "pupils": count(Pupil),
        "parents": db.session.scalar(select(func.count(func.distinct(ParentLink.parent_id)))),
        "staff": count(StaffProfile),
        "blog_posts": count(BlogPost),
        "blog_comments": count(BlogComment),
        "quiz_answers": count(QuizAnswer),
        "lesson_progress": count(LessonProgress),
        "bookings": count(Booking),
        "sign_offs": count(SignOff),
        "sign_off_chain_verified": ledger.checked,
    }


def main() -> int:
    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        if demo.is_present():
            print("This database already holds a school: seed a fresh, empty one.", file=sys.stderr)
            return 1
        accounts = seed()
        figures = summary()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "accounts.json").write_text(json.dumps(accounts, indent=1))
    figures["seconds"] = round(time.perf_counter() - started, 1)
    (OUT / "seed.json").write_text(json.dumps(figures, indent=1))
    log(", ".join(f"{k} {v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
