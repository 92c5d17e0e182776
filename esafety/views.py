"""The pages that belong to no single feature: home, the health check, the audit log."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from . import audit
from .auth.access import public, requires, signed_in
from .auth.roles import Role
from .extensions import db
from .needs import needs_for
from .safeguarding import services as safeguarding
from .school import services as school

bp = Blueprint("main", __name__)


@bp.get("/")
@signed_in
def home():
    """Show each person the things they may use, starting with what is most useful to them."""
    if current_user.is_pupil:
        pupil = school.pupil_of(current_user)
        if pupil and pupil.class_id:
            return redirect(url_for("school.class_page", class_id=pupil.class_id))
    return render_template(
        "home.html",
        needs=needs_for(current_user),
        classes=school.classes_for(current_user),
        children=school.children_of(current_user) if current_user.has_role(Role.PARENT) else [],
    )


@bp.get("/healthz")
@public
def healthz():
    """Report whether the app can reach its database (for load balancers and monitoring)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


@bp.get("/audit")
@requires(*safeguarding.AUDIT_READERS)
def audit_log():
    """Show the most recent entries of the audit log, without safeguarding events the reader
    may not open (read-only for everyone)."""
    entries = safeguarding.visible_audit_entries(current_user, audit.recent(1000))[:300]
    return render_template("audit.html", entries=entries)
