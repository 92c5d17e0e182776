"""Who runs e-safety evenings, and who reads their figures."""

from __future__ import annotations

from ..auth.models import User
from ..auth.roles import Role
from ..errors import NotAllowed

#: Staff who arrange evenings, run the door and email parents about them.
MANAGER_ROLES = (Role.ESAFETY_OFFICER, Role.HEADTEACHER, Role.SLT, Role.OFFICE_ADMIN)

#: Leaders and governors who read the figures (no names) for each evening.
SUMMARY_ROLES = (
    Role.HEADTEACHER,
    Role.SLT,
    Role.ESAFETY_OFFICER,
    Role.COMPUTING_LEAD,
    Role.OFFICE_ADMIN,
    Role.GOVERNOR,
)


def is_manager(user: User) -> bool:
    return user.has_role(*MANAGER_ROLES)


def require_manager(actor: User) -> None:
    if not is_manager(actor):
        raise NotAllowed("Only the staff who run e-safety evenings can do that.")
