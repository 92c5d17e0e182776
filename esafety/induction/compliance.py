"""Where everyone stands: each person's induction, and the school's compliance on any date.

Everything here is worked out from records that are only ever added to (published versions
with their dates, sign-offs, quiz attempts, training records), so the state on a past date is
the same calculation with a cut-off. The number of SQL statements does not depend on how many
staff the school has: each kind of record is fetched once and grouped in Python.
"""

from __future__ import annotations

import csv
import enum
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from ..auth.models import User
from ..clock import today
from ..extensions import db
from ..school.models import StaffProfile
from ..spreadsheet import safe_cell
from .models import (
    ChangeSize,
    Course,
    Pathway,
    Policy,
    PolicyVersion,
    QuizAttempt,
    SignOff,
    TrainingKind,
    TrainingRecord,
    VersionState,
)
from .rules import REMINDER_WINDOW_DAYS, resign_cutoff


class ItemState(enum.StrEnum):
    DONE = "done"
    TO_DO = "to_do"
    NEEDS_RESIGN = "needs_resign"

    @property
    def label(self) -> str:
        return {
            ItemState.DONE: "Done",
            ItemState.TO_DO: "To do",
            ItemState.NEEDS_RESIGN: "Needs re-sign",
        }[self]


@dataclass
class PolicyItem:
    """One policy someone must sign, and how far they are with it."""

    policy: Policy
    #: The version to sign now (the latest published on the date asked about).
    version: PolicyVersion
    #: The latest major version: signing it or anything newer counts as current.
    major: PolicyVersion
    state: ItemState
    signed_number: int | None = None
    signed_at: datetime | None = None
    sign_off_id: int | None = None
    due_on: date | None = None
    overdue: bool = False
    courses: list[Course] = field(default_factory=list)
    #: Out of date because the policy is signed again every year (not because of a version).
    yearly: bool = False


@dataclass
class CourseItem:
    course: Course
    passed: bool
    best_score: int | None = None
    attempt_id: int | None = None
    passed_at: datetime | None = None
    due_on: date | None = None
    overdue: bool = False


@dataclass
class Induction:
    """Everything one person's pathways ask of them, on one date."""

    user: User
    profile: StaffProfile
    pathways: list[Pathway]
    policies: list[PolicyItem]
    courses: list[CourseItem]
    due_on: date

    @property
    def total(self) -> int:
        return len(self.policies) + len(self.courses)

    @property
    def done(self) -> int:
        return sum(p.state == ItemState.DONE for p in self.policies) + sum(
            c.passed for c in self.courses
        )

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done == self.total

    @property
    def overdue(self) -> bool:
        return any(p.overdue for p in self.policies) or any(c.overdue for c in self.courses)

    @property
    def needs_resign(self) -> list[PolicyItem]:
        return [p for p in self.policies if p.state == ItemState.NEEDS_RESIGN]

    @property
    def status(self) -> str:
        if self.complete:
            return "Complete"
        return "Overdue" if self.overdue else "In progress"

    @property
    def next_due(self) -> date | None:
        """The earliest date by which something still to do is due."""
        dates = [p.due_on for p in self.policies if p.state != ItemState.DONE and p.due_on]
        dates += [c.due_on for c in self.courses if not c.passed and c.due_on]
        return min(dates, default=None)

    @property
    def overdue_labels(self) -> list[str]:
        """What is late, in a few words each, for the dashboard."""
        labels = [
            f"{p.policy.title} ({p.state.label.lower()}, due {_long(p.due_on)})"
            for p in self.policies
            if p.overdue and p.due_on
        ]
        labels += [
            f"{c.course.title} quiz (due {_long(c.due_on)})"
            for c in self.courses
            if c.overdue and c.due_on
        ]
        return labels

    def policy_item(self, policy_id: int) -> PolicyItem | None:
        return next((p for p in self.policies if p.policy.id == policy_id), None)


def _long(day: date | datetime) -> str:
    """A date the way people write it: 3 October 2026."""
    return f"{day.day} {day:%B %Y}"


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min)


def _latest(versions: list[PolicyVersion]) -> tuple[PolicyVersion, PolicyVersion]:
    """The newest version, and the newest major one, among those (one or more) published by then."""
    ordered = sorted(versions, key=lambda v: v.number)
    majors = [v for v in ordered if v.change == ChangeSize.MAJOR] or ordered[:1]
    return ordered[-1], majors[-1]


#: How a sign-off or a passing attempt is remembered: (its id, version number or score, when).
Best = tuple[int, int, datetime]
#: What a person must do, ("policy", id) or ("course", id), and within how many days of starting.
DueDays = dict[tuple[str, int], int]


def inductions(as_of: date | None = None, user_ids: Iterable[int] | None = None) -> list[Induction]:
    """Each person's induction as it stood at the end of `as_of` (today by default)."""
    day = as_of or today()
    cutoff = _end_of(day)
    ids = None if user_ids is None else list(user_ids)
    pathways = list(db.session.scalars(select(Pathway).order_by(Pathway.name)))
    staff = _staff_on(day, ids)
    latest = _latest_versions(cutoff)
    signed = best_sign_offs(_sign_off_rows(cutoff, ids))
    passed = best_passes(_passing_attempt_rows(cutoff, ids))
    courses_by_policy = _courses_by_policy()
    all_courses = {c.id: c for courses in courses_by_policy.values() for c in courses} | {
        c.id: c for p in pathways for c in p.courses
    }
    results = []
    for user, profile in staff:
        mine = [p for p in pathways if p.role_set & user.role_set]
        if not mine:
            continue
        due_days, with_courses = due_days_for(mine, courses_by_policy)
        start = profile.start_date
        policy_items = [
            policy_item(
                policy,
                latest[policy.id],
                signed.get((user.id, policy.id)),
                days=due_days[("policy", policy.id)],
                start=start,
                day=day,
                courses=courses_by_policy.get(policy.id, []) if policy.id in with_courses else [],
            )
            for policy in _policies_of(mine)
            if policy.id in latest  # nothing published yet on that date: nothing to sign
        ]
        course_items = []
        for course_id in sorted(
            {key[1] for key in due_days if key[0] == "course"},
            key=lambda cid: all_courses[cid].title,
        ):
            course = all_courses[course_id]
            if course.policy_id is not None and course.policy_id not in latest:
                continue  # its policy has nothing published yet
            course_items.append(
                course_item(
                    course,
                    passed.get((user.id, course_id)),
                    days=due_days[("course", course_id)],
                    start=start,
                    day=day,
                )
            )
        results.append(
            Induction(
                user=user,
                profile=profile,
                pathways=mine,
                policies=policy_items,
                courses=course_items,
                due_on=start + timedelta(days=min(p.due_within_days for p in mine)),
            )
        )
    return results


def _staff_on(day: date, ids: list[int] | None) -> list[tuple[User, StaffProfile]]:
    """Active staff who had started, and not yet left, on `day`."""
    query = (
        select(User, StaffProfile)
        .join(StaffProfile, StaffProfile.user_id == User.id)
        .where(
            User.active,
            StaffProfile.start_date <= day,
            or_(StaffProfile.left_on.is_(None), StaffProfile.left_on > day),
        )
        .order_by(User.last_name, User.first_name)
    )
    if ids is not None:
        query = query.where(User.id.in_(ids))
    return [(user, profile) for user, profile in db.session.execute(query)]


def _latest_versions(cutoff: datetime) -> dict[int, tuple[PolicyVersion, PolicyVersion]]:
    """For each policy, its newest and newest major version published before `cutoff`."""
    by_policy: dict[int, list[PolicyVersion]] = defaultdict(list)
    for version in db.session.scalars(
        select(PolicyVersion).where(
            PolicyVersion.state != VersionState.DRAFT, PolicyVersion.published_at < cutoff
        )
    ):
        by_policy[version.policy_id].append(version)
    return {pid: _latest(versions) for pid, versions in by_policy.items()}


def _sign_off_rows(cutoff: datetime, ids: list[int] | None):
    query = (
        select(
            SignOff.id,
            SignOff.user_id,
            PolicyVersion.policy_id,
            PolicyVersion.number,
            SignOff.signed_at,
        )
        .join(PolicyVersion, PolicyVersion.id == SignOff.policy_version_id)
        .where(SignOff.signed_at < cutoff)
        .order_by(SignOff.id)
    )
    if ids is not None:
        query = query.where(SignOff.user_id.in_(ids))
    return db.session.execute(query)


def _passing_attempt_rows(cutoff: datetime, ids: list[int] | None):
    query = (
        select(
            QuizAttempt.id,
            QuizAttempt.user_id,
            QuizAttempt.course_id,
            QuizAttempt.score,
            QuizAttempt.submitted_at,
        )
        .where(QuizAttempt.passed, QuizAttempt.submitted_at < cutoff)
        .order_by(QuizAttempt.id)
    )
    if ids is not None:
        query = query.where(QuizAttempt.user_id.in_(ids))
    return db.session.execute(query)


def _courses_by_policy() -> dict[int, list[Course]]:
    found: dict[int, list[Course]] = defaultdict(list)
    for course in db.session.scalars(select(Course).where(Course.policy_id.is_not(None))):
        assert course.policy_id is not None  # the query keeps courses that belong to a policy
        found[course.policy_id].append(course)
    return found


def best_sign_offs(rows: Iterable) -> dict[tuple[int, int], Best]:
    """(user, policy) -> the sign-off of the highest version number (the later if signed twice).

    `rows` are (sign-off id, user id, policy id, version number, signed at), oldest first.
    """
    best: dict[tuple[int, int], Best] = {}
    for sign_id, user_id, policy_id, number, signed_at in rows:
        held = best.get((user_id, policy_id))
        if held is None or number >= held[1]:
            best[(user_id, policy_id)] = (sign_id, number, signed_at)
    return best


def best_passes(rows: Iterable) -> dict[tuple[int, int], Best]:
    """(user, course) -> the best passing attempt (the first of equal scores).

    `rows` are (attempt id, user id, course id, score, submitted at), oldest first.
    """
    best: dict[tuple[int, int], Best] = {}
    for attempt_id, user_id, course_id, score, submitted_at in rows:
        held = best.get((user_id, course_id))
        if held is None or score > held[1]:
            best[(user_id, course_id)] = (attempt_id, score, submitted_at)
    return best


def due_days_for(
    pathways: list[Pathway], courses_by_policy: dict[int, list[Course]]
) -> tuple[DueDays, set[int]]:
    """What a person's pathways ask of them, each within the shortest time any pathway gives.

    A sign-only pathway asks for the signature alone; a full one also asks for the courses of
    each policy and its own courses. Returns the due days and the policies that come with
    courses.
    """
    due_days: DueDays = {}
    with_courses: set[int] = set()

    def ask(key: tuple[str, int], days: int) -> None:
        due_days[key] = min(due_days.get(key, days), days)

    for pathway in pathways:
        for policy in pathway.policies:
            ask(("policy", policy.id), pathway.due_within_days)
            if pathway.sign_only:
                continue
            with_courses.add(policy.id)
            for course in courses_by_policy.get(policy.id, []):
                ask(("course", course.id), pathway.due_within_days)
        if not pathway.sign_only:
            for course in pathway.courses:
                ask(("course", course.id), pathway.due_within_days)
    return due_days, with_courses


def _policies_of(pathways: list[Pathway]) -> list[Policy]:
    """Every policy the pathways ask to be signed, once each, by title."""
    found = {policy.id: policy for pathway in pathways for policy in pathway.policies}
    return sorted(found.values(), key=lambda p: p.title)


def policy_item(
    policy: Policy,
    versions: tuple[PolicyVersion, PolicyVersion],
    record: Best | None,
    *,
    days: int,
    start: date,
    day: date,
    courses: list[Course],
) -> PolicyItem:
    """Where one person stands with one policy on `day`.

    Signing the latest major version (or newer) counts as current. A new major version asks
    for a fresh signature within `days` of its publication (or of starting, if later); a
    policy signed every year asks again from its yearly date; unsigned is due `days` after
    starting.
    """
    version, major = versions
    item = PolicyItem(
        policy=policy, version=version, major=major, state=ItemState.TO_DO, courses=courses
    )
    yearly_from = resign_cutoff(day, policy.annual_resign_month)
    if record is not None:
        item.sign_off_id, item.signed_number, item.signed_at = record
    if record is not None and record[1] < major.number:
        item.state = ItemState.NEEDS_RESIGN
        assert major.published_at is not None  # only published versions are counted
        item.due_on = max(start, major.published_at.date()) + timedelta(days=days)
    elif record is not None and yearly_from and record[2].date() < yearly_from:
        item.state = ItemState.NEEDS_RESIGN
        item.yearly = True
        item.due_on = max(start, yearly_from) + timedelta(days=days)
    elif record is not None:
        item.state = ItemState.DONE
    else:
        item.due_on = start + timedelta(days=days)
    item.overdue = item.due_on is not None and item.due_on < day  # None once signed
    return item


def course_item(
    course: Course, result: Best | None, *, days: int, start: date, day: date
) -> CourseItem:
    """A course is done once its quiz is passed; until then it is due `days` after starting."""
    item = CourseItem(course=course, passed=result is not None)
    if result is not None:
        item.attempt_id, item.best_score, item.passed_at = result
    else:
        item.due_on = start + timedelta(days=days)
        item.overdue = item.due_on < day
    return item


def induction_of(user: User, as_of: date | None = None) -> Induction | None:
    found = inductions(as_of, [user.id])
    return found[0] if found else None


# --- The dashboard ---------------------------------------------------------------------------


@dataclass
class PolicyCompliance:
    policy: Policy
    version: PolicyVersion
    major: PolicyVersion
    required: int = 0
    current: int = 0
    needs_resign: int = 0
    not_signed: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.current / self.required) if self.required else 100


@dataclass
class TrainingStatus:
    record: TrainingRecord
    state: str  # "current", "expiring" or "expired"


@dataclass
class Dashboard:
    as_of: date
    inductions: list[Induction]
    policies: list[PolicyCompliance]
    training: list[TrainingStatus]
    #: user id -> the state of their latest safeguarding training ("none" when there is none).
    safeguarding: dict[int, str]

    @property
    def overdue(self) -> list[Induction]:
        return [i for i in self.inductions if i.overdue]

    @property
    def expiring_training(self) -> list[TrainingStatus]:
        return [t for t in self.training if t.state in ("expiring", "expired")]


def latest_training(records: Iterable[TrainingRecord]) -> list[TrainingRecord]:
    """The newest record of each course for each person: a refresher replaces the old one."""
    newest: dict[tuple[int, str, str], TrainingRecord] = {}
    for record in records:
        key = (record.user_id, record.kind.value, " ".join(record.course.lower().split()))
        held = newest.get(key)
        if held is None or (record.completed_on, record.id) > (held.completed_on, held.id):
            newest[key] = record
    return list(newest.values())


def training_state(record: TrainingRecord, day: date) -> str:
    if record.expires_on is None or record.expires_on > day + timedelta(REMINDER_WINDOW_DAYS):
        return "current"
    return "expired" if record.expires_on < day else "expiring"


def dashboard(as_of: date | None = None) -> Dashboard:
    """The compliance picture for leaders and governors, as it stood at the end of `as_of`."""
    day = as_of or today()
    everyone = inductions(day)
    by_policy: dict[int, PolicyCompliance] = {}
    for induction in everyone:
        for item in induction.policies:
            row = by_policy.get(item.policy.id)
            if row is None:
                row = by_policy[item.policy.id] = PolicyCompliance(
                    item.policy, item.version, item.major
                )
            row.required += 1
            if item.state == ItemState.DONE:
                row.current += 1
            elif item.state == ItemState.NEEDS_RESIGN:
                row.needs_resign += 1
            else:
                row.not_signed += 1
    staff_ids = {i.user.id for i in everyone}
    records = db.session.scalars(
        select(TrainingRecord).where(
            TrainingRecord.completed_on <= day, TrainingRecord.recorded_at < _end_of(day)
        )
    )
    training = [
        TrainingStatus(r, training_state(r, day))
        for r in latest_training(records)
        if r.user_id in staff_ids
    ]
    training.sort(key=lambda t: (t.record.expires_on or date.max, t.record.user.last_name))
    safeguarding: dict[int, str] = {uid: "none" for uid in staff_ids}
    rank = {"none": 0, "expired": 1, "expiring": 2, "current": 3}
    for status in training:
        if status.record.kind in (TrainingKind.SAFEGUARDING, TrainingKind.DSL):
            held = safeguarding[status.record.user_id]
            if rank[status.state] > rank[held]:
                safeguarding[status.record.user_id] = status.state
    return Dashboard(
        as_of=day,
        inductions=everyone,
        policies=sorted(by_policy.values(), key=lambda r: r.policy.title),
        training=training,
        safeguarding=safeguarding,
    )


def dashboard_csv(board: Dashboard) -> str:
    """One row per person: their induction, each policy, and their safeguarding training."""
    policies = [row.policy for row in board.policies]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Name",
            "Job title",
            "Start date",
            "Induction due",
            "Status",
            *[p.title for p in policies],
            "Courses passed",
            "Safeguarding training",
            f"As of {board.as_of.isoformat()}",
        ]
    )
    for induction in board.inductions:
        cells = []
        for policy in policies:
            item = induction.policy_item(policy.id)
            if item is None:
                cells.append("Not required")
            elif item.state == ItemState.DONE:
                cells.append(f"Signed version {item.signed_number} on {item.signed_at:%Y-%m-%d}")
            elif item.state == ItemState.NEEDS_RESIGN:
                cells.append(f"Needs re-sign (signed version {item.signed_number})")
            else:
                cells.append("Not signed")
        writer.writerow(
            [
                safe_cell(x)
                for x in (
                    induction.user.full_name,
                    induction.profile.job_title,
                    induction.profile.start_date.isoformat(),
                    induction.due_on.isoformat(),
                    induction.status,
                    *cells,
                    f"{sum(c.passed for c in induction.courses)} of {len(induction.courses)}",
                    board.safeguarding.get(induction.user.id, "none"),
                    "",
                )
            ]
        )
    return out.getvalue()


# --- The checklist on "My induction" ---------------------------------------------------------


@dataclass
class Step:
    kind: str  # "read", "course" or "sign"
    label: str
    done: bool
    detail: str = ""
    version_id: int | None = None
    course_id: int | None = None


@dataclass
class ChecklistGroup:
    title: str
    steps: list[Step]
    state: ItemState
    due_on: date | None = None
    overdue: bool = False
    item: PolicyItem | None = None


@dataclass
class Checklist:
    groups: list[ChecklistGroup]

    @property
    def steps(self) -> list[Step]:
        return [step for group in self.groups for step in group.steps]

    @property
    def done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)


def checklist(induction: Induction, read: dict[int, int], sections: dict[int, int]) -> Checklist:
    """Each policy as read, pass its course, sign; then any other courses: one tick per step."""
    courses = {item.course.id: item for item in induction.courses}
    groups = []
    for item in induction.policies:
        version = item.version
        signed = item.state == ItemState.DONE
        opened, total = read.get(version.id, 0), sections.get(version.id, 0)
        steps = [
            Step(
                "read",
                f"Read version {version.number}",
                signed or opened >= total,
                f"{min(opened, total)} of {total} sections read",
                version_id=version.id,
            )
        ]
        for course in item.courses:
            course_item = courses.get(course.id)
            passed = course_item is not None and course_item.passed
            steps.append(
                Step(
                    "course",
                    f"Pass the quiz: {course.title}",
                    passed,
                    f"Best score {course_item.best_score}%" if course_item and passed else "",
                    course_id=course.id,
                )
            )
        detail = ""
        signed_on = _long(item.signed_at) if item.signed_at else ""
        if (
            item.state == ItemState.NEEDS_RESIGN
            and item.yearly
            and item.policy.annual_resign_month is not None
        ):
            month = date(2000, item.policy.annual_resign_month, 1)
            detail = (
                f"Everyone reads and signs this again each {month:%B}: you last signed on "
                f"{signed_on}."
            )
        elif item.state == ItemState.NEEDS_RESIGN:
            detail = (
                f"You signed version {item.signed_number}; "
                f"version {item.major.number} changed the rules."
            )
        elif signed:
            detail = f"Signed version {item.signed_number} on {signed_on}"
        steps.append(Step("sign", "Sign it", signed, detail, version_id=version.id))
        groups.append(
            ChecklistGroup(
                item.policy.title, steps, item.state, item.due_on, item.overdue, item=item
            )
        )
    in_groups = {c.id for item in induction.policies for c in item.courses}
    for course_item in induction.courses:
        if course_item.course.id in in_groups:
            continue
        step = Step(
            "course",
            "Pass the quiz",
            course_item.passed,
            f"Best score {course_item.best_score}%" if course_item.passed else "",
            course_id=course_item.course.id,
        )
        groups.append(
            ChecklistGroup(
                course_item.course.title,
                [step],
                ItemState.DONE if course_item.passed else ItemState.TO_DO,
                course_item.due_on,
                course_item.overdue,
            )
        )
    return Checklist(groups)
