"""The demo school's policies, pathways and a year of induction history.

Staff are left in every state the dashboard knows: signed and current, overdue, one who must
sign again after a major version of the Social Media Policy, and a new starter part-way
through. Everything is written through the same services the pages use, replayed in date
order, so the sign-off ledger verifies. Safe to run twice: history is only written once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import select

from ..auth.models import User
from ..auth.roles import Role
from ..auth.services import create_user
from ..clock import today
from ..extensions import db
from ..school.demo import DEMO_PASSWORD, EMAIL_DOMAIN, DemoSchool
from ..school.models import StaffProfile
from . import courses, ledger, pathways, policies, ratification, training
from .models import ChangeSize, Pathway, Policy, PolicyVersion, TrainingKind
from .rules import resign_cutoff

POLICY_DIR = Path(__file__).resolve().parent / "policies"


@dataclass(frozen=True)
class DemoPolicy:
    slug: str
    title: str
    file: str
    owner: str  # demo staff key


POLICIES = [
    DemoPolicy("social-media", "Social Media Policy", "social-media-policy.md", "esafety"),
    DemoPolicy("acceptable-use", "Acceptable Use Policy", "acceptable-use-policy.md", "computing"),
    DemoPolicy(
        "code-of-conduct", "Staff Code of Conduct (summary)", "staff-code-of-conduct.md", "head"
    ),
    DemoPolicy(
        "governors-code", "Governors' Code of Conduct", "governors-code-of-conduct.md", "head"
    ),
]
#: Policies every member of staff reads and signs again each September (as KCSIE asks of its
#: Part 1), whatever the version; parents and carers can read the ones in FOR_FAMILIES.
SIGNED_EVERY_SEPTEMBER = ["code-of-conduct", "governors-code"]
FOR_FAMILIES = ["social-media", "acceptable-use"]
PATHWAYS = [
    (
        "Teachers and leaders",
        [
            Role.TEACHER,
            Role.HEADTEACHER,
            Role.SLT,
            Role.COMPUTING_LEAD,
            Role.ESAFETY_OFFICER,
            Role.DSL,
            Role.DEPUTY_DSL,
        ],
        ["social-media", "acceptable-use", "code-of-conduct"],
        10,
    ),
    (
        "Support and office staff",
        [Role.SUPPORT_STAFF, Role.OFFICE_ADMIN],
        ["social-media", "acceptable-use", "code-of-conduct"],
        10,
    ),
    ("Governors", [Role.GOVERNOR], ["social-media", "governors-code"], 20),
]
#: Light pathways: read and sign, without the courses (name, roles, policies, days).
LIGHT_PATHWAYS = [
    (
        "Volunteers, supply staff, students and contractors",
        [Role.VOLUNTEER, Role.SUPPLY_STAFF, Role.STUDENT, Role.CONTRACTOR],
        ["social-media", "code-of-conduct"],
        2,
    ),
]
#: Signed everything, and signed the Social Media Policy again after version 3.
CURRENT = ["head", "deputy", "esafety", "computing", "office", "reception", "year1", "year4"]
CURRENT_GOVERNORS = ["chair"]
#: Signed everything before version 3 of the Social Media Policy, and not since.
MUST_RESIGN = ["year2"]
#: Visitors on the light pathway who have signed everything it asks.
VISITORS_SIGNED = ["volunteer", "contractor"]
#: Signed only some of what their pathway asks.
PARTLY = {"ta": ["social-media", "acceptable-use"]}
#: The new starter, created here: started three days ago, part-way through.
NEW_STARTER = ("Ollie", "Grant", "newteacher", "Year 5 teacher (new)")
#: Version 3 adds the rules on blocked sites and monitoring, a major change.
V3_ONLY_SECTION = "## Sites we block"


def _text(name: str) -> str:
    return (POLICY_DIR / name).read_text(encoding="utf-8")


def _social_media_versions() -> list[str]:
    """Versions 1 and 2 of the demo's Social Media Policy are the current text, less a section."""
    current = _text("social-media-policy.md")
    start = current.index(V3_ONLY_SECTION)
    end = current.index("\n## ", start + 1)
    version_2 = current[:start] + current[end + 1 :]
    version_1 = version_2.replace("run e-safety evenings", "hold e-safety meetings")
    return [version_1, version_2, current]


def seed(school: DemoSchool) -> None:
    """Add the policies, courses, pathways and history once; later runs change nothing."""
    head = school.staff["head"]
    now = datetime.combine(today(), time(9, 0))
    new_starter = _new_starter(school, now)
    if db.session.scalar(select(Policy.id).where(Policy.slug == "social-media")) is None:
        _write_history(school, head, new_starter, now)
    else:
        courses.sync_all_courses()
    db.session.flush()


def _write_history(school: DemoSchool, head: User, new_starter: User, now: datetime) -> None:
    """Set the policies up, then replay the year's approvals, reading and signing in order."""
    first_versions = _first_versions(school, head)
    courses.sync_all_courses()
    policy_ids = {slug: v.policy_id for slug, v in first_versions.items()}
    course_ids = {c.policy_id: c.id for c in courses.all_courses() if c.policy_id}
    _save_pathways(head, policy_ids)
    _set_rules(head, first_versions)

    timeline = _Timeline()
    _versions_over_the_year(timeline, school, head, first_versions, now)
    _staff_sign_offs(timeline, school, policy_ids, course_ids, now)
    timeline.at(
        now - timedelta(days=1), partial(_read_some, new_starter, policy_ids["social-media"])
    )
    _september_sign_offs(timeline, school, policy_ids, now)
    _visitor_sign_offs(timeline, school, policy_ids)
    timeline.play()
    _training(school, now)


class _Timeline:
    """What happened over the year, written through the services in date order.

    Steps on the same moment keep the order they were added in, so the ledger's chain is the
    same on every run.
    """

    def __init__(self) -> None:
        self.events: list[tuple[datetime, int, Callable[[datetime], None]]] = []

    def at(self, moment: datetime, action: Callable[[datetime], None]) -> None:
        """Do `action` at `moment` (it is given the moment)."""
        self.events.append((moment, len(self.events), action))

    def play(self) -> None:
        for moment, _order, action in sorted(self.events, key=lambda e: (e[0], e[1])):
            action(moment)


def _first_versions(school: DemoSchool, head: User) -> dict[str, PolicyVersion]:
    """Each policy's first version, with the member of staff who owns it."""
    first_versions: dict[str, PolicyVersion] = {}
    for item in POLICIES:
        text = _social_media_versions()[0] if item.slug == "social-media" else _text(item.file)
        first_versions[item.slug] = policies.create_policy(
            head,
            title=item.title,
            owner=school.staff[item.owner],
            review_interval_months=12,
            body_markdown=text,
            slug=item.slug,
        )
    return first_versions


def _save_pathways(head: User, policy_ids: dict[str, int]) -> None:
    """The induction pathways, then the sign-only ones for visitors (each once)."""
    for sign_only, found in ((False, PATHWAYS), (True, LIGHT_PATHWAYS)):
        for name, roles, slugs, days in found:
            if db.session.scalar(select(Pathway.id).where(Pathway.name == name)) is None:
                pathways.save_pathway(
                    head,
                    None,
                    name=name,
                    roles=roles,
                    policy_ids=[policy_ids[s] for s in slugs],
                    course_ids=[],
                    due_within_days=days,
                    sign_only=sign_only,
                )


def _set_rules(head: User, first_versions: dict[str, PolicyVersion]) -> None:
    """Which policies are signed again each September, and which families may read."""
    for slug, version in first_versions.items():
        policies.set_policy_rules(
            head,
            version.policy,
            annual_resign_month=9 if slug in SIGNED_EVERY_SEPTEMBER else None,
            open_to_families=slug in FOR_FAMILIES,
        )


def _versions_over_the_year(
    timeline: _Timeline,
    school: DemoSchool,
    head: User,
    first_versions: dict[str, PolicyVersion],
    now: datetime,
) -> None:
    """Every policy ratified at launch; the Social Media Policy tidied, then changed a lot."""
    chair = school.staff["chair"]
    for version in first_versions.values():
        timeline.at(now - timedelta(days=400), partial(_ratify, head, chair, version))
    texts = _social_media_versions()
    social = first_versions["social-media"].policy_id
    timeline.at(
        now - timedelta(days=200),
        lambda _moment: _new_version(
            head, chair, social, texts[1], ChangeSize.MINOR, "Wording tidied.", 200
        ),
    )
    timeline.at(
        now - timedelta(days=5),
        lambda _moment: _new_version(
            head,
            chair,
            social,
            texts[2],
            ChangeSize.MAJOR,
            "New rules on blocked sites, getting round the filter and monitoring.",
            5,
        ),
    )


def _staff_sign_offs(
    timeline: _Timeline,
    school: DemoSchool,
    policy_ids: dict[str, int],
    course_ids: dict[int, int],
    now: datetime,
) -> None:
    """Each person's induction after they joined; those still here read the major change."""
    social = policy_ids["social-media"]
    everyone = [*CURRENT, *CURRENT_GOVERNORS, *MUST_RESIGN, *PARTLY]
    for n, key in enumerate(everyone):
        user = school.staff[key]
        start = _start_date(user)
        joined = datetime.combine(start, time(10, 0)) + timedelta(days=3)
        first_day = max(joined, now - timedelta(days=395)) + timedelta(days=n)
        wanted = PARTLY.get(key) or _required_slugs(user)
        for k, slug in enumerate(wanted):
            policy_id = policy_ids[slug]
            fail = key == "reception" and k == 0  # one person needed a second go at the quiz
            timeline.at(
                first_day + timedelta(hours=k),
                partial(
                    _read_pass_and_sign, user, policy_id, course_ids.get(policy_id), fail_first=fail
                ),
            )
        if key in CURRENT or key in CURRENT_GOVERNORS:
            timeline.at(
                now - timedelta(days=4) + timedelta(hours=n),
                partial(_read_pass_and_sign, user, social, None),
            )


def _september_sign_offs(
    timeline: _Timeline, school: DemoSchool, policy_ids: dict[str, int], now: datetime
) -> None:
    """Each September everyone signs the codes of conduct again, whatever the version."""
    september = datetime.combine(resign_cutoff(now.date(), 9), time(9, 0))
    for n, key in enumerate([*CURRENT, *CURRENT_GOVERNORS]):
        user = school.staff[key]
        for slug in SIGNED_EVERY_SEPTEMBER:
            if slug in _required_slugs(user) and september > now - timedelta(days=395):
                timeline.at(
                    september + timedelta(days=2, hours=n),
                    partial(_read_pass_and_sign, user, policy_ids[slug], None),
                )


def _visitor_sign_offs(timeline: _Timeline, school: DemoSchool, policy_ids: dict[str, int]) -> None:
    """The reading volunteer and the contractor have signed; the supply teacher and the
    student on placement are still within their first days."""
    for n, key in enumerate(VISITORS_SIGNED):
        user = school.staff[key]
        joined = datetime.combine(_start_date(user), time(10, 0)) + timedelta(hours=n)
        for k, slug in enumerate(LIGHT_PATHWAYS[0][2]):
            timeline.at(
                joined + timedelta(minutes=20 * k),
                partial(_read_pass_and_sign, user, policy_ids[slug], None),
            )


def _new_version(
    head: User,
    chair: User,
    policy_id: int,
    text: str,
    change: ChangeSize,
    summary: str,
    days_ago: int,
) -> None:
    policy = db.session.get_one(Policy, policy_id)
    moment = datetime.combine(today(), time(9, 0)) - timedelta(days=days_ago)
    version = policies.start_new_version(
        head, policy, body_markdown=text, change=change, change_summary=summary
    )
    _ratify(head, chair, version, moment)


def _ratify(head: User, chair: User, version: PolicyVersion, moment: datetime) -> None:
    """A major version as the school brings one in: the head approves, then the chair a day
    later, which puts it in force; a minor one the head publishes alone."""
    if not ratification.needs_ratification(version):
        policies.publish_version(head, version, at=moment)
        return
    checks = list(ratification.CHECK_KEYS)
    policies.approve_version(head, version, checks=checks, at=moment - timedelta(days=1))
    policies.approve_version(chair, version, checks=checks, at=moment)


def _start_date(user: User) -> date:
    return db.session.get_one(StaffProfile, user.id).start_date


def _required_slugs(user: User) -> list[str]:
    slugs: list[str] = []
    for _name, roles, wanted, _days in PATHWAYS:
        if user.has_role(*roles):
            slugs += [s for s in wanted if s not in slugs]
    return slugs


def _read_pass_and_sign(
    user: User, policy_id: int, course_id: int | None, moment: datetime, fail_first: bool = False
) -> None:
    """What a member of staff does: open every section, pass the quiz, sign."""
    version = policies.latest_published(policy_id)
    assert version is not None  # the demo publishes every policy first
    for position, section in enumerate(version.sections):
        policies.open_section(user, section, at=moment - timedelta(minutes=30 - position))
    if course_id is not None:
        course = courses.course_by_id(course_id)
        if fail_first:
            wrong = {q.id: _choice(q, correct=False) for q in course.questions}
            courses.submit_quiz(user, course, wrong, at=moment - timedelta(minutes=12))
        if not courses.has_passed(user.id, course.id):
            right = {q.id: _choice(q, correct=True) for q in course.questions}
            courses.submit_quiz(user, course, right, at=moment - timedelta(minutes=5))
    ledger.sign_policy(
        user,
        user,
        version,
        agreed=True,
        typed_name=user.full_name,
        ip="192.0.2.10",
        user_agent="Demo browser",
        at=moment,
    )


def _choice(question, *, correct: bool) -> int:
    return next(c.id for c in question.choices if c.is_correct == correct)


def _read_some(user: User, policy_id: int, moment: datetime) -> None:
    version = policies.latest_published(policy_id)
    assert version is not None  # the demo publishes every policy first
    for position, section in enumerate(version.sections[:4]):
        policies.open_section(user, section, at=moment + timedelta(minutes=position))


def _new_starter(school: DemoSchool, now: datetime) -> User:
    first, last, local, title = NEW_STARTER
    email = f"{local}@{EMAIL_DOMAIN}"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = create_user(first, last, [Role.TEACHER], email=email, password=DEMO_PASSWORD)
        db.session.add(
            StaffProfile(user_id=user.id, job_title=title, start_date=now.date() - timedelta(3))
        )
        db.session.flush()
    school.staff[local] = user
    school.logins.append(
        {
            "role": Role.TEACHER.value,
            "name": user.full_name,
            "email": email,
            "password": DEMO_PASSWORD,
            "job_title": title,
        }
    )
    return user


#: (staff key, kind, course, provider, days ago completed)
TRAINING = [
    ("head", TrainingKind.SAFEGUARDING, "Safeguarding for senior leaders", "Local authority", 120),
    ("deputy", TrainingKind.SAFEGUARDING, "Safeguarding refresher", "Local authority", 150),
    ("esafety", TrainingKind.DSL, "Designated safeguarding lead training", "Local authority", 500),
    ("esafety", TrainingKind.SAFEGUARDING, "Safeguarding refresher", "Local authority", 90),
    ("computing", TrainingKind.ONLINE_SAFETY, "Online safety in the curriculum", "Trust hub", 60),
    ("computing", TrainingKind.SAFEGUARDING, "Safeguarding refresher", "Local authority", 200),
    ("office", TrainingKind.SAFEGUARDING, "Safeguarding refresher", "Local authority", 210),
    ("reception", TrainingKind.SAFEGUARDING, "Safeguarding refresher", "Local authority", 180),
    ("year1", TrainingKind.SAFEGUARDING, "Safeguarding refresher", "Local authority", 240),
    ("year2", TrainingKind.SAFEGUARDING, "Safeguarding refresher", "Local authority", 350),
    ("year3", TrainingKind.SAFEGUARDING, "Safeguarding refresher", "Local authority", 390),
    ("year4", TrainingKind.SAFEGUARDING, "Safeguarding refresher", "Local authority", 100),
    ("ta", TrainingKind.SAFEGUARDING, "Safeguarding refresher", "Local authority", 345),
    ("chair", TrainingKind.SAFEGUARDING, "Safeguarding for governors", "Governor services", 300),
]


def _training(school: DemoSchool, now: datetime) -> None:
    for key, kind, course, provider, days_ago in TRAINING:
        user = school.staff[key]
        completed = now.date() - timedelta(days=days_ago)
        training.add_training_record(
            school.staff["office"],
            user,
            kind=kind,
            course=course,
            provider=provider,
            completed_on=completed,
            at=now - timedelta(days=days_ago - 2),
        )
