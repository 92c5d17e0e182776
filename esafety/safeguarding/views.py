"""The safeguarding feature's pages: raising a concern, handling it, the blocked-site register.

Concern pages do not exist for anyone who may not open them (404), every opening is logged,
and no page here may be cached.
"""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    Response,
    abort,
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

from ..auth.access import public, requires, signed_in
from ..auth.roles import Role
from ..clock import today
from ..concurrency import StaleDecision
from ..errors import DomainError, rule_errors, show_on_form
from ..extensions import db
from ..inputs import query_text, whole_number
from . import casefile, export, lowlevel, register, routing, services, transfer
from .evidence import MAX_FILE_BYTES, MAX_FILES
from .forms import (
    NO_ONE,
    ActionForm,
    AddPupilForm,
    AssignForm,
    BlockRequestForm,
    ConcernForm,
    DecisionForm,
    DestroyForm,
    DomainForm,
    EvidenceForm,
    ImportFileForm,
    LowLevelForm,
    MaterialForm,
    ReceiptForm,
    ReferForm,
    ReferralUpdateForm,
    ResolveForm,
    ReviewForm,
    SendFileForm,
    TaskDoneForm,
    TaskForm,
    TellForm,
)
from .models import (
    ActionKind,
    Agency,
    ConcernKind,
    Involved,
    Material,
    PupilPart,
    Urgency,
    split_material,
)
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
        with rule_errors(form, "words"):
            concern = services.tell_a_teacher(
                current_user,
                services.TellChoice(form.choice.data),
                form.words.data or "",
                about_school=bool(form.about_school.data),
            )
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
            urgency=Urgency(form.urgency.data),
            pupil_part=PupilPart(form.pupil_part.data)
            if form.pupil_part.data in {p.value for p in PupilPart}
            else PupilPart.HARMED,
        )
        with rule_errors(form, "evidence"):
            concern = services.raise_concern(current_user, details, _uploads())
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
    return render_template("safeguarding/concerns.html", concerns=rows, show=show)


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
    task = given.get("task") or TaskForm(formdata=None)
    task.owner_id.choices = [
        SelectChoice(str(u.id), u.full_name) for u in casefile.owners_for(concern)
    ]
    add_pupil = given.get("add_pupil") or AddPupilForm(formdata=None)
    add_pupil.add_pupil_id.choices = [
        SelectChoice(
            str(p.id),
            f"{p.first_name} {p.last_name}"
            + (f" ({p.school_class.name})" if p.school_class else ""),
        )
        for p in casefile.pupils_to_add(concern)
    ]
    updates = given.get("updates") or {}
    resolve = given.get("resolve") or ResolveForm(formdata=None)
    refer = given.get("refer") or ReferForm(formdata=None)
    for form in (assign, resolve):
        # Always the revision shown now: the page on screen is the state the next decision sees.
        form.revision.data = concern.revision
    return {
        "task_form": task,
        "destroy_forms": {
            e.id: updates.get(("destroy", e.id)) or DestroyForm(formdata=None, prefix=f"e{e.id}")
            for e in concern.evidence
        },
        "done_forms": {
            t.id: updates.get(("task", t.id)) or TaskDoneForm(formdata=None, prefix=f"t{t.id}")
            for t in concern.tasks
        },
        "referral_forms": {
            r.id: updates.get(("referral", r.id))
            or ReferralUpdateForm(
                formdata=None,
                prefix=f"r{r.id}",
                update_outcome=r.outcome,
                update_follow_up_on=r.follow_up_on,
            )
            for r in concern.referrals
        },
        "review_form": given.get("review")
        or ReviewForm(formdata=None, review_on=concern.review_on),
        "add_pupil_form": add_pupil,
        "lado_needed": concern.lado_due_at is not None and not casefile.lado_contacted(concern),
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
            today=today(),
            **_case_forms(concern, **given),
        ),
        status,
    )


@bp.get("/concerns/<int:concern_id>")
@requires(*CASE_ROLES, hide=True)
def case(concern_id: int):
    """Show one concern: what was reported, its evidence, route and chronology."""
    concern = services.open_concern(current_user, concern_id)
    return _render_case(concern)


def _handle(concern_id: int, form, name: str, action, fallback: str, message: str, key=None):
    """Shared shape of the case page's forms: validate, call one service, commit, redirect."""
    concern = services.open_concern(current_user, concern_id, f"case ({name})")
    if form.validate_on_submit():
        try:
            action(concern)
        except DomainError as error:
            if error.status != 400:
                raise
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
    given = {name: {key: form}} if key is not None else {name: form}
    return _render_case(concern, 400, **given)


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
    """Record a referral to another agency; the case stays open."""
    form = ReferForm()
    return _handle(
        concern_id,
        form,
        "refer",
        lambda c: casefile.refer(
            current_user,
            c,
            Agency(form.agency.data),
            referred_on=form.referred_on.data,
            reference=form.reference.data or "",
            agency_name=form.agency_name.data or "",
            outcome=form.referral_outcome.data or "",
            follow_up_on=form.follow_up_on.data,
        ),
        "reference",
        "The referral is recorded; the case stays open.",
    )


@bp.post("/concerns/<int:concern_id>/referrals/<int:referral_id>")
@requires(*CASE_ROLES, hide=True)
def update_referral(concern_id: int, referral_id: int):
    """Record a referral's outcome and the next follow-up."""
    form = ReferralUpdateForm(prefix=f"r{referral_id}")
    return _handle(
        concern_id,
        form,
        "updates",
        lambda c: casefile.update_referral(
            current_user,
            c,
            referral_id,
            outcome=form.update_outcome.data or "",
            follow_up_on=form.update_follow_up_on.data,
        ),
        "update_outcome",
        "The referral is updated.",
        key=("referral", referral_id),
    )


@bp.post("/concerns/<int:concern_id>/tasks")
@requires(*CASE_ROLES, hide=True)
def set_task(concern_id: int):
    """Give someone an action on the case with a due date."""
    form = TaskForm()
    return _handle(
        concern_id,
        form,
        "task",
        lambda c: casefile.set_task(
            current_user,
            c,
            form.title.data or "",
            int(form.owner_id.data) if (form.owner_id.data or "").isdigit() else 0,
            form.due_on.data,
        ),
        "title",
        "The action is set.",
    )


@bp.post("/concerns/<int:concern_id>/tasks/<int:task_id>/done")
@requires(*CASE_ROLES, hide=True)
def complete_task(concern_id: int, task_id: int):
    """Mark an action done."""
    form = TaskDoneForm(prefix=f"t{task_id}")
    return _handle(
        concern_id,
        form,
        "updates",
        lambda c: casefile.complete_task(current_user, c, task_id, form.done_note.data or ""),
        "done_note",
        "The action is done.",
        key=("task", task_id),
    )


@bp.post("/concerns/<int:concern_id>/review")
@requires(*CASE_ROLES, hide=True)
def set_review(concern_id: int):
    """Set the next case review date."""
    form = ReviewForm()
    return _handle(
        concern_id,
        form,
        "review",
        lambda c: casefile.set_review(current_user, c, form.review_on.data),
        "review_on",
        "The review date is saved.",
    )


@bp.post("/concerns/<int:concern_id>/pupils")
@requires(*CASE_ROLES, hide=True)
def add_pupil(concern_id: int):
    """Put another pupil on the concern, with their part."""
    form = AddPupilForm()
    return _handle(
        concern_id,
        form,
        "add_pupil",
        lambda c: casefile.add_pupil(
            current_user,
            c,
            int(form.add_pupil_id.data) if (form.add_pupil_id.data or "").isdigit() else 0,
            PupilPart(form.part.data),
        ),
        "add_pupil_id",
        "The pupil is on the concern.",
    )


@bp.post("/concerns/<int:concern_id>/evidence/<int:evidence_id>/destroy")
@requires(Role.DSL, hide=True)
def destroy_picture(concern_id: int, evidence_id: int):
    """Destroy a picture that may show a child, with the reason (the DSL only)."""
    form = DestroyForm(prefix=f"e{evidence_id}")
    return _handle(
        concern_id,
        form,
        "updates",
        lambda c: services.destroy_picture(
            current_user, c, evidence_id, form.destroy_reason.data or ""
        ),
        "destroy_reason",
        "The picture is destroyed; its record and hash stay.",
        key=("destroy", evidence_id),
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
    year = services.parse_year(request.args.get("year"))
    if not current_user.has_role(*routing.CONCERN_ROLES):
        # Governors see termly and yearly totals with small numbers held back, never months.
        summary = export.governor_counts(current_user, year)
        return render_template(
            "safeguarding/governor_counts.html", summary=summary, shown=export.shown_count
        )
    counts = export.review_counts(current_user, year)
    return render_template("safeguarding/review.html", counts=counts)


@bp.get("/access-log")
@requires(Role.HEADTEACHER, Role.DSL, hide=True)
def access_log():
    """Show the headteacher and the DSL who opened which safeguarding page or file."""
    entries = export.access_log(current_user)
    return render_template("safeguarding/access_log.html", entries=entries)


# --- A child's file and the low-level concerns log --------------------------------------------


@bp.get("/pupils")
@requires(*LEADERS, hide=True)
def pupil_files():
    """List the pupils with a safeguarding file this person may open."""
    rows = casefile.pupils_with_files(current_user)
    return render_template("safeguarding/pupil_files.html", rows=rows)


@bp.get("/pupils/<int:pupil_id>")
@requires(*CASE_ROLES, hide=True)
def pupil_chronology(pupil_id: int):
    """Show one pupil's chronology across every concern and action (printable)."""
    chosen = request.args.getlist("kind")
    kinds = {ActionKind(k) for k in chosen if k in {a.value for a in ActionKind}}
    pupil, concerns, entries = casefile.chronology_for_pupil(current_user, pupil_id, kinds)
    if not concerns:
        services.log_access(current_user, None, f"chronology of pupil {pupil_id} (empty)")
    return render_template(
        "safeguarding/chronology.html",
        pupil=pupil,
        concerns=concerns,
        entries=entries,
        kinds=kinds,
        ActionKind=ActionKind,
        transfers=transfer.transfers_of(current_user, pupil.id),
        send_form=SendFileForm(formdata=None),
    )


@bp.post("/pupils/<int:pupil_id>/transfer")
@requires(Role.DSL, hide=True)
def send_cp_file(pupil_id: int):
    """Package the pupil's child-protection file for their new school."""
    form = SendFileForm()
    if form.validate_on_submit():
        with rule_errors():
            sent, token = transfer.send_file(current_user, pupil_id, form.to_school.data)
            link = url_for("safeguarding.receipt", token=token, _external=True)
            flash(
                "The file is ready: download it and send it securely to the new school's DSL, "
                f"with this one-time link for them to confirm they received it: {link}",
                "success",
            )
            return redirect(url_for("safeguarding.transfer_page", transfer_id=sent.id))
    else:
        flash("Name the pupil's new school.", "error")
    return redirect(url_for("safeguarding.pupil_chronology", pupil_id=pupil_id))


@bp.route("/transfers/<int:transfer_id>", methods=["GET", "POST"])
@requires(Role.DSL, hide=True)
def transfer_page(transfer_id: int):
    """Show a file's hand-over: the package, its SHA-256 and the receipt (or record one)."""
    sent = transfer.transfer_for(current_user, transfer_id)
    form = ReceiptForm()
    if request.method == "POST" and form.validate_on_submit():
        with rule_errors(form, "received_by"):
            transfer.record_receipt(current_user, transfer_id, form.received_by.data)
            flash("The receipt is recorded.", "success")
            return redirect(url_for("safeguarding.transfer_page", transfer_id=transfer_id))
    page = render_template("safeguarding/transfer.html", sent=sent, form=form)
    return (page, 400 if form.errors else 200)


@bp.get("/transfers/<int:transfer_id>/package.zip")
@requires(Role.DSL, hide=True)
def transfer_package(transfer_id: int):
    """Download the child-protection file package."""
    name, content = transfer.package_of(current_user, transfer_id)
    return send_file(
        io.BytesIO(content),
        mimetype="application/zip",
        as_attachment=True,
        download_name=name,
        max_age=0,
    )


@bp.route("/receipt/<token>", methods=["GET", "POST"])
@public
def receipt(token: str):
    """The receiving school confirms the child-protection file arrived (a one-time link)."""
    form = ReceiptForm()
    if form.validate_on_submit():
        with rule_errors(form, "received_by"):
            transfer.confirm_receipt(token, form.received_by.data)
            return render_template("safeguarding/receipt.html", form=None, done=True)
    return render_template("safeguarding/receipt.html", form=form, done=False)


@bp.route("/transfers/import", methods=["GET", "POST"])
@requires(Role.DSL, hide=True)
def import_file():
    """Import a child-protection file from a pupil's previous school."""
    form = ImportFileForm()
    form.pupil_id.choices = [SelectChoice("", "Choose the pupil")] + [
        SelectChoice(str(p.id), f"{p.last_name}, {p.first_name}")
        for p in casefile.pupils_to_add_anywhere()
    ]
    if form.validate_on_submit():
        upload = request.files.get("package")
        with rule_errors(form, "package"):
            if upload is None or not upload.filename:
                raise DomainError("Choose the .zip file the other school sent.", "package")
            received = transfer.import_file(
                current_user,
                int(form.pupil_id.data) if (form.pupil_id.data or "").isdigit() else 0,
                upload.read(transfer.MAX_PACKAGE_BYTES + 1),
            )
            flash("The file is imported; every hash matched.", "success")
            return redirect(url_for("safeguarding.pupil_chronology", pupil_id=received.pupil_id))
    page = render_template("safeguarding/import.html", form=form)
    return (page, 400 if form.errors else 200)


def _low_level_page(form, status: int = 200):
    form.staff_member_id.choices = [SelectChoice("", "Choose a member of staff")] + [
        SelectChoice(str(u.id), u.full_name)
        for u in services.staff_reporter_may_name()
        if u.id != current_user.id
    ]
    entries = lowlevel.entries_for(current_user)
    return (render_template("safeguarding/low_level.html", form=form, entries=entries), status)


@bp.get("/low-level")
@requires(Role.HEADTEACHER, Role.DSL, Role.GOVERNOR, hide=True)
def low_level():
    """Show the low-level concerns log about staff, and a form to add to it."""
    if not lowlevel.may_keep(current_user):
        abort(404)
    return _low_level_page(LowLevelForm(formdata=None))


@bp.post("/low-level")
@requires(Role.HEADTEACHER, Role.DSL, Role.GOVERNOR, hide=True)
def record_low_level():
    """Write a low-level concern about a member of staff to the log."""
    if not lowlevel.may_keep(current_user):
        abort(404)
    form = LowLevelForm()
    if form.validate_on_submit():
        with rule_errors(form, "description"):
            staff_id = form.staff_member_id.data
            lowlevel.record(
                current_user,
                int(staff_id) if (staff_id or "").isdigit() else None,
                form.description.data or "",
                form.occurred_on.data,
                form.raised_by.data or "",
            )
            flash("Added to the low-level concerns log.", "success")
            return redirect(url_for("safeguarding.low_level"))
    return _low_level_page(form, 400)


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
    return (page, status)


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
        with rule_errors(form, "domain"):
            concern = services.concern_by_reference(current_user, form.concern_ref.data)
            entry = register.record_domain(
                current_user, form.domain.data, form.reason.data, concern
            )
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
        with rule_errors(form, "note"):
            entry = register.decide(current_user, entry_id, approve, form.note.data)
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
    return Response(
        register.hosts_file(),
        mimetype="text/plain",
        headers={"Content-Disposition": "attachment; filename=hosts-blocked.txt"},
    )
