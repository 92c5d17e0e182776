"""Builders for induction tests: a published policy with its course, pathways, and staff who
read, pass and sign the way a person does (through the services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from esafety.auth.models import User
from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.induction import courses, ledger, pathways, policies
from esafety.induction.models import ChangeSize, Course, PolicyVersion
from esafety.school.models import StaffProfile
from tests import factories


def policy_text(extra: str = "") -> str:
    return (
        "Why this policy matters.\n\n"
        "## Who is responsible\n\nThe governing body.\n\n"
        "## Staff and social media\n\nDo not friend pupils or parents.\n\n"
        "## Reviewing this policy\n\nEvery year." + extra
    )


@dataclass
class Setup:
    head: User
    version: PolicyVersion
    course: Course


def make_head() -> User:
    return factories.make_user(Role.HEADTEACHER, first_name="Helen", last_name="Marsh")


def publish_policy(
    head: User,
    title: str = "Social Media Policy",
    slug: str = "social-media",
    text: str | None = None,
    at: datetime | None = None,
) -> PolicyVersion:
    version = policies.create_policy(
        head,
        title=title,
        owner=head,
        review_interval_months=12,
        body_markdown=text or policy_text(),
        slug=slug,
    )
    ratify(head, version, at=at)
    return version


def chair() -> User:
    """The chair of governors (made the first time a test needs one)."""
    from esafety.school.services import chair_of_governors

    found = chair_of_governors()
    if found is not None:
        return found
    governor = factories.make_user(Role.GOVERNOR, first_name="Robert", last_name="Ainsworth")
    db.session.get(StaffProfile, governor.id).is_chair_of_governors = True
    db.session.flush()
    return governor


def ratify(head: User, version: PolicyVersion, at: datetime | None = None) -> None:
    """Bring a version into force the way the school does: a minor one the head publishes; a
    major one the head and the chair approve, which publishes it."""
    from esafety.induction import ratification

    if not ratification.needs_ratification(version):
        policies.publish_version(head, version, at=at)
        return
    checks = list(ratification.CHECK_KEYS)
    policies.approve_version(head, version, checks=checks, at=at)
    policies.approve_version(chair(), version, checks=checks, at=at)


def add_course(slug: str = "social-media", policy_slug: str = "social-media") -> Course:
    source = courses.CourseFile(
        slug=slug,
        title="Social media at our school",
        policy_slug=policy_slug,
        pass_mark=80,
        intro="Key points: **never** friend a parent.",
        questions=[
            {
                "prompt": f"Question {n}: a parent sends you a friend request. What do you do?",
                "explanation": "Tell the headteacher.",
                "choices": [
                    {"text": "Accept it"},
                    {"text": "Decline and tell the headteacher", "correct": True},
                ],
            }
            for n in range(1, 6)
        ],
    )
    return courses.sync_course(source)


def teacher_pathway(head: User, *policy_ids: int, days: int = 10, roles=None) -> None:
    pathways.save_pathway(
        head,
        None,
        name=f"Pathway {policy_ids}",
        roles=roles or [Role.TEACHER, Role.HEADTEACHER, Role.SUPPORT_STAFF],
        policy_ids=list(policy_ids),
        course_ids=[],
        due_within_days=days,
    )


def standard_setup() -> Setup:
    head = make_head()
    version = publish_policy(head)
    course = add_course()
    teacher_pathway(head, version.policy_id)
    db.session.flush()
    return Setup(head, version, course)


def make_staff(
    role: Role = Role.TEACHER,
    first_name: str = "Laura",
    last_name: str = "Bennett",
    start: date | None = None,
    **kwargs,
) -> User:
    user = factories.make_user(role, first_name=first_name, last_name=last_name, **kwargs)
    if start is not None:
        db.session.get(StaffProfile, user.id).start_date = start
        db.session.flush()
    return user


def answers(course: Course, right: int) -> dict[int, int]:
    """Answer the first `right` questions correctly and the rest wrongly."""
    chosen = {}
    for n, question in enumerate(course.questions):
        correct = n < right
        chosen[question.id] = next(c.id for c in question.choices if c.is_correct == correct)
    return chosen


def read_all(user: User, version: PolicyVersion, at: datetime | None = None) -> None:
    for section in version.sections:
        policies.open_section(user, section, at=at)


def read_pass_sign(
    user: User, version: PolicyVersion, course: Course | None, at: datetime | None = None
):
    read_all(user, version, at=at)
    if course is not None and not courses.has_passed(user.id, course.id):
        courses.submit_quiz(user, course, answers(course, len(course.questions)), at=at)
    return ledger.sign_policy(
        user,
        user,
        version,
        agreed=True,
        typed_name=user.full_name,
        ip="203.0.113.7",
        user_agent="pytest",
        at=at,
    )


def new_version(head: User, version: PolicyVersion, change: ChangeSize, at=None) -> PolicyVersion:
    draft = policies.start_new_version(
        head,
        version.policy,
        body_markdown=version.body_markdown + f"\n\nChanged ({change.value}).",
        change=change,
        change_summary=f"A {change.value} change.",
    )
    ratify(head, draft, at=at)
    return draft


def days_ago(n: int) -> datetime:
    from esafety.clock import utcnow

    return utcnow() - timedelta(days=n)


def real_pdf() -> bytes:
    """A one-page PDF that a PDF reader opens (made with pypdf)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
