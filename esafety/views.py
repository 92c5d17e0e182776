"""The pages that belong to no single feature: home, the health check, the audit log."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, url_for
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


#: Mail waiting longer than this means the worker is not running or cannot reach the server.
MAIL_BACKLOG_ALERT_SECONDS = 10 * 60


@bp.get("/healthz")
@public
def healthz():
    """Report each thing the app depends on (for load balancers and monitoring).

    503 when this server cannot do its work (no database, uploads not writable); "degraded"
    when it can but something needs looking at (Redis down, mail not going out).
    """
    report: dict = {}
    broken = degraded = False
    try:
        db.session.execute(text("SELECT 1"))
        report["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means unreachable
        db.session.rollback()
        report["database"] = "unreachable"
        broken = True
    report["redis"] = current_app.extensions["esafety_throttle"].health()
    degraded |= report["redis"].startswith("unreachable")
    if broken:
        report["mail"] = "unknown (no database)"
    else:
        from .mail.delivery import backlog

        queue = backlog()
        report["mail"] = {
            "waiting": queue.waiting,
            "failed": queue.failed,
            "oldest_waiting_seconds": queue.oldest_waiting_seconds,
        }
        degraded |= queue.failed > 0 or queue.oldest_waiting_seconds > MAIL_BACKLOG_ALERT_SECONDS
    report["uploads"] = _uploads_writable()
    broken |= report["uploads"] != "ok"
    report["status"] = "error" if broken else "degraded" if degraded else "ok"
    return report, 503 if broken else 200


def _uploads_writable() -> str:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".healthz-"):
            pass
    except OSError as error:
        return f"not writable ({error.strerror or type(error).__name__})"
    return "ok"


@bp.get("/audit")
@requires(*safeguarding.AUDIT_READERS)
def audit_log():
    """Show the most recent entries of the audit log, without safeguarding events the reader
    may not open (read-only for everyone)."""
    entries = safeguarding.visible_audit_entries(current_user, audit.recent(1000))[:300]
    return render_template("audit.html", entries=entries)
