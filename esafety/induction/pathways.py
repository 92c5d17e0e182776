"""Induction pathways: what each role signs and passes in its first days at the school."""

from __future__ import annotations

from sqlalchemy import func, select

from .. import audit
from ..auth.models import User
from ..auth.roles import Role
from ..errors import DomainError, NotFoundError
from ..extensions import db
from .models import Course, Pathway, PathwayRole, Policy
from .rules import DEFAULT_DUE_WITHIN_DAYS, INDUCTEE_ROLES, require_manager


def all_pathways() -> list[Pathway]:
    return list(db.session.scalars(select(Pathway).order_by(Pathway.name)))


def pathway_by_id(pathway_id: int) -> Pathway:
    pathway = db.session.get(Pathway, pathway_id)
    if pathway is None:
        raise NotFoundError("We could not find that pathway.")
    return pathway


def save_pathway(
    actor: User,
    pathway: Pathway | None,
    *,
    name: str,
    roles: list[Role],
    policy_ids: list[int],
    course_ids: list[int],
    due_within_days: int = DEFAULT_DUE_WITHIN_DAYS,
    sign_only: bool = False,
) -> Pathway:
    """Create or change a pathway; everyone holding one of its roles follows it from now on."""
    require_manager(actor, "set induction pathways")
    name = " ".join(name.split())
    if not name:
        raise DomainError('Please name the pathway (for example "Teachers").', "name")
    clash = db.session.scalar(select(Pathway.id).where(func.lower(Pathway.name) == name.lower()))
    if clash is not None and (pathway is None or clash != pathway.id):
        raise DomainError("There is already a pathway with that name.", "name")
    if not roles:
        raise DomainError("Please choose at least one role.", "roles")
    if any(role not in INDUCTEE_ROLES for role in roles):
        raise DomainError("Pathways are for staff and governors only.", "roles")
    if not 1 <= due_within_days <= 365:
        raise DomainError("Please choose between 1 and 365 days.", "due_within_days")
    policies = list(db.session.scalars(select(Policy).where(Policy.id.in_(policy_ids))))
    courses = list(db.session.scalars(select(Course).where(Course.id.in_(course_ids))))
    if not policies and not courses:
        raise DomainError("Please choose at least one policy or course.", "policy_ids")
    if sign_only and not policies:
        raise DomainError("A sign-only pathway needs at least one policy to sign.", "policy_ids")
    if pathway is None:
        pathway = Pathway(name=name)
        db.session.add(pathway)
    pathway.name = name
    pathway.due_within_days = due_within_days
    pathway.sign_only = sign_only
    wanted = set(roles)
    pathway.roles = [r for r in pathway.roles if r.role in wanted] + [
        PathwayRole(role=role) for role in sorted(wanted - pathway.role_set)
    ]
    pathway.policies = policies
    pathway.courses = courses
    db.session.flush()
    audit.record(
        "induction.pathway_saved",
        actor=actor,
        target=pathway,
        roles=sorted(r.value for r in wanted),
        policy_ids=sorted(p.id for p in policies),
        course_ids=sorted(c.id for c in courses),
        due_within_days=due_within_days,
        sign_only=sign_only,
    )
    return pathway


def needs_course(user: User, policy_id: int) -> bool:
    """Whether this person passes the policy's course before signing: yes, unless every
    pathway that asks them to sign it is a light, sign-only one."""
    asking = [
        p
        for p in all_pathways()
        if p.role_set & user.role_set and policy_id in {policy.id for policy in p.policies}
    ]
    return not asking or any(not p.sign_only for p in asking)
