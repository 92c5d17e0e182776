"""Who may publish: the computing lead, and the staff they approve.

Policy: the computing lead is responsible for the school's accounts and only staff they approve
upload content.
"""

from __future__ import annotations

from sqlalchemy import select

from .. import audit
from ..auth.models import User
from ..auth.roles import STAFF_ROLES, Role
from ..clock import utcnow
from ..errors import DomainError, NotAllowed, NotFoundError
from ..extensions import db
from ..school import services as school
from .models import NewsPublisher


def may_publish(user: User) -> bool:
    """The computing lead, and staff the computing lead has approved."""
    if not user.is_authenticated or not user.is_staff:
        return False
    if user.has_role(Role.COMPUTING_LEAD):
        return True
    return db.session.get(NewsPublisher, user.id) is not None


def require_publisher(actor: User) -> None:
    if not may_publish(actor):
        raise NotAllowed("Only the computing lead and staff they approve publish school news.")


def publishers() -> list[NewsPublisher]:
    return list(db.session.scalars(select(NewsPublisher).order_by(NewsPublisher.approved_at)))


def staff_who_could_publish() -> list[User]:
    """Staff not yet approved (and not the computing lead), for the computing lead to choose."""
    approved = {p.user_id for p in publishers()}
    return [
        user
        for user in school.staff_with_role(*STAFF_ROLES)
        if user.id not in approved and not user.has_role(Role.COMPUTING_LEAD)
    ]


def approve_publisher(actor: User, user_id: int) -> NewsPublisher:
    """The computing lead approves a member of staff to publish on the school's feed."""
    if not actor.has_role(Role.COMPUTING_LEAD):
        raise NotAllowed("Only the computing lead approves who publishes school news.")
    user = db.session.get(User, user_id)
    if user is None or not user.is_staff or not user.active:
        raise DomainError("Choose a member of staff.", field="user_id")
    existing = db.session.get(NewsPublisher, user_id)
    if existing is not None:
        return existing
    publisher = NewsPublisher(user_id=user_id, approved_by_id=actor.id, approved_at=utcnow())
    db.session.add(publisher)
    db.session.flush()
    audit.record("sandbox.news.publisher_approved", actor=actor, target=user)
    return publisher


def revoke_publisher(actor: User, user_id: int) -> None:
    if not actor.has_role(Role.COMPUTING_LEAD):
        raise NotAllowed("Only the computing lead changes who publishes school news.")
    publisher = db.session.get(NewsPublisher, user_id)
    if publisher is None:
        raise NotFoundError("That person is not a publisher.")
    audit.record("sandbox.news.publisher_revoked", actor=actor, target=publisher.user)
    db.session.delete(publisher)
    db.session.flush()
