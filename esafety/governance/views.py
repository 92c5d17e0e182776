"""The governors' pages: the dashboard and annual report, approving and reviewing policies,
and filtering and monitoring (thin views: each calls one service)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from ..auth.access import requires
from ..auth.roles import LEADER_ROLES, STAFF_ROLES, Role
from ..clock import today
from ..errors import rule_errors
from ..induction import policies, ratification, reviews
from ..induction.models import ReviewTrigger
from ..induction.rules import MANAGERS
from ..safeguarding import prejudice, register
from ..safeguarding import services as safeguarding
from ..safeguarding.routing import CONCERN_ROLES
from ..school.services import staff_with_role
from . import dashboard as board
from . import filtering, social_accounts
from .forms import (
    AlertConcernForm,
    AlertForm,
    AlertImportForm,
    ApprovalForm,
    CircumventionForm,
    CloseReviewForm,
    DismissAlertForm,
    FilterCheckForm,
    FilteringReviewForm,
    OpenReviewForm,
    PrejudiceForm,
    ResponsibilityForm,
    SocialAccountForm,
)
from .models import CheckResult

bp = Blueprint("governance", __name__, template_folder="templates", url_prefix="/governance")

#: Governors (the chair among them) and the school's leaders read the dashboard.
DASHBOARD_ROLES = (*sorted(LEADER_ROLES), Role.GOVERNOR)
#: Who may see the filtering page: its keepers, and governors (figures and dates only).
FILTERING_READERS = (*filtering.FILTERING_ROLES, Role.GOVERNOR)


@bp.get("/")
@requires(*DASHBOARD_ROLES)
def dashboard():
    """Show the governors everything they oversee, on one page."""
    return render_template(
        "governance/dashboard.html",
        board=board.dashboard(current_user),
        review_form=OpenReviewForm(formdata=None),
        may_open_review=current_user.has_role(*reviews.REVIEW_OPENERS),
    )


@bp.get("/report")
@requires(*DASHBOARD_ROLES)
def annual_report():
    """The annual report for the governing body, printable, from the dashboard's figures."""
    return render_template("governance/report.html", board=board.dashboard(current_user))


# --- Ratification and reviews --------------------------------------------------------------------


@bp.route("/versions/<int:version_id>/approve", methods=["GET", "POST"])
@requires(Role.HEADTEACHER, Role.GOVERNOR)
def approve_version(version_id: int):
    """The headteacher or the chair reads a draft and approves it with its equality check."""
    version = policies.version_by_id(version_id)
    capacity = ratification.capacity_of(current_user)
    if capacity is None:
        abort(403)
    form = ApprovalForm()
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            _, in_force = policies.approve_version(
                current_user, version, checks=form.checks.data or [], note=form.note.data or ""
            )
            flash(
                f"Version {version.number} of the {version.policy.title} is ratified and now "
                "in force."
                if in_force
                else f"Your approval of version {version.number} is recorded.",
                "success",
            )
            return redirect(url_for("governance.dashboard"))
    else:
        outcome = None
    return render_template(
        "governance/approve.html",
        form=form,
        version=version,
        capacity=capacity,
        state=ratification.ratification_of(version),
        current=policies.latest_published(version.policy_id),
        problem=outcome.problem if outcome else None,
    ), (outcome.status if outcome else 200)


@bp.post("/policies/<int:policy_id>/review")
@requires(*reviews.REVIEW_OPENERS)
def open_review(policy_id: int):
    """Mark a policy "review due" after an incident or a new threat, with the reason."""
    policy = policies.policy_by_id(policy_id)
    form = OpenReviewForm()
    if form.validate_on_submit():
        with rule_errors() as outcome:
            review = reviews.open_review(
                current_user, policy, ReviewTrigger(form.trigger.data), form.reason.data or ""
            )
        if not outcome.failed:
            flash(
                f"The {policy.title} is marked for review by {review.due_on:%-d %B %Y}; its "
                "owner and the headteacher have been told.",
                "success",
            )
    else:
        flash("Please say why the policy needs reviewing.", "error")
    return redirect(url_for("governance.dashboard") + f"#policy-{policy.id}")


@bp.post("/policies/<int:policy_id>/yearly-review")
@requires(*MANAGERS)
def start_yearly_review(policy_id: int):
    """Open the yearly review of a policy."""
    with rule_errors():
        reviews.start_yearly_review(current_user, policy_id)
        flash("The yearly review is open.", "success")
    return redirect(url_for("governance.dashboard") + f"#policy-{policy_id}")


@bp.route("/reviews/<int:review_id>/close", methods=["GET", "POST"])
@requires(*MANAGERS)
def close_review(review_id: int):
    """Close a review with what changed (or why the policy still stands)."""
    from ..extensions import db
    from ..induction.models import PolicyReview

    review = db.get_or_404(PolicyReview, review_id)
    form = CloseReviewForm()
    outcome = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            reviews.close_review(
                current_user,
                review_id,
                form.outcome.data or "",
                policies.latest_published(review.policy_id),
            )
            flash("The review is closed; the next yearly review counts from today.", "success")
            return redirect(url_for("governance.dashboard") + f"#policy-{review.policy_id}")
    return render_template(
        "governance/close_review.html",
        form=form,
        review=review,
        problem=outcome.problem if outcome else None,
    ), (outcome.status if outcome else 200)


@bp.route("/concerns/<int:concern_id>/prejudice", methods=["GET", "POST"])
@requires(*CONCERN_ROLES, hide=True)
def concern_prejudice(concern_id: int):
    """Record the prejudice behind a bullying concern (for the equality figures)."""
    concern = safeguarding.open_concern(current_user, concern_id, "prejudice")
    form = PrejudiceForm()
    if request.method == "GET":
        form.kinds.data = [k.value for k in prejudice.prejudice_of(concern)]
    outcome = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            prejudice.record_prejudice(
                current_user, concern, [prejudice.PrejudiceKind(k) for k in form.kinds.data or []]
            )
            flash("Recorded.", "success")
            return redirect(url_for("safeguarding.case", concern_id=concern.id))
    return render_template(
        "governance/prejudice.html",
        form=form,
        concern=concern,
        problem=outcome.problem if outcome else None,
    ), (outcome.status if outcome else 200)


# --- Filtering and monitoring --------------------------------------------------------------------


def _people_choices(*roles: Role) -> list[SelectChoice]:
    return [SelectChoice(0, "Choose…")] + [
        SelectChoice(u.id, u.full_name) for u in staff_with_role(*roles)
    ]


def _filtering_page(status: int = 200, **forms):
    held = filtering.responsibility()
    people = forms.get("people") or ResponsibilityForm(
        formdata=None,
        slt_lead_id=held.slt_lead_id if held else 0,
        governor_id=held.governor_id if held else 0,
        filter_provider=held.filter_provider if held else "",
        monitoring_provider=held.monitoring_provider if held else "",
    )
    people.slt_lead_id.choices = _people_choices(Role.SLT, Role.HEADTEACHER)
    people.governor_id.choices = _people_choices(Role.GOVERNOR)
    keeper = current_user.has_role(*filtering.FILTERING_ROLES)
    return render_template(
        "governance/filtering.html",
        status=filtering.status(),
        keeper=keeper,
        people_form=people,
        review_form=forms.get("review") or FilteringReviewForm(formdata=None),
        check_form=forms.get("check") or FilterCheckForm(formdata=None),
        import_form=forms.get("upload") or AlertImportForm(formdata=None),
        alert_form=forms.get("alert") or AlertForm(formdata=None),
        reviews=filtering.reviews() if keeper else [],
        checks=filtering.checks() if keeper else [],
        alerts=filtering.alerts(request.args.get("alerts", "new")) if keeper else [],
        import_result=forms.get("import_result"),
        checklist=filtering.REVIEW_CHECKLIST,
        exports=register.EXPORTS,
        problem=forms.get("problem"),
    ), status


@bp.get("/filtering")
@requires(*FILTERING_READERS)
def filtering_page():
    """Filtering and monitoring: who is responsible, the review, checks and alerts."""
    return _filtering_page()


def _filtering_decision(form, key: str, record: Callable[[], object], done: str):
    """Check one of the filtering page's forms, record it, and go back to the page.

    A refusal shows the page again with the form as typed and the message beside its field;
    `key` names the form on the page.
    """
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            record()
            flash(done, "success")
            return redirect(url_for("governance.filtering_page"))
        return _filtering_page(outcome.status, problem=outcome.problem, **{key: form})
    return _filtering_page(400, **{key: form})


@bp.post("/filtering/people")
@requires(Role.HEADTEACHER)
def name_responsible():
    """Name the senior leader and the governor responsible."""
    form = ResponsibilityForm()
    form.slt_lead_id.choices = _people_choices(Role.SLT, Role.HEADTEACHER)
    form.governor_id.choices = _people_choices(Role.GOVERNOR)
    return _filtering_decision(
        form,
        "people",
        lambda: filtering.name_responsible(
            current_user,
            slt_lead_id=form.slt_lead_id.data or None,
            governor_id=form.governor_id.data or None,
            filter_provider=form.filter_provider.data or "",
            monitoring_provider=form.monitoring_provider.data or "",
        ),
        "Saved.",
    )


@bp.post("/filtering/review")
@requires(*filtering.FILTERING_ROLES)
def record_filtering_review():
    """Record the yearly review of filtering and monitoring."""
    form = FilteringReviewForm()
    return _filtering_decision(
        form,
        "review",
        lambda: filtering.record_review(
            current_user,
            reviewed_on=form.reviewed_on.data,
            confirmed=form.confirmed.data or [],
            notes=form.notes.data or "",
        ),
        "The review is recorded.",
    )


@bp.post("/filtering/checks")
@requires(*filtering.FILTERING_ROLES)
def record_filter_check():
    """Record one check of the filter and its result."""
    form = FilterCheckForm()
    return _filtering_decision(
        form,
        "check",
        lambda: filtering.record_check(
            current_user,
            checked_on=form.checked_on.data,
            where=form.where.data or "",
            what=form.what.data or "",
            result=CheckResult(form.result.data),
            action=form.action.data or "",
        ),
        "The check is recorded.",
    )


@bp.post("/filtering/alerts/import")
@requires(*filtering.FILTERING_ROLES)
def import_alerts():
    """Take in the monitoring provider's CSV export (all rows, or none)."""
    form = AlertImportForm()
    if form.validate_on_submit():
        result = filtering.import_alerts(current_user, form.file.data.read())
        if result.ok:
            flash(
                f"{result.added} alerts added ({result.already_held} were already here).",
                "success",
            )
            return redirect(url_for("governance.filtering_page"))
        return _filtering_page(400, upload=form, import_result=result)
    return _filtering_page(400, upload=form)


@bp.post("/filtering/alerts")
@requires(*filtering.FILTERING_ROLES)
def add_alert():
    """Type in an alert the provider sent another way."""
    form = AlertForm()
    return _filtering_decision(
        form,
        "alert",
        lambda: filtering.add_alert(
            current_user,
            occurred_at=form.occurred_at.data,
            category=form.category.data or "",
            account=form.account.data or "",
            device=form.device.data or "",
            detail=form.detail.data or "",
            severity=form.severity.data or "",
        ),
        "The alert is recorded.",
    )


@bp.post("/filtering/alerts/<int:alert_id>/dismiss")
@requires(*filtering.FILTERING_ROLES)
def dismiss_alert(alert_id: int):
    """Dismiss an alert, saying why nothing more is needed."""
    form = DismissAlertForm()
    if form.validate_on_submit():
        with rule_errors():
            filtering.dismiss_alert(current_user, alert_id, form.reason.data or "")
            flash("The alert is dismissed.", "success")
    return redirect(url_for("governance.filtering_page") + f"#alert-{alert_id}")


@bp.post("/filtering/alerts/<int:alert_id>/concern")
@requires(*filtering.FILTERING_ROLES)
def alert_to_concern(alert_id: int):
    """Turn an alert into a safeguarding concern."""
    form = AlertConcernForm()
    if form.validate_on_submit():
        with rule_errors():
            alert = filtering.alert_to_concern(current_user, alert_id, form.note.data or "")
            flash(f"The alert is now concern {alert.concern_id}.", "success")
    return redirect(url_for("governance.filtering_page") + f"#alert-{alert_id}")


@bp.get("/filtering/blocked/<name>")
@requires(*filtering.FILTERING_ROLES)
def blocked_export(name: str):
    """Download the blocked sites in the format the school's filter takes."""
    if name not in register.EXPORTS:
        abort(404)
    filename, make = register.EXPORTS[name]
    safeguarding.log_access(current_user, None, f"blocked-site {name} download")
    return Response(
        make(),
        mimetype="text/plain",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


@bp.route("/filtering/circumvention", methods=["GET", "POST"])
@requires(*filtering.CIRCUMVENTION_ROLES, hide=True)
def circumvention():
    """The register of attempts to get round the filter, and the bans that followed."""
    from ..extensions import db
    from ..school.models import Pupil

    form = CircumventionForm()
    pupils = db.session.scalars(
        db.select(Pupil).where(Pupil.left_on.is_(None)).order_by(Pupil.last_name)
    ).all()
    form.user_id.choices = (
        [SelectChoice(0, "Choose…")]
        + [SelectChoice(p.user_id, f"{p.full_name} (pupil)") for p in pupils]
        + [
            SelectChoice(u.id, u.full_name)
            for u in staff_with_role(*[r for r in Role if r not in (Role.PUPIL, Role.PARENT)])
        ]
    )
    outcome = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            filtering.record_circumvention(
                current_user,
                user_id=form.user_id.data or None,
                occurred_on=form.occurred_on.data,
                what=form.what.data or "",
                ends_on=form.ends_on.data,
                supervised_use=form.supervised_use.data,
                sanction=form.sanction.data or "",
            )
            flash("Recorded. The ban ends by itself after its last day.", "success")
            return redirect(url_for("governance.circumvention"))
    return render_template(
        "governance/circumvention.html",
        form=form,
        entries=filtering.circumventions(current_user),
        today=today(),
        default_sanction=filtering.DEFAULT_SANCTION,
        problem=outcome.problem if outcome else None,
    ), (outcome.status if outcome else 200)


# --- The school's social media accounts ----------------------------------------------------------


@bp.route("/social-media-accounts", methods=["GET", "POST"])
@requires(*social_accounts.READERS)
def social_media_accounts():
    """The register of the school's accounts: who is responsible and who holds access."""
    form = SocialAccountForm()
    form.responsible_id.choices = _people_choices(*sorted(STAFF_ROLES))
    editing = request.args.get("account", type=int)
    if request.method == "GET" and editing:
        from ..extensions import db
        from .models import SocialMediaAccount

        account = db.get_or_404(SocialMediaAccount, editing)
        form.platform.data, form.handle.data = account.platform, account.handle
        form.responsible_id.data = account.responsible_id
        form.access_holders.data = account.access_holders
        form.password_changed_on.data = account.password_changed_on
    outcome = None
    if request.method == "POST" and form.validate_on_submit():
        with rule_errors(form) as outcome:
            social_accounts.save_account(
                current_user,
                editing,
                platform=form.platform.data or "",
                handle=form.handle.data or "",
                responsible_id=form.responsible_id.data or None,
                access_holders=form.access_holders.data or "",
                password_changed_on=form.password_changed_on.data,
            )
            flash("Saved. The password itself stays in the office.", "success")
            return redirect(url_for("governance.social_media_accounts"))
    return render_template(
        "governance/social_accounts.html",
        form=form,
        accounts=social_accounts.accounts(),
        overdue=social_accounts.password_overdue,
        keeper=current_user.has_role(*social_accounts.KEEPERS),
        problem=outcome.problem if outcome else None,
    ), (outcome.status if outcome else 200)
