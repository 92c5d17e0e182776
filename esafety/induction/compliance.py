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


def inductions(as_of: date | None = None, user_ids: Iterable[int] | None = None) -> list[Induction]:
    """Each person's induction as it stood at the end of `as_of` (today by default)."""
    day = as_of or today()
    cutoff = _end_of(day)
    ids = None if user_ids is None else list(user_ids)

    pathways = list(db.session.scalars(select(Pathway).order_by(Pathway.name)))
    staff_query = (
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
        staff_query = staff_query.where(User.id.in_(ids))
    staff = list(db.session.execute(staff_query).all())

    versions_by_policy: dict[int, list[PolicyVersion]] = defaultdict(list)
    for version in db.session.scalars(
        select(PolicyVersion).where(
            PolicyVersion.state != VersionState.DRAFT, PolicyVersion.published_at < cutoff
        )
    ):
        versions_by_policy[version.policy_id].append(version)
    latest = {pid: _latest(vs) for pid, vs in versions_by_policy.items()}

    sign_query = (
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
    attempt_query = (
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
        sign_query = sign_query.where(SignOff.user_id.in_(ids))
        attempt_query = attempt_query.where(QuizAttempt.user_id.in_(ids))
    #: (user, policy) -> the sign-off of the highest version number (latest if signed twice).
    signed: dict[tuple[int, int], tuple[int, int, datetime]] = {}
    for sign_id, user_id, policy_id, number, signed_at in db.session.execute(sign_query):
        best = signed.get((user_id, policy_id))
        if best is None or number >= best[1]:
            signed[(user_id, policy_id)] = (sign_id, number, signed_at)
    #: (user, course) -> the best passing attempt.
    passed: dict[tuple[int, int], tuple[int, int, datetime]] = {}
    for attempt_id, user_id, course_id, score, submitted_at in db.session.execute(attempt_query):
        best = passed.get((user_id, course_id))
        if best is None or score > best[1]:
            passed[(user_id, course_id)] = (attempt_id, score, submitted_at)

    all_courses = {c.id: c for p in pathways for c in p.courses}
    course_rows = list(db.session.scalars(select(Course).where(Course.policy_id.is_not(None))))
    courses_by_policy: dict[int, list[Course]] = defaultdict(list)
    for course in course_rows:
        if course.policy_id is not None:
            courses_by_policy[course.policy_id].append(course)

    results = []
    for user, profile in staff:
        mine = [p for p in pathways if p.role_set & user.role_set]
        if not mine:
            continue
        due_days: dict[tuple[str, int], int] = {}
        #: Policies a full (not sign-only) pathway asks of this person: these come with courses.
        with_courses: set[int] = set()
        for pathway in mine:
            for policy in pathway.policies:
                key = ("policy", policy.id)
                due_days[key] = min(due_days.get(key, 10_000), pathway.due_within_days)
                if pathway.sign_only:
                    continue  # a light pathway: read and sign, no course
                with_courses.add(policy.id)
                for course in courses_by_policy.get(policy.id, []):
                    all_courses.setdefault(course.id, course)
                    ckey = ("course", course.id)
                    due_days[ckey] = min(due_days.get(ckey, 10_000), pathway.due_within_days)
            for course in [] if pathway.sign_only else pathway.courses:
                ckey = ("course", course.id)
                due_days[ckey] = min(due_days.get(ckey, 10_000), pathway.due_within_days)
        start = profile.start_date
        policy_items = []
        seen_policies: dict[int, Policy] = {p.id: p for pathway in mine for p in pathway.policies}
        for policy in sorted(seen_policies.values(), key=lambda p: p.title):
            found = latest.get(policy.id)
            if found is None:
                continue  # nothing published yet on that date: nothing to sign
            version, major = found
            days = due_days[("policy", policy.id)]
            record = signed.get((user.id, policy.id))
            item = PolicyItem(
                policy=policy,
                version=version,
                major=major,
                state=ItemState.TO_DO,
                courses=courses_by_policy.get(policy.id, []) if policy.id in with_courses else [],
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
            policy_items.append(item)
        course_items = []
        required_courses = sorted(
            {k[1] for k in due_days if k[0] == "course"}, key=lambda cid: all_courses[cid].title
        )
        for course_id in required_courses:
            course = all_courses[course_id]
            if course.policy_id is not None and course.policy_id not in latest:
                continue  # its policy has nothing published yet
            result = passed.get((user.id, course_id))
            course_item = CourseItem(course=course, passed=result is not None)
            if result is not None:
                course_item.attempt_id, course_item.best_score, course_item.passed_at = result
            else:
                course_item.due_on = start + timedelta(days=due_days[("course", course_id)])
                course_item.overdue = course_item.due_on < day
            course_items.append(course_item)
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
                f"{min(opened, total)} of {total} sections opened",
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
