"""Which procedure a concern follows and who handles it, as the school's policy says.

- A pupil involved: the Anti-Bullying Policy, the class teacher(s) with the e-safety officer.
- A member of staff involved: the Allegations of Abuse Against Staff Policy, the headteacher;
  about the headteacher: the chair of governors.
- An adult outside school: a member of the senior leadership team, who holds a meeting, asks
  for removal, then uses the provider's reporting route, then considers the police.
- Friend requests or contact between staff and pupils or parents: the headteacher.
- Inappropriate content reached in school: the e-safety officer, who has the site blocked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..auth.models import User
from ..auth.roles import Role
from ..school import services as school
from .models import ActionKind, Concern, ConcernKind, ConcernSource, Involved, Procedure

#: The steps the policy sets out for an adult outside school, in order.
ADULT_OUTSIDE_STEPS = (
    ActionKind.MEETING_HELD,
    ActionKind.REMOVAL_REQUESTED,
    ActionKind.PROVIDER_CONTACTED,
    ActionKind.POLICE_CONTACTED,
)

#: Who may open a concern at all (the chair of governors only those about the headteacher).
CONCERN_ROLES = (Role.ESAFETY_OFFICER, Role.HEADTEACHER, Role.SLT)


@dataclass
class Routing:
    procedure: Procedure
    #: People who handle it: emailed a link; the first leads.
    handlers: list[User] = field(default_factory=list)
    #: People told it exists (class teachers), without a link or any details.
    informed: list[User] = field(default_factory=list)
    #: Inappropriate content in school: a block request goes to the register.
    block_site: bool = False


def _unique(users: list[User | None], leave_out: set[int]) -> list[User]:
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
    informed = _unique(class_teachers, leave_out)

    if concern.source is ConcernSource.CLASS_BLOG:
        procedure = (
            Procedure.ANTI_BULLYING
            if concern.kind is ConcernKind.CYBER_BULLYING
            else Procedure.PUPIL_WORRY
        )
        return Routing(procedure, _unique(esafety_officers(), leave_out), informed)

    if concern.about_headteacher:
        chair = school.chair_of_governors()
        # Without a chair on record the designated safeguarding lead holds it until one is.
        handlers = [chair] if chair else esafety_officers()
        return Routing(Procedure.ALLEGATIONS, _unique(handlers, leave_out))

    if is_staff_contact(concern, reporter):
        return Routing(Procedure.STAFF_CONTACT, _unique(headteachers(), leave_out))

    if concern.involved is Involved.STAFF:
        return Routing(Procedure.ALLEGATIONS, _unique(headteachers(), leave_out))

    if concern.kind is ConcernKind.INAPPROPRIATE_CONTENT and concern.in_school:
        return Routing(
            Procedure.BLOCK_SITE, _unique(esafety_officers(), leave_out), block_site=True
        )

    if concern.involved is Involved.PUPIL:
        # The class teacher(s) run the anti-bullying procedure with the e-safety officer.
        return Routing(
            Procedure.ANTI_BULLYING,
            _unique(esafety_officers(), leave_out),
            informed,
        )

    if concern.involved is Involved.ADULT_OUTSIDE:
        slt = [u for u in school.staff_with_role(Role.SLT) if u.id != reporter.id]
        handlers = slt[:1] or headteachers()
        return Routing(Procedure.ADULT_OUTSIDE, _unique(handlers, leave_out))

    if concern.pupil_id is not None or concern.class_id is not None:
        procedure = (
            Procedure.ANTI_BULLYING
            if concern.kind is ConcernKind.CYBER_BULLYING
            else Procedure.PUPIL_WORRY
        )
        return Routing(procedure, _unique(esafety_officers(), leave_out), informed)

    return Routing(Procedure.GENERAL, _unique(esafety_officers(), leave_out))
