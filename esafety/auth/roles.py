"""The school's roles. A person may hold several (a headteacher who also teaches)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    PUPIL = "pupil"
    PARENT = "parent"
    TEACHER = "teacher"
    SUPPORT_STAFF = "support_staff"
    COMPUTING_LEAD = "computing_lead"
    ESAFETY_OFFICER = "esafety_officer"
    HEADTEACHER = "headteacher"
    SLT = "slt"
    GOVERNOR = "governor"
    OFFICE_ADMIN = "office_admin"
    #: The designated safeguarding lead and deputies: they handle concerns about children.
    DSL = "dsl"
    DEPUTY_DSL = "deputy_dsl"
    #: Light roles: adults who work in school for a while and sign its policies.
    VOLUNTEER = "volunteer"
    SUPPLY_STAFF = "supply_staff"
    STUDENT = "student"
    CONTRACTOR = "contractor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.PUPIL: "Pupil",
    Role.PARENT: "Parent or carer",
    Role.TEACHER: "Teacher",
    Role.SUPPORT_STAFF: "Support staff",
    Role.COMPUTING_LEAD: "Computing lead",
    Role.ESAFETY_OFFICER: "E-safety officer",
    Role.HEADTEACHER: "Headteacher",
    Role.SLT: "Senior leadership team",
    Role.GOVERNOR: "Governor",
    Role.OFFICE_ADMIN: "Office",
    Role.DSL: "Designated safeguarding lead",
    Role.DEPUTY_DSL: "Deputy safeguarding lead",
    Role.VOLUNTEER: "Volunteer",
    Role.SUPPLY_STAFF: "Supply staff",
    Role.STUDENT: "Student on placement",
    Role.CONTRACTOR: "Contractor",
}

#: Everyone employed by the school (governors are volunteers and are not staff).
STAFF_ROLES = frozenset(
    {
        Role.TEACHER,
        Role.SUPPORT_STAFF,
        Role.COMPUTING_LEAD,
        Role.ESAFETY_OFFICER,
        Role.HEADTEACHER,
        Role.SLT,
        Role.OFFICE_ADMIN,
        Role.DSL,
        Role.DEPUTY_DSL,
    }
)
#: Adults in school for a while (volunteers, supply staff, students on placement, contractors):
#: not staff (they get no staff powers), but they sign the school's policies on a light pathway.
LIGHT_ROLES = frozenset({Role.VOLUNTEER, Role.SUPPLY_STAFF, Role.STUDENT, Role.CONTRACTOR})
#: Staff who work with classes' writing: the class blog's moderators and the news's writers.
#: A tuple, so `@requires(*CLASSROOM_STAFF)` lists them in a fixed order.
CLASSROOM_STAFF = (
    Role.TEACHER,
    Role.SUPPORT_STAFF,
    Role.HEADTEACHER,
    Role.SLT,
    Role.COMPUTING_LEAD,
    Role.ESAFETY_OFFICER,
)
#: Leaders who read the audit log and the school-wide reports.
LEADER_ROLES = frozenset({Role.HEADTEACHER, Role.SLT, Role.COMPUTING_LEAD, Role.ESAFETY_OFFICER})
#: Those who read safeguarding records or every child's: their sessions end sooner when idle.
SAFEGUARDING_ROLES = frozenset(
    {Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.SLT, Role.OFFICE_ADMIN}
)
