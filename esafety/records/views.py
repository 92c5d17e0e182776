"""People's data: subject-access exports, corrections, retention and legal holds."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.access import requires
from ..auth.models import User
from ..auth.roles import Role
from ..downloads import attachment
from ..errors import NotFoundError, rule_errors
from ..extensions import db
from ..inputs import query_text
from ..school.services import pupil_of
from . import erasure, retention, services, subject_access
from .forms import CorrectDetailsForm, EraseLeaverForm, HoldForm
from .models import LegalHold

bp = Blueprint("records", __name__, template_folder="templates", url_prefix="/records")

DATA_OFFICERS = (Role.OFFICE_ADMIN, Role.HEADTEACHER)
#: The DSL makes exports too: only theirs list the safeguarding records held back for review.
EXPORTERS = (*DATA_OFFICERS, Role.DSL)
RETENTION_READERS = (Role.HEADTEACHER, Role.DSL, Role.SLT, Role.OFFICE_ADMIN, Role.GOVERNOR)
#: A legal hold names a person and why their records are kept (a claim, a police enquiry):
#: only the headteacher and the designated safeguarding lead see, place or lift them.
HOLD_SETTERS = (Role.HEADTEACHER, Role.DSL)


def _person(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError("No such person.")
    return user


@bp.get("/people")
@requires(*EXPORTERS)
def people():
    """Find a person to export or correct their records."""
    query = query_text("q")
    return render_template(
        "records/people.html", query=query, results=services.search_people(query)
    )


@bp.post("/people/<int:user_id>/export")
@requires(*EXPORTERS)
def export(user_id: int):
    """Download every record about one person (subject-access request) as one zip."""
    filename, content = subject_access.build_export(current_user, _person(user_id))
    return Response(
        content,
        mimetype="application/zip",
        headers={
            "Content-Disposition": attachment(filename),
            "Cache-Control": "no-store",
        },
    )


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
@requires(*DATA_OFFICERS)
def correct(user_id: int):
    """Correct a person's name, email or date of birth."""
    user = _person(user_id)
    pupil = pupil_of(user)
    form = CorrectDetailsForm(obj=user, date_of_birth=pupil.date_of_birth if pupil else None)
    if form.validate_on_submit():
        with rule_errors(form, "first_name"):
            changed = services.correct_details(
                current_user,
                user,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                email=form.email.data or None,
                date_of_birth=form.date_of_birth.data,
            )
            flash(f"Saved: {', '.join(changed) or 'nothing needed changing'}.", "success")
            return redirect(url_for("records.people", q=user.last_name))
    return _correct_page(form, user, pupil, EraseLeaverForm(formdata=None))


def _correct_page(form, user, pupil, erase_form, erase_error: str | None = None):
    return render_template(
        "records/correct.html",
        form=form,
        person=user,
        pupil=pupil,
        erase_form=erase_form if pupil is not None and pupil.left_on else None,
        erase_error=erase_error,
    )


@bp.post("/people/<int:user_id>/erase")
@requires(*DATA_OFFICERS)
def erase(user_id: int):
    """Remove a leaver's blog writing and lesson work and anonymise their name, once confirmed."""
    user = _person(user_id)
    pupil = pupil_of(user)
    if pupil is None:
        raise NotFoundError("Only a pupil's records can be removed here.")
    form = EraseLeaverForm()
    details = CorrectDetailsForm(formdata=None, obj=user, date_of_birth=pupil.date_of_birth)
    if not form.validate_on_submit():
        return _correct_page(details, user, pupil, form)
    with rule_errors(form) as outcome:
        result = erasure.erase_leaver(current_user, pupil)
    if outcome.failed:
        return _correct_page(details, user, pupil, form, erase_error=outcome.problem)
    flash(
        f"Removed: {result.counts['posts']} posts, {result.counts['comments']} comments, "
        f"{result.counts['drawings']} drawings and their lesson work. Their name is now "
        f"“{erasure.FORMER_FIRST_NAME} {erasure.FORMER_LAST_NAME}”.",
        "success",
    )
    return redirect(url_for("records.people"))


@bp.get("/retention")
@requires(*RETENTION_READERS)
def retention_page():
    """Show the retention schedule, what is due for deletion now, and the legal holds."""
    due = retention.find_due()
    summary: dict[str, dict[str, int]] = {}
    for record in due:
        counts = summary.setdefault(record.rule, {"due": 0, "held": 0})
        counts["held" if record.held else "due"] += 1
    return render_template(
        "records/retention.html",
        schedule=retention.load_schedule(),
        summary=summary,
        holds=services.active_holds() if current_user.has_role(*HOLD_SETTERS) else [],
        form=HoldForm(),
        can_hold=current_user.has_role(*HOLD_SETTERS),
    )


@bp.post("/holds")
@requires(*HOLD_SETTERS)
def place_hold():
    """Place a legal hold on a person or a concern."""
    form = HoldForm()
    if form.validate_on_submit():
        with rule_errors():
            services.place_hold(
                current_user,
                reason=form.reason.data,
                user_id=form.user_id.data,
                concern_id=form.concern_id.data,
            )
            flash("Legal hold placed: nothing it covers will be deleted.", "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("records.retention_page"))


@bp.post("/holds/<int:hold_id>/lift")
@requires(*HOLD_SETTERS)
def lift_hold(hold_id: int):
    """Lift a legal hold; the hold's record stays."""
    hold = db.session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFoundError("No such hold.")
    services.lift_hold(current_user, hold)
    flash("Hold lifted.", "success")
    return redirect(url_for("records.retention_page"))
