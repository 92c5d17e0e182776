"""Which procedure a concern follows and who handles it, as the school's policy says, with the
designated safeguarding lead (DSL) team added where KCSIE puts them.

- A pupil involved (bullying, a pupil's worry, anything a child tells): the DSL team (the DSL
  leads; the deputies are alerted when it is urgent or unread); the class teacher(s) are told
  it exists, unless the child said it is about someone at school or it involves staff.
- A member of staff involved: the Allegations of Abuse Against Staff Policy, the headteacher
  with the DSL (the LADO is contacted within one working day); about the headteacher: the
  chair of governors only.
- An adult outside school: with a child named, the DSL team (it may be grooming); otherwise a
  member of the senior leadership team (meeting, removal, provider, police).
- Friend requests or contact between staff and pupils or parents: the headteacher.
- Inappropriate content reached in school, and other online-content matters: the e-safety
  officer, who has the site blocked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..auth.models import User
from ..auth.roles import Role
from ..school import services as school
from .models import (
    ActionKind,
    Concern,
    ConcernKind,
    ConcernSource,
    Involved,
    LowLevelConcern,
    Procedure,
)

#: The steps the policy sets out for an adult outside school, in order.
ADULT_OUTSIDE_STEPS = (
    ActionKind.MEETING_HELD,
    ActionKind.REMOVAL_REQUESTED,
    ActionKind.PROVIDER_CONTACTED,
    ActionKind.POLICE_CONTACTED,
)

#: Who may open a concern at all (the chair of governors only those about the headteacher).
CONCERN_ROLES = (Role.DSL, Role.DEPUTY_DSL, Role.ESAFETY_OFFICER, Role.HEADTEACHER, Role.SLT)
#: The safeguarding team: they open every concern about children.
DSL_TEAM_ROLES = (Role.DSL, Role.DEPUTY_DSL)
#: Who opens every concern (not those about themselves or the headteacher).
SEE_ALL_ROLES = (Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER)
#: The e-safety officer's and the senior team's share: online content and adults outside.
OUTSIDE_DSL = frozenset(
    {Procedure.BLOCK_SITE, Procedure.GENERAL, Procedure.ADULT_OUTSIDE, Procedure.STAFF_CONTACT}
)


@dataclass
class Routing:
    procedure: Procedure
    #: People who handle it: emailed a link; the first leads.
    handlers: list[User] = field(default_factory=list)
    #: People told it exists (class teachers), without a link or any details.
    informed: list[User] = field(default_factory=list)
    #: Inappropriate content in school: a block request goes to the register.
    block_site: bool = False
    #: Deputy DSLs, alerted at once when it is urgent, or later if nobody has read it.
    deputies: list[User] = field(default_factory=list)


def _unique(users: Sequence[User | None], leave_out: set[int]) -> list[User]:
    seen: set[int] = set()
    result = []
    for user in users:
        if user is None or user.id in seen or user.id in leave_out:
            continue
        seen.add(user.id)
        result.append(user)
    return result


def esafety_officers() -> list[User]:
    return school.staff_with_role(Role.ESAFETY_OFFICER) or school.staff_with_role(Role.HEADTEACHER)


def headteachers() -> list[User]:
    return school.staff_with_role(Role.HEADTEACHER)


def dsls() -> list[User]:
    return school.staff_with_role(Role.DSL)


def deputy_dsls() -> list[User]:
    return [u for u in school.staff_with_role(Role.DEPUTY_DSL) if not u.has_role(Role.DSL)]


def dsl_team() -> list[User]:
    """The DSL first, then the deputies; a school without either falls back to the e-safety
    officer (and then the headteacher), so no concern is ever left with nobody."""
    return dsls() + deputy_dsls() or esafety_officers()


def _child_route(procedure: Procedure, leave_out: set[int], informed: list[User]) -> Routing:
    team = _unique(dsl_team(), leave_out)
    leads = [u for u in team if u.has_role(Role.DSL)] or team[:1]
    deputies = [u for u in team if u not in leads]
    return Routing(procedure, leads, informed, deputies=deputies)


def is_staff_contact(concern: Concern, reporter: User) -> bool:
    """A 'friend' request or contact through social media between staff and pupils or parents."""
    if concern.kind is not ConcernKind.UNWANTED_CONTACT:
        return False
    if concern.staff_contact:
        return True
    reporter_is_staff = reporter.is_staff
    pupil_or_parent = reporter.has_role(Role.PUPIL, Role.PARENT)
    return (reporter_is_staff and concern.involved is Involved.PUPIL) or (
        pupil_or_parent and concern.involved is Involved.STAFF
    )


def route(concern: Concern, reporter: User) -> Routing:
    """Choose the procedure and the people for a new concern; the first matching rule wins."""
    leave_out = {concern.staff_member_id} if concern.staff_member_id else set()
    class_teachers = school.teachers_of(concern.class_id) if concern.class_id else []
    keep_class_out = concern.keep_from_class or concern.involved is Involved.STAFF
    informed = [] if keep_class_out else _unique(class_teachers, leave_out | {reporter.id})

    if concern.source is ConcernSource.CLASS_BLOG:
        procedure = (
            Procedure.ANTI_BULLYING
            if concern.kind is ConcernKind.CYBER_BULLYING
            else Procedure.PUPIL_WORRY
        )
        return _child_route(procedure, leave_out, informed)

    if concern.about_headteacher:
        chair = school.chair_of_governors()
        # Without a chair on record the designated safeguarding lead holds it until one is.
        handlers = [chair] if chair else [u for u in dsl_team() if not u.has_role(Role.HEADTEACHER)]
        return Routing(Procedure.ALLEGATIONS, _unique(handlers, leave_out))

    if is_staff_contact(concern, reporter):
        return Routing(Procedure.STAFF_CONTACT, _unique(headteachers(), leave_out))

    if concern.involved is Involved.STAFF:
        # The headteacher manages an allegation; the DSL is told and contacts the LADO.
        return Routing(Procedure.ALLEGATIONS, _unique(headteachers() + dsls(), leave_out))

    if concern.kind is ConcernKind.INAPPROPRIATE_CONTENT and concern.in_school:
        handlers = esafety_officers()
        if concern.pupil_id is not None:
            handlers = handlers + dsls()
        return Routing(Procedure.BLOCK_SITE, _unique(handlers, leave_out), block_site=True)

    if concern.involved is Involved.PUPIL:
        # The anti-bullying procedure, led by the safeguarding team with the class teacher(s).
        return _child_route(Procedure.ANTI_BULLYING, leave_out, informed)

    if concern.involved is Involved.ADULT_OUTSIDE:
        if concern.pupil_id is not None:
            # An adult outside school and a named child: a child-protection matter.
            return _child_route(Procedure.ADULT_OUTSIDE, leave_out, [])
        slt = [u for u in school.staff_with_role(Role.SLT) if u.id != reporter.id]
        handlers = slt[:1] or headteachers()
        return Routing(Procedure.ADULT_OUTSIDE, _unique(handlers, leave_out))

    if (
        concern.pupil_id is not None
        or concern.class_id is not None
        or concern.source is ConcernSource.TELL_A_TEACHER
    ):
        procedure = (
            Procedure.ANTI_BULLYING
            if concern.kind is ConcernKind.CYBER_BULLYING
            else Procedure.PUPIL_WORRY
        )
        return _child_route(procedure, leave_out, informed)

    return Routing(Procedure.GENERAL, _unique(esafety_officers(), leave_out))


#: Who keeps the low-level concerns log about staff (the chair sees only entries about the head).
LOW_LEVEL_KEEPERS = (Role.HEADTEACHER, Role.DSL)


def may_read_low_level(user: User, entry: LowLevelConcern, chair: int | None) -> bool:
    """A low-level concern is never shown to the member of staff it is about."""
    if entry.staff_member_id == user.id:
        return False
    if entry.about_headteacher:
        return user.id == chair
    return user.has_role(*LOW_LEVEL_KEEPERS)
