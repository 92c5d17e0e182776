"""Policies and their versions: drafting, publishing (which freezes the text) and reading.

A published version never changes; a new version is drafted instead. Publishing a major
version makes earlier sign-offs of the policy out of date, and the staff affected are told.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from .. import audit, concurrency, mail
from ..auth.models import User
from ..clock import utcnow
from ..errors import DomainError, NotAllowed, NotFoundError
from ..extensions import db
from ..text import render_markdown
from . import ratification
from .models import (
    ChangeSize,
    Policy,
    PolicyApproval,
    PolicySection,
    PolicyVersion,
    ReminderSent,
    ReminderStage,
    SectionRead,
    SignOff,
    VersionState,
)
from .rules import add_months, is_inductee, require_manager, text_sha256

#: Heading given to any text that comes before the first `## ` heading.
INTRODUCTION = "Introduction"
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class SectionText:
    heading: str
    markdown: str


def split_sections(markdown: str) -> list[SectionText]:
    """Cut a policy at its `## ` headings: each section is ticked as read on its own."""
    sections: list[SectionText] = []
    heading: str | None = None
    lines: list[str] = []
    in_fence = False

    def close() -> None:
        body = "\n".join(lines).strip()
        if heading is not None or body:
            sections.append(SectionText(heading or INTRODUCTION, body))

    for line in markdown.replace("\r\n", "\n").split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            close()
            heading = line[3:].strip().strip("#").strip()
            lines = []
        else:
            lines.append(line)
    close()
    return sections


def _check_text(markdown: str) -> list[SectionText]:
    sections = split_sections(markdown)
    if not markdown.strip():
        raise DomainError("Please write the policy's text.", "body_markdown")
    if not any(s.heading != INTRODUCTION for s in sections):
        raise DomainError(
            "Please split the policy into sections, each starting with a line like "
            '"## Who is responsible".',
            "body_markdown",
        )
    if any(not s.heading for s in sections):
        raise DomainError("Every section needs a heading after the ##.", "body_markdown")
    if any(len(s.heading) > 200 for s in sections):
        raise DomainError("Please keep section headings under 200 characters.", "body_markdown")
    return sections


def _write_sections(version: PolicyVersion, sections: list[SectionText]) -> None:
    if version.sections:
        version.sections.clear()
        db.session.flush()  # the old sections go before the new ones take their places
    version.sections = [
        PolicySection(
            position=n, heading=section.heading, body_html=render_markdown(section.markdown)
        )
        for n, section in enumerate(sections, start=1)
    ]


def slug_for(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return (slug or "policy")[:60]


# --- Reading ---------------------------------------------------------------------------------


def all_policies() -> list[Policy]:
    return list(db.session.scalars(select(Policy).order_by(Policy.title)))


def policy_by_id(policy_id: int) -> Policy:
    policy = db.session.get(Policy, policy_id)
    if policy is None:
        raise NotFoundError("We could not find that policy.")
    return policy


def version_by_id(version_id: int) -> PolicyVersion:
    version = db.session.get(PolicyVersion, version_id)
    if version is None:
        raise NotFoundError("We could not find that policy version.")
    return version


def version_for_reader(user: User, version_id: int) -> PolicyVersion:
    """Staff read published and superseded versions; only managers see drafts."""
    version = version_by_id(version_id)
    if version.state == VersionState.DRAFT:
        require_manager(user, "see a draft")
    elif not is_inductee(user):
        raise NotFoundError("We could not find that policy version.")
    return version


def latest_published(policy_id: int) -> PolicyVersion | None:
    return db.session.scalar(
        select(PolicyVersion).where(
            PolicyVersion.policy_id == policy_id, PolicyVersion.state == VersionState.PUBLISHED
        )
    )


def open_draft(policy_id: int) -> PolicyVersion | None:
    return db.session.scalar(
        select(PolicyVersion).where(
            PolicyVersion.policy_id == policy_id, PolicyVersion.state == VersionState.DRAFT
        )
    )


def section_at(version: PolicyVersion, position: int) -> PolicySection:
    for section in version.sections:
        if section.position == position:
            return section
    raise NotFoundError("That section is not part of this policy.")


def open_section(user: User, section: PolicySection, *, at: datetime | None = None) -> None:
    """A section counts as read once it has been opened: remember that it was."""
    if section.version.state == VersionState.DRAFT:
        return
    if db.session.get(SectionRead, (user.id, section.id)) is None:
        opened_at = at or utcnow()
        db.session.add(SectionRead(user_id=user.id, section_id=section.id, opened_at=opened_at))
        db.session.flush()


def mark_sections_read(
    user: User,
    version: PolicyVersion,
    positions: Iterable[int] | None = None,
    *,
    at: datetime | None = None,
) -> set[int]:
    """The whole policy is on one page: a section counts as read once it has scrolled into
    view, or when the reader says they have read all of it (`positions` None).

    Positions that are not in this version are ignored. Returns the ids of every section of the
    version this person has now read. Two tabs recording the same section is not an error."""
    already = read_section_ids(user, version)
    if version.state == VersionState.DRAFT:
        return already
    wanted = None if positions is None else set(positions)
    opened_at = at or utcnow()
    new_ids = [
        section.id
        for section in version.sections
        if section.id not in already and (wanted is None or section.position in wanted)
    ]
    if new_ids:
        rows = [
            {"user_id": user.id, "section_id": section_id, "opened_at": opened_at}
            for section_id in new_ids
        ]
        dialect = sqlite if db.engine.dialect.name == "sqlite" else postgresql
        db.session.execute(dialect.insert(SectionRead).values(rows).on_conflict_do_nothing())
        already |= set(new_ids)
    return already


def read_section_ids(user: User, version: PolicyVersion) -> set[int]:
    return set(
        db.session.scalars(
            select(SectionRead.section_id)
            .join(PolicySection, PolicySection.id == SectionRead.section_id)
            .where(SectionRead.user_id == user.id, PolicySection.version_id == version.id)
        )
    )


# --- Writing ---------------------------------------------------------------------------------


def create_policy(
    actor: User,
    *,
    title: str,
    owner: User,
    review_interval_months: int,
    body_markdown: str,
    slug: str | None = None,
) -> PolicyVersion:
    """Start a new policy with its first version as a draft."""
    require_manager(actor, "write policies")
    title = " ".join(title.split())
    if not title:
        raise DomainError("Please give the policy a title.", "title")
    if db.session.scalar(select(Policy.id).where(func.lower(Policy.title) == title.lower())):
        raise DomainError("There is already a policy with that title.", "title")
    if not 1 <= review_interval_months <= 36:
        raise DomainError(
            "Reviews should happen between every month and every three years.",
            "review_interval_months",
        )
    if not owner.is_staff:
        raise DomainError("The policy's owner must be a member of staff.", "owner_id")
    sections = _check_text(body_markdown)
    slug = slug or slug_for(title)
    if db.session.scalar(select(Policy.id).where(Policy.slug == slug)):
        policies = db.session.scalar(select(func.count(Policy.id))) or 0
        slug = f"{slug[:50]}-{policies + 1}"
    policy = Policy(
        slug=slug, title=title, owner_id=owner.id, review_interval_months=review_interval_months
    )
    db.session.add(policy)
    db.session.flush()
    version = PolicyVersion(
        policy_id=policy.id,
        number=1,
        state=VersionState.DRAFT,
        change=ChangeSize.MAJOR,
        change_summary="First version.",
        body_markdown=body_markdown,
        created_by_id=actor.id,
    )
    _write_sections(version, sections)
    db.session.add(version)
    db.session.flush()
    audit.record("induction.policy_created", actor=actor, target=policy, version_id=version.id)
    return version


def set_policy_rules(
    actor: User, policy: Policy, *, annual_resign_month: int | None, open_to_families: bool
) -> Policy:
    """Set the yearly re-sign month (KCSIE: September, for every member of staff) and whether
    parents and carers can read the policy."""
    require_manager(actor, "change a policy's rules")
    if annual_resign_month is not None and not 1 <= annual_resign_month <= 12:
        raise DomainError("Please choose a month.", "annual_resign_month")
    policy.annual_resign_month = annual_resign_month
    policy.open_to_families = open_to_families
    db.session.flush()
    audit.record(
        "induction.policy_rules",
        actor=actor,
        target=policy,
        annual_resign_month=annual_resign_month,
        open_to_families=open_to_families,
    )
    return policy


def for_families() -> list[PolicyVersion]:
    """The versions in force of the policies parents and carers may read."""
    return list(
        db.session.scalars(
            select(PolicyVersion)
            .join(Policy, Policy.id == PolicyVersion.policy_id)
            .where(Policy.open_to_families, PolicyVersion.state == VersionState.PUBLISHED)
            .order_by(Policy.title)
        )
    )


def start_new_version(
    actor: User,
    policy: Policy,
    *,
    body_markdown: str,
    change: ChangeSize,
    change_summary: str,
) -> PolicyVersion:
    """Draft the next version; the published one stays exactly as it is until this replaces it."""
    require_manager(actor, "draft policy versions")
    draft = open_draft(policy.id)
    if draft is not None:
        raise DomainError(
            f"Version {draft.number} is already a draft: please edit or publish that one first."
        )
    sections = _check_text(body_markdown)
    if not change_summary.strip():
        raise DomainError("Please say briefly what has changed.", "change_summary")
    number = (
        db.session.scalar(
            select(func.max(PolicyVersion.number)).where(PolicyVersion.policy_id == policy.id)
        )
        or 0
    ) + 1
    version = PolicyVersion(
        policy_id=policy.id,
        number=number,
        state=VersionState.DRAFT,
        change=ChangeSize.MAJOR if number == 1 else change,
        change_summary=change_summary.strip(),
        body_markdown=body_markdown,
        created_by_id=actor.id,
    )
    _write_sections(version, sections)
    db.session.add(version)
    db.session.flush()
    audit.record("induction.version_drafted", actor=actor, target=version, policy_id=policy.id)
    return version


def update_draft(
    actor: User,
    version: PolicyVersion,
    *,
    body_markdown: str,
    change: ChangeSize,
    change_summary: str,
    seen: int | str | None = None,
) -> PolicyVersion:
    """Change a draft. A published version is never edited: draft a new one instead.

    `seen` is the draft's revision when the editor opened: two people editing one draft do
    not silently write over each other."""
    require_manager(actor, "edit policy versions")
    if version.state != VersionState.DRAFT:
        raise DomainError(
            f"Version {version.number} is {version.state.value}, so its text can no longer "
            "change. Draft a new version instead."
        )
    concurrency.expect_revision(version, seen)
    sections = _check_text(body_markdown)
    if version.number > 1 and not change_summary.strip():
        raise DomainError("Please say briefly what has changed.", "change_summary")
    version.body_markdown = body_markdown
    version.change = ChangeSize.MAJOR if version.number == 1 else change
    version.change_summary = change_summary.strip() or version.change_summary
    _write_sections(version, sections)
    concurrency.flush()
    audit.record("induction.draft_edited", actor=actor, target=version)
    return version


def discard_draft(actor: User, version: PolicyVersion, seen: int | str | None = None) -> None:
    require_manager(actor, "discard drafts")
    if version.state != VersionState.DRAFT:
        raise DomainError("Only a draft can be discarded; published versions are kept for good.")
    if version.number == 1:
        raise DomainError("The first version cannot be discarded: edit it instead.")
    concurrency.expect_revision(version, seen)
    audit.record("induction.draft_discarded", actor=actor, target=version)
    db.session.delete(version)
    concurrency.flush()


def publish_version(
    actor: User,
    version: PolicyVersion,
    *,
    at: datetime | None = None,
    seen: int | str | None = None,
) -> list[User]:
    """Publish a draft: a minor change at once; a major one once it is ratified.

    Returns the staff told to sign again (a major version makes their sign-offs out of date).
    `at` is for bringing in a school's history (the demo): it defaults to now. `seen` is the
    draft's revision on the leader's page: what is published is the text they approved.
    """
    require_manager(actor, "publish policy versions")
    if version.state != VersionState.DRAFT:
        raise DomainError(f"Version {version.number} has already been published.")
    concurrency.expect_revision(version, seen)
    ratification.refuse_unratified(version)
    return put_in_force(actor, version, at=at)


def put_in_force(actor: User, version: PolicyVersion, *, at: datetime | None = None) -> list[User]:
    """Freeze and fingerprint the text, supersede the old version, tell who must sign again.

    Called once the version may come into force: by a manager for a minor change, or by the
    second of the headteacher and the chair to approve a major one.
    """
    if version.state != VersionState.DRAFT:
        raise DomainError(f"Version {version.number} has already been published.")
    policy = version.policy
    previous = latest_published(policy.id)
    now = at or utcnow()
    if previous is not None:
        previous.state = VersionState.SUPERSEDED
        previous.superseded_at = now
    version.state = VersionState.PUBLISHED
    version.sha256 = text_sha256(version.body_markdown)
    version.approved_by_id = actor.id
    version.published_at = now
    version.review_due_on = add_months(now.date(), policy.review_interval_months)
    concurrency.flush()
    audit.record(
        "induction.version_published",
        actor=actor,
        target=version,
        policy_id=policy.id,
        number=version.number,
        change=version.change.value,
        sha256=version.sha256,
    )
    if version.change != ChangeSize.MAJOR or previous is None:
        return []
    affected = staff_with_earlier_sign_offs(version)
    for user in affected:
        _tell_to_sign_again(user, version)
    return affected


def staff_with_earlier_sign_offs(version: PolicyVersion) -> list[User]:
    """Active staff who signed an earlier version of this policy but not this one."""
    signed_earlier = (
        select(SignOff.user_id)
        .join(PolicyVersion, PolicyVersion.id == SignOff.policy_version_id)
        .where(PolicyVersion.policy_id == version.policy_id)
        .group_by(SignOff.user_id)
        .having(func.max(PolicyVersion.number) < version.number)
    )
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(signed_earlier), User.active).order_by(User.last_name)
        )
    )


def _tell_to_sign_again(user: User, version: PolicyVersion) -> None:
    """Email once per person and version; the reminders command will not send it again."""
    key = f"user:{user.id}:version:{version.id}"
    already = db.session.scalar(
        select(ReminderSent.id).where(
            ReminderSent.stage == ReminderStage.RESIGN_NOTICE, ReminderSent.subject_key == key
        )
    )
    if already or not user.email:
        return
    base = current_app.config["BASE_URL"].rstrip("/")
    mail.queue(
        user.email,
        f"Please read and sign version {version.number} of the {version.policy.title}",
        f"Hello {user.first_name},\n\n"
        f"The school has published version {version.number} of the {version.policy.title}. "
        "The rules have changed, so your earlier sign-off is now out of date.\n\n"
        f"What has changed: {version.change_summary}\n\n"
        f"Please read the new version and sign it here: {base}/induction/\n\n"
        "Thank you.",
    )
    db.session.add(
        ReminderSent(stage=ReminderStage.RESIGN_NOTICE, subject_key=key, recipient_id=user.id)
    )
    db.session.flush()


def read_counts(user: User, version_ids: list[int]) -> dict[int, int]:
    """How many sections of each version this person has opened (one query for the checklist)."""
    if not version_ids:
        return {}
    rows = db.session.execute(
        select(PolicySection.version_id, func.count(SectionRead.section_id))
        .join(SectionRead, SectionRead.section_id == PolicySection.id)
        .where(SectionRead.user_id == user.id, PolicySection.version_id.in_(version_ids))
        .group_by(PolicySection.version_id)
    )
    return {version_id: count for version_id, count in rows}


def section_counts(version_ids: list[int]) -> dict[int, int]:
    if not version_ids:
        return {}
    rows = db.session.execute(
        select(PolicySection.version_id, func.count(PolicySection.id))
        .where(PolicySection.version_id.in_(version_ids))
        .group_by(PolicySection.version_id)
    )
    return {version_id: count for version_id, count in rows}


def approve_version(
    actor: User,
    version: PolicyVersion,
    *,
    checks: list[str],
    note: str = "",
    at: datetime | None = None,
) -> tuple[PolicyApproval, bool]:
    """The headteacher or the chair approves a draft's exact text and confirms the equality
    check. When the second of them approves, the version is published at once.

    Returns the approval and whether the version is now in force.
    """
    capacity = ratification.capacity_of(actor)
    if capacity is None:
        raise NotAllowed("Only the headteacher and the chair of governors approve policies.")
    if version.state != VersionState.DRAFT:
        raise DomainError(f"Version {version.number} is already in force or replaced.")
    missing = [key for key in ratification.CHECK_KEYS if key not in set(checks)]
    if missing:
        raise DomainError(
            "Please confirm every point of the equality check before approving "
            "(or send the draft back to be changed).",
            "checks",
        )
    state = ratification.ratification_of(version)
    if capacity in state.approvals:
        raise DomainError(f"You have already approved version {version.number} as it stands.")
    approval = PolicyApproval(
        version_id=version.id,
        capacity=capacity,
        user_id=actor.id,
        sha256=ratification.fingerprint(version),
        equality_checks=json.dumps(sorted(checks)),
        equality_note=(note or "").strip()[:2000],
        approved_at=at or utcnow(),
    )
    db.session.add(approval)
    db.session.flush()
    audit.record(
        "induction.version_approved",
        actor=actor,
        target=version,
        capacity=capacity.value,
        sha256=approval.sha256,
    )
    state.approvals[capacity] = approval
    if not state.complete:
        return approval, False
    put_in_force(actor, version, at=at)
    return approval, True
