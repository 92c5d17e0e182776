"""Who may grant which role, and so who may change whose account: one explicit table.

Read a row as "this role is given (and taken away) only by". Nobody appears beside a role that
opens more than their own roles do, except the two who appoint: the headteacher appoints the
staff, and the chair of governors appoints the headteacher. tests/auth/test_grants.py checks
that rule against every page's access declaration.
"""

from __future__ import annotations

from typing import Final

from .models import User
from .roles import Role

#: The chair of governors is a person (StaffProfile.is_chair_of_governors), not a role.
CHAIR: Final = "chair_of_governors"

Granter = Role | str

GRANTED_BY: Final[dict[Role, frozenset[Granter]]] = {
    Role.HEADTEACHER: frozenset({CHAIR}),
    Role.GOVERNOR: frozenset({CHAIR, Role.HEADTEACHER}),
    Role.DSL: frozenset({Role.HEADTEACHER}),
    Role.DEPUTY_DSL: frozenset({Role.HEADTEACHER}),
    Role.SLT: frozenset({Role.HEADTEACHER}),
    Role.ESAFETY_OFFICER: frozenset({Role.HEADTEACHER}),
    Role.COMPUTING_LEAD: frozenset({Role.HEADTEACHER}),
    Role.OFFICE_ADMIN: frozenset({Role.HEADTEACHER}),
    Role.TEACHER: frozenset({Role.HEADTEACHER, Role.SLT}),
    Role.SUPPORT_STAFF: frozenset({Role.HEADTEACHER, Role.SLT}),
    Role.VOLUNTEER: frozenset({Role.HEADTEACHER, Role.SLT, Role.OFFICE_ADMIN}),
    Role.SUPPLY_STAFF: frozenset({Role.HEADTEACHER, Role.SLT, Role.OFFICE_ADMIN}),
    Role.STUDENT: frozenset({Role.HEADTEACHER, Role.SLT, Role.OFFICE_ADMIN}),
    Role.CONTRACTOR: frozenset({Role.HEADTEACHER, Role.SLT, Role.OFFICE_ADMIN}),
    #: Families come from the roster import: they reach only their own family's records.
    Role.PARENT: frozenset({Role.HEADTEACHER, Role.SLT, Role.OFFICE_ADMIN}),
    Role.PUPIL: frozenset({Role.HEADTEACHER, Role.SLT, Role.OFFICE_ADMIN}),
}

#: Those who appoint: exempt from "reaches every page of the role it grants".
APPOINTERS: Final = frozenset({CHAIR, Role.HEADTEACHER})

#: Accounts whose email, roles or disabling need a second person (or the chair) to agree:
#: whoever holds one of these can read safeguarding records or every child's.
SENSITIVE_ROLES: Final = frozenset(
    {
        Role.HEADTEACHER,
        Role.SLT,
        Role.DSL,
        Role.DEPUTY_DSL,
        Role.ESAFETY_OFFICER,
        Role.OFFICE_ADMIN,
    }
)


def granters_of(user: User, chair_id: int | None) -> frozenset[Granter]:
    """What this person may grant as: their roles, and CHAIR when they chair the governors."""
    held: set[Granter] = set(user.role_set)
    if chair_id is not None and user.id == chair_id:
        held.add(CHAIR)
    return frozenset(held)


def may_grant(actor: User, role: Role, chair_id: int | None) -> bool:
    return bool(GRANTED_BY.get(role, frozenset()) & granters_of(actor, chair_id))


def may_manage(actor: User, target: User, chair_id: int | None) -> bool:
    """Changing someone's email or disabling them needs the power to grant every role they
    hold; the chair's own account is the chair's alone (else the headteacher, whom the chair
    oversees, could take it over)."""
    if target.id == chair_id and actor.id != chair_id:
        return False
    if not target.roles:
        return False
    if Role.HEADTEACHER in target.role_set:
        # The headteacher's account is the chair's to look after, whatever else they teach.
        return may_grant(actor, Role.HEADTEACHER, chair_id)
    return all(may_grant(actor, held, chair_id) for held in target.role_set)


def is_sensitive(target: User, chair_id: int | None) -> bool:
    return bool(target.role_set & SENSITIVE_ROLES) or target.id == chair_id
