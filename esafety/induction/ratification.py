"""Ratification: a major version of a school policy comes into force only when the headteacher
and the chair of governors have both approved its exact text and confirmed its equality check.

The governing body is responsible for the policy and for making sure it treats nobody less
favourably; their chair's approval, beside the headteacher's, is the signature on the policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..auth.models import User
from ..auth.roles import Role
from ..errors import DomainError
from ..extensions import db
from ..school.services import chair_of_governors
from .models import (
    ApprovalCapacity,
    ChangeSize,
    PolicyApproval,
    PolicyVersion,
)
from .rules import text_sha256

#: The equality check the headteacher and the chair each confirm (key, what they confirm).
EQUALITY_CHECKS: tuple[tuple[str, str], ...] = (
    (
        "same_for_everyone",
        "The rules apply in the same way to every pupil, family and member of staff.",
    ),
    (
        "no_group_worse_off",
        "No one is treated less well because of their ethnicity or national origin, culture, "
        "religion, sex or gender, disability or sexual orientation.",
    ),
    (
        "can_be_read_by_all",
        "Families and staff who need the policy in another language, larger print or read "
        "aloud can have it.",
    ),
    (
        "prejudice_recorded",
        "Bullying aimed at who someone is is recorded by its kind, so the governors can see it.",
    ),
)
CHECK_KEYS = tuple(key for key, _ in EQUALITY_CHECKS)


def needs_ratification(version: PolicyVersion) -> bool:
    """A major version (and every first version) needs both signatures; a minor one does not."""
    return version.change == ChangeSize.MAJOR


def capacity_of(user: User) -> ApprovalCapacity | None:
    """In which capacity this person approves: as headteacher, as chair, or not at all."""
    if user.has_role(Role.HEADTEACHER):
        return ApprovalCapacity.HEADTEACHER
    chair = chair_of_governors()
    if chair is not None and chair.id == user.id and user.has_role(Role.GOVERNOR):
        return ApprovalCapacity.CHAIR
    return None


def fingerprint(version: PolicyVersion) -> str:
    return version.sha256 or text_sha256(version.body_markdown)


@dataclass
class Ratification:
    """Where a version stands: the approvals that still match its text, and what is missing."""

    version: PolicyVersion
    approvals: dict[ApprovalCapacity, PolicyApproval]
    #: Approvals given to an earlier wording of the draft (they no longer count).
    stale: list[PolicyApproval]

    @property
    def required(self) -> bool:
        return needs_ratification(self.version)

    @property
    def complete(self) -> bool:
        return all(c in self.approvals for c in ApprovalCapacity)

    @property
    def missing(self) -> list[ApprovalCapacity]:
        return [c for c in ApprovalCapacity if c not in self.approvals]

    @property
    def state(self) -> str:
        """ "Ratified", "Waiting for the chair of governors"... for the governors' dashboard."""
        if not self.required:
            return "Minor change: no ratification needed"
        if self.complete:
            return "Ratified"
        return "Waiting for " + " and ".join(c.label.lower() for c in self.missing)


def ratifications(versions: list[PolicyVersion]) -> dict[int, Ratification]:
    """Each version's ratification, in one query whatever the number of versions."""
    by_version: dict[int, list[PolicyApproval]] = {v.id: [] for v in versions}
    if versions:
        for approval in db.session.scalars(
            select(PolicyApproval)
            .where(PolicyApproval.version_id.in_(list(by_version)))
            .order_by(PolicyApproval.id)
        ):
            by_version[approval.version_id].append(approval)
    result = {}
    for version in versions:
        text_now = fingerprint(version)
        current: dict[ApprovalCapacity, PolicyApproval] = {}
        stale = []
        for approval in by_version[version.id]:
            if approval.sha256 == text_now:
                current[approval.capacity] = approval
            else:
                stale.append(approval)
        result[version.id] = Ratification(version, current, stale)
    return result


def ratification_of(version: PolicyVersion) -> Ratification:
    return ratifications([version])[version.id]


def refuse_unratified(version: PolicyVersion) -> None:
    """Publishing checks this: a major version without both approvals stays a draft."""
    if not needs_ratification(version):
        return
    state = ratification_of(version)
    if not state.complete:
        raise DomainError(
            f"Version {version.number} is a major change, so it needs the approval of the "
            f"headteacher and the chair of governors first: still waiting for "
            f"{' and '.join(c.label.lower() for c in state.missing)}."
        )
