"""The safeguarding feature's pages: raising a concern, handling it, the blocked-site register.

Concern pages do not exist for anyone who may not open them (404), every opening is logged,
and no page here may be cached.
"""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from ..auth.access import requires, signed_in
from ..auth.roles import Role
from ..clock import today
from ..concurrency import StaleDecision
from ..errors import DomainError, show_on_form
from ..extensions import db
from ..inputs import query_text, whole_number
from . import export, register, routing, services
from .evidence import MAX_FILE_BYTES, MAX_FILES
from .forms import (
    NO_ONE,
    ActionForm,
    AssignForm,
    BlockRequestForm,
    ConcernForm,
    DecisionForm,
    DomainForm,
    EvidenceForm,
    MaterialForm,
    ReferForm,
    ResolveForm,
    TellForm,
)
from .models import ActionKind, ConcernKind, Involved, Material, ReferredTo, split_material
from .routing import ADULT_OUTSIDE_STEPS

bp = Blueprint("safeguarding", __name__, template_folder="templates", url_prefix="/safeguarding")

#: Concern pages: leaders, and governors (the chair, for concerns about the headteacher only).
CASE_ROLES = (*routing.CONCERN_ROLES, Role.GOVERNOR)
LEADERS = routing.CONCERN_ROLES
REVIEW_ROLES = (*routing.CONCERN_ROLES, Role.GOVERNOR)


@bp.after_request
def never_cache(response: Response) -> Response:
    """These pages hold the most sensitive data we keep: no browser or proxy may store them."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _then_commit(page):
    """Render first, then commit the access-log entry: committing first would expire every
    loaded row and make the template load each one again."""
    db.session.commit()
    return page


def _uploads(field_name: str = "evidence") -> list[services.Upload]:
    return [
        services.Upload(f.filename, f.stream)
        for f in request.files.getlist(field_name)
        if f and f.filename
    ]


# --- Raising a concern ----------------------------------------------------------------------


@bp.route("/tell", methods=["GET", "POST"])
@signed_in
def tell():
    """Let a pupil tell a teacher, in a child's words, with picture choices."""
    if not current_user.is_pupil:
        return redirect(url_for("safeguarding.report"))
    form = TellForm()
    if form.validate_on_submit():
        try:
            concern = services.tell_a_teacher(
                current_user, services.TellChoice(form.choice.data), form.words.data or ""
            )
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error, "words")
        else:
            db.session.commit()
            return redirect(url_for("safeguarding.thank_you", concern_id=concern.id))
    return render_template(
        "safeguarding/tell.html", form=form, readers=services.readers_for_pupil(current_user)
    )


@bp.route("/report", methods=["GET", "POST"])
@signed_in
def report():
    """Let staff, parents and governors report a concern, with evidence."""
    if current_user.is_pupil:
        return redirect(url_for("safeguarding.tell"))
    form = ConcernForm()
    form.set_people(
        services.pupils_reporter_may_name(current_user), services.staff_reporter_may_name()
    )
    if request.method == "GET":
        form.occurred_on.data = form.occurred_on.data or today()
    if form.validate_on_submit():
        details = services.ConcernDetails(
            kind=ConcernKind(form.kind.data),
            involved=Involved(form.involved.data),
            description=form.description.data,
            occurred_on=form.occurred_on.data,
            occurred_time=form.occurred_time.data,
            names=form.names.data or "",
            pupil_id=int(form.pupil_id.data) if form.pupil_id.data not in (NO_ONE, None) else None,
            staff_member_id=int(form.staff_member_id.data)
            if form.staff_member_id.data not in (NO_ONE, None)
            else None,
            staff_contact=form.staff_contact.data,
            in_school=form.in_school.data,
            platform=form.platform.data or "",
            link=form.link.data or "",
            material=[Material(m) for m in form.material.data or []],
        )
        try:
            concern = services.raise_concern(current_user, details, _uploads())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error, "evidence")
        else:
            return redirect(url_for("safeguarding.thank_you", concern_id=concern.id))
    files_chosen = bool(_uploads()) if request.method == "POST" else False
    return render_template(
        "safeguarding/report.html", form=form, files_chosen=files_chosen, limits=_limits()
    )


def _limits() -> dict[str, int]:
    """Upload limits, for the page's words and the browser's check before sending."""
    total = (current_app.config.get("MAX_CONTENT_LENGTH") or 20 * 1024 * 1024) - 1024 * 1024
    return {
        "files": MAX_FILES,
        "file_bytes": MAX_FILE_BYTES,
        "file_mb": MAX_FILE_BYTES // (1024 * 1024),
        "total_bytes": total,
        "total_mb": total // (1024 * 1024),
    }


@bp.get("/thank-you/<int:concern_id>")
@signed_in
def thank_you(concern_id: int):
    """Tell the reporter their concern arrived, who will read it, and that they did right."""
    concern = services.reported_by(current_user, concern_id)
    return render_template(
        "safeguarding/thank_you.html", concern=concern, readers=services.who_will_read(concern)
    )


@bp.get("/mine")
@signed_in
def mine():
    """Show a reporter their concerns: when each was received and when it was closed."""
    return render_template(
        "safeguarding/mine.html",
        concerns=services.my_concerns(current_user),
        child_words={c.kind: c.label for c in services.TellChoice},
    )


# --- Handling concerns ----------------------------------------------------------------------


@bp.get("/concerns")
@requires(*CASE_ROLES, hide=True)
def concerns():
    """List the concerns this person may open, open ones first."""
    show = query_text("show", "open")
    if show not in ("open", "closed", "all"):
        show = "open"
    rows = services.concerns_for(current_user, show)
    return _then_commit(render_template("safeguarding/concerns.html", concerns=rows, show=show))


def _case_forms(concern, **given):
    assign = given.get("assign") or AssignForm(
        formdata=None, handler_id=str(concern.handler_id or "")
    )
    assign.handler_id.choices = [
        SelectChoice(str(u.id), u.full_name) for u in services.eligible_handlers(concern)
    ]
    material = given.get("material") or MaterialForm(
        formdata=None, material=[m.value for m in split_material(concern.handler_material)]
    )
    resolve = given.get("resolve") or ResolveForm(formdata=None)
    refer = given.get("refer") or ReferForm(formdata=None)
    for form in (assign, resolve, refer):
        # Always the revision shown now: the page on screen is the state the next decision sees.
        form.revision.data = concern.revision
    return {
        "action_form": given.get("action") or ActionForm(formdata=None),
        "assign_form": assign,
        "material_form": material,
        "resolve_form": resolve,
        "refer_form": refer,
        "evidence_form": given.get("evidence") or EvidenceForm(formdata=None),
        "block_form": given.get("block") or BlockRequestForm(formdata=None),
    }


def _render_case(concern, status: int = 200, **given):
    done = {a.kind for a in concern.actions}
    steps = [(kind, kind in done) for kind in ADULT_OUTSIDE_STEPS]
    return (
        render_template(
            "safeguarding/case.html",
            concern=concern,
            steps=steps,
            accesses=services.accesses_of(current_user, concern),
            ActionKind=ActionKind,
            **_case_forms(concern, **given),
        ),
        status,
    )


@bp.get("/concerns/<int:concern_id>")
@requires(*CASE_ROLES, hide=True)
def case(concern_id: int):
    """Show one concern: what was reported, its evidence, route and chronology."""
    concern = services.open_concern(current_user, concern_id)
    return _then_commit(_render_case(concern))


def _handle(concern_id: int, form, name: str, action, fallback: str, message: str):
    """Shared shape of the case page's forms: validate, call one service, commit, redirect."""
    concern = services.open_concern(current_user, concern_id, f"case ({name})")
    if form.validate_on_submit():
        try:
            action(concern)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            concern = services.open_concern(current_user, concern_id, f"case ({name})")
            if isinstance(error, StaleDecision) or concern.status.is_closed:
                # Not about what they typed: the concern moved on (its form may be gone).
                flash(error.message, "error")
            else:
                show_on_form(form, error, fallback)
        else:
            flash(message, "success")
            return redirect(url_for("safeguarding.case", concern_id=concern_id))
    return _then_commit(_render_case(concern, 400, **{name: form}))


@bp.post("/concerns/<int:concern_id>/actions")
@requires(*CASE_ROLES, hide=True)
def record_action(concern_id: int):
    """Add a step to the concern's chronology."""
    form = ActionForm()
    return _handle(
        concern_id,
        form,
        "action",
        lambda c: services.record_action(
            current_user, c, ActionKind(form.kind.data), form.action_note.data or ""
        ),
        "action_note",
        "Added to the chronology.",
    )


@bp.post("/concerns/<int:concern_id>/assign")
@requires(*CASE_ROLES, hide=True)
def assign(concern_id: int):
    """Choose the concern's lead handler."""
    form = AssignForm()
    return _handle(
        concern_id,
        form,
        "assign",
        lambda c: services.assign_handler(
            current_user, c, whole_number(form.handler_id.data) or 0, seen=form.revision.data or ""
        ),
        "handler_id",
        "Lead handler saved.",
    )


@bp.post("/concerns/<int:concern_id>/material")
@requires(*CASE_ROLES, hide=True)
def mark_material(concern_id: int):
    """Mark the material as threatening, abusive, sexist, sexual or hate (consider police)."""
    form = MaterialForm()
    return _handle(
        concern_id,
        form,
        "material",
        lambda c: services.mark_material(
            current_user, c, [Material(m) for m in form.material.data]
        ),
        "material",
        "Saved.",
    )


@bp.post("/concerns/<int:concern_id>/resolve")
@requires(*CASE_ROLES, hide=True)
def resolve(concern_id: int):
    """Close the concern with its outcome."""
    form = ResolveForm()
    return _handle(
        concern_id,
        form,
        "resolve",
        lambda c: services.resolve(
            current_user, c, form.outcome.data, seen=form.revision.data or ""
        ),
        "outcome",
        "The concern is resolved.",
    )


@bp.post("/concerns/<int:concern_id>/refer")
@requires(*CASE_ROLES, hide=True)
def refer(concern_id: int):
    """Record that the concern was referred to the police or the local authority."""
    form = ReferForm()
    return _handle(
        concern_id,
        form,
        "refer",
        lambda c: services.refer(
            current_user,
            c,
            ReferredTo(form.referred_to.data),
            form.referral_note.data,
            seen=form.revision.data or "",
        ),
        "referral_note",
        "The referral is recorded.",
    )


@bp.post("/concerns/<int:concern_id>/evidence")
@requires(*CASE_ROLES, hide=True)
def add_evidence(concern_id: int):
    """Save more evidence to the concern."""
    form = EvidenceForm()
    return _handle(
        concern_id,
        form,
        "evidence",
        lambda c: services.add_evidence(current_user, c, _uploads()),
        "evidence",
        "Evidence saved.",
    )


@bp.post("/concerns/<int:concern_id>/block")
@requires(*CASE_ROLES, hide=True)
def request_block(concern_id: int):
    """Ask for a site from this concern to be blocked (it waits for the e-safety officer)."""
    form = BlockRequestForm()
    return _handle(
        concern_id,
        form,
        "block",
        lambda c: services.request_block(current_user, c, form.site.data, form.block_reason.data),
        "site",
        "The request is on the blocked-site register, waiting for approval.",
    )


@bp.get("/concerns/<int:concern_id>/evidence/<int:evidence_id>")
@requires(*CASE_ROLES, hide=True)
def evidence_file(concern_id: int, evidence_id: int):
    """Show a piece of evidence: pictures without their metadata; PDFs as a download."""
    copy = services.evidence_copy(current_user, concern_id, evidence_id)
    db.session.commit()
    return send_file(
        io.BytesIO(copy.content),
        mimetype=copy.media_type,
        as_attachment=not copy.stripped,
        download_name=copy.filename,
        max_age=0,
    )


@bp.get("/concerns/<int:concern_id>/export.zip")
@requires(*CASE_ROLES, hide=True)
def export_case(concern_id: int):
    """Download the case (chronology and evidence, with SHA-256s) for a referral."""
    name, content = export.export_case(current_user, concern_id)
    db.session.commit()
    return send_file(
        io.BytesIO(content),
        mimetype="application/zip",
        as_attachment=True,
        download_name=name,
        max_age=0,
    )


@bp.get("/review")
@requires(*REVIEW_ROLES, hide=True)
def review():
    """Count concerns by kind and month for the annual policy review (no names)."""
    counts = export.review_counts(current_user, services.parse_year(request.args.get("year")))
    return _then_commit(render_template("safeguarding/review.html", counts=counts))


@bp.get("/access-log")
@requires(Role.HEADTEACHER, hide=True)
def access_log():
    """Show the headteacher who opened which safeguarding page or file."""
    entries = export.access_log(current_user)
    return _then_commit(render_template("safeguarding/access_log.html", entries=entries))


# --- The blocked-site register --------------------------------------------------------------


def _render_register(form=None, decision_forms=None, status: int = 200):
    entries = register.entries()
    services.log_access(current_user, None, "blocked-site register")
    forms = decision_forms or {}
    page = render_template(
        "safeguarding/register.html",
        entries=entries,
        form=form or DomainForm(formdata=None),
        decision_forms={
            e.id: forms.get(e.id) or DecisionForm(formdata=None, prefix=f"d{e.id}") for e in entries
        },
        may_manage=current_user.has_role(Role.ESAFETY_OFFICER),
    )
    return _then_commit((page, status))


@bp.get("/register")
@requires(*LEADERS, hide=True)
def blocked_sites():
    """Show the blocked-site register: requests waiting for approval, then blocked sites."""
    return _render_register()


@bp.post("/register")
@requires(Role.ESAFETY_OFFICER, hide=True)
def record_domain():
    """Block a site: the e-safety officer records the domain, the reason and the concern."""
    form = DomainForm()
    if form.validate_on_submit():
        try:
            concern = services.concern_by_reference(current_user, form.concern_ref.data)
            entry = register.record_domain(
                current_user, form.domain.data, form.reason.data, concern
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error, "domain")
        else:
            flash(f"{entry.domain} is on the register as blocked.", "success")
            return redirect(url_for("safeguarding.blocked_sites"))
    return _render_register(form=form, status=400)


@bp.post("/register/<int:entry_id>/decide")
@requires(Role.ESAFETY_OFFICER, hide=True)
def decide(entry_id: int):
    """Approve (block) or decline a request that arose from a concern."""
    form = DecisionForm(prefix=f"d{entry_id}")
    approve = request.form.get("decision") == "approve"
    if form.validate_on_submit():
        try:
            entry = register.decide(current_user, entry_id, approve, form.note.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_on_form(form, error, "note")
        else:
            flash(
                f"{entry.domain} is now {entry.status.label.lower()}.",
                "success",
            )
            return redirect(url_for("safeguarding.blocked_sites"))
    return _render_register(decision_forms={entry_id: form}, status=400)


@bp.get("/register/domains.txt")
@requires(*LEADERS, hide=True)
def domain_list():
    """Download the blocked sites as a plain list, one domain a line."""
    services.log_access(current_user, None, "blocked-site list download")
    db.session.commit()
    return Response(
        register.domain_list(),
        mimetype="text/plain",
        headers={"Content-Disposition": "attachment; filename=blocked-domains.txt"},
    )


@bp.get("/register/hosts")
@requires(*LEADERS, hide=True)
def hosts_file():
    """Download the blocked sites as a hosts file for the school's filter."""
    services.log_access(current_user, None, "blocked-site hosts download")
    db.session.commit()
    return Response(
        register.hosts_file(),
        mimetype="text/plain",
        headers={"Content-Disposition": "attachment; filename=hosts-blocked.txt"},
    )
