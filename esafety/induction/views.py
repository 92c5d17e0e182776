"""The induction feature's pages: my induction, reading and signing policies, courses, training,
the leaders' and governors' compliance dashboard, and managing policies and pathways."""

from __future__ import annotations

import json
from datetime import date

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectChoice

from .. import caching
from ..auth.access import requires
from ..auth.models import User
from ..auth.roles import STAFF_ROLES, Role
from ..clock import today
from ..downloads import attachment
from ..errors import NotFoundError, rule_errors
from ..extensions import db
from ..inputs import query_text
from ..school.services import staff_with_role
from . import (
    agreements,
    compliance,
    courses,
    ledger,
    pathways,
    policies,
    ratification,
    training,
)
from .forms import (
    POLICY_HINT,
    ClassAgreementForm,
    FamilyAgreementForm,
    PathwayForm,
    PolicyForm,
    PolicyRulesForm,
    ReadForm,
    SignForm,
    SignForSomeoneForm,
    TrainingForm,
    VersionForm,
    quiz_form_for,
)
from .models import AgreementKind, ChangeSize, TrainingKind, VersionState
from .rules import DASHBOARD_VIEWERS, INDUCTEE_ROLES, MANAGERS, is_manager

bp = Blueprint("induction", __name__, template_folder="templates", url_prefix="/induction")

#: The cached part of the page changes after any commit that writes these tables.
caching.depends_on(
    "induction",
    "sign_off",
    "policy",
    "policy_version",
    "pathway",
    "pathway_role",
    "pathway_policy",
    "pathway_course",
    "course",
    "quiz_attempt",
    "training_record",
    "staff_profile",
    "user",
    "user_role",
)


def _checklist_for(user: User, induction: compliance.Induction | None):
    if induction is None:
        return None
    ids = [item.version.id for item in induction.policies]
    return compliance.checklist(
        induction, policies.read_counts(user, ids), policies.section_counts(ids)
    )


def _person(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.has_role(*INDUCTEE_ROLES):
        raise NotFoundError("We could not find that member of staff.")
    return user


# --- My induction --------------------------------------------------------------------------------


@bp.get("/")
@requires(*INDUCTEE_ROLES)
def my_induction():
    """Show my checklist: what to read, pass and sign, and what must be signed again."""
    induction = compliance.induction_of(current_user)
    return render_template(
        "induction/my_induction.html",
        induction=induction,
        checklist=_checklist_for(current_user, induction),
        certificates=ledger.certificates_of(current_user),
        sign_offs=ledger.sign_offs_of(current_user),
    )


@bp.get("/policies/<int:version_id>")
@requires(*INDUCTEE_ROLES)
def read_policy(version_id: int):
    """Show the whole policy on one page, ticking sections as they are read, then the sign-off."""
    version = policies.version_for_reader(current_user, version_id)
    form = SignForm(formdata=None)
    form.agree.label.text = ledger.statement_for(version)
    return render_template(
        "induction/policy.html",
        version=version,
        steps=ledger.signing_steps(current_user, version),
        latest=policies.latest_published(version.policy_id),
        sign_form=form,
    )


@bp.post("/policies/<int:version_id>/read")
@requires(*INDUCTEE_ROLES)
def mark_read(version_id: int):
    """Record sections as read: those scrolled into view, or all of it when the reader says so."""
    version = policies.version_for_reader(current_user, version_id)
    form = ReadForm()
    wants_json = request.accept_mimetypes.best == "application/json"
    if not form.validate_on_submit():
        if wants_json:
            return {"problem": "Those sections could not be recorded."}, 400
        flash("Those sections could not be recorded: please try again.", "warning")
        return redirect(url_for("induction.read_policy", version_id=version.id))
    read = policies.mark_sections_read(current_user, version, form.positions())
    if wants_json:
        return {
            "read": [s.position for s in version.sections if s.id in read],
            "unread": len(version.sections) - len(read),
        }
    return redirect(url_for("induction.read_policy", version_id=version.id, _anchor="sign-off"))


@bp.get("/policies/<int:version_id>/sections/<int:position>")
@requires(*INDUCTEE_ROLES)
def read_section(version_id: int, position: int):
    """Show one section on its own (a link to part of a policy); opening it counts as read."""
    version = policies.version_for_reader(current_user, version_id)
    section = policies.section_at(version, position)
    policies.open_section(current_user, section)
    return render_template(
        "induction/section.html",
        version=version,
        section=section,
        steps=ledger.signing_steps(current_user, version),
    )


@bp.route("/policies/<int:version_id>/sign", methods=["GET", "POST"])
@requires(*INDUCTEE_ROLES)
def sign(version_id: int):
    """Sign a policy version: tick the statement and type your full name."""
    version = policies.version_for_reader(current_user, version_id)
    steps = ledger.signing_steps(current_user, version)
    form = SignForm()
    form.agree.label.text = ledger.statement_for(version)
    message = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            ledger.sign_policy(
                current_user,
                current_user,
                version,
                agreed=form.agree.data,
                typed_name=form.full_name.data,
                ip=request.remote_addr,
                user_agent=request.headers.get("User-Agent"),
            )
            flash(f"Thank you: you have signed {version.label}.", "success")
            return redirect(url_for("induction.my_induction"))
        message = outcome.problem
    return render_template(
        "induction/sign.html", version=version, steps=steps, form=form, message=message
    )


# --- Courses -------------------------------------------------------------------------------------


@bp.route("/courses/<int:course_id>", methods=["GET", "POST"])
@requires(*INDUCTEE_ROLES)
def course(course_id: int):
    """Take a short course: its key points, then the scenario quiz (retakes welcome)."""
    found = courses.course_by_id(course_id)
    form = quiz_form_for(found)
    message = None
    if form.validate_on_submit():
        answers = {q.id: form[f"q{q.id}"].data for q in found.questions}
        with rule_errors(form) as outcome:
            attempt = courses.submit_quiz(current_user, found, answers)
            ledger.issue_certificate_if_complete(current_user)
            return redirect(url_for("induction.attempt", course_id=found.id, attempt_id=attempt.id))
        message = outcome.problem
    elif request.method == "POST":
        message = "Please answer every question."
    return render_template(
        "induction/course.html",
        course=found,
        form=form,
        message=message,
        attempts=courses.attempts_of(current_user, found),
    )


@bp.get("/courses/<int:course_id>/attempts/<int:attempt_id>")
@requires(*INDUCTEE_ROLES)
def attempt(course_id: int, attempt_id: int):
    """Show how an attempt went, with feedback on every question."""
    found = courses.attempt_for(current_user, attempt_id)
    if found.course_id != course_id:
        raise NotFoundError("We could not find that attempt.")
    policy_version = (
        policies.latest_published(found.course.policy_id) if found.course.policy_id else None
    )
    return render_template(
        "induction/attempt.html",
        attempt=found,
        course=found.course,
        answers=courses.marked_answers(found),
        policy_version=policy_version,
    )


# --- Certificates --------------------------------------------------------------------------------


@bp.get("/certificates/<int:certificate_id>")
@requires(*INDUCTEE_ROLES, *DASHBOARD_VIEWERS)
def certificate(certificate_id: int):
    """Show a printable certificate of a completed induction."""
    view = ledger.certificate_for(current_user, certificate_id)
    return render_template("induction/certificate.html", view=view)


@bp.get("/certificates/<int:certificate_id>/download")
@requires(*INDUCTEE_ROLES, *DASHBOARD_VIEWERS)
def download_certificate(certificate_id: int):
    """Download the certificate as a web page to keep or print."""
    view = ledger.certificate_for(current_user, certificate_id)
    html = render_template("induction/certificate_download.html", view=view)
    name = view.certificate.user.full_name.lower().replace(" ", "-")
    filename = f"induction-certificate-{name}-{view.certificate.id}.html"
    return Response(
        html,
        mimetype="text/html",
        headers={"Content-Disposition": attachment(filename)},
    )


# --- Training ------------------------------------------------------------------------------------


@bp.route("/training", methods=["GET", "POST"])
@requires(*INDUCTEE_ROLES)
def my_training():
    """See my training records and add one (leaders and the office can add anyone's)."""
    form = TrainingForm()
    managing = is_manager(current_user)
    if managing:
        form.user_id.choices = [
            SelectChoice(u.id, u.full_name) for u in staff_with_role(*INDUCTEE_ROLES)
        ]
        if request.method == "GET":
            form.user_id.data = current_user.id
    else:
        del form.user_id
    message = None
    if form.validate_on_submit():
        upload = None
        if form.file.data and getattr(form.file.data, "filename", ""):
            upload = training.Upload(form.file.data.filename, form.file.data.read())
        with rule_errors(form) as outcome:
            record = training.add_training_record(
                current_user,
                _person(form.user_id.data) if managing else current_user,
                kind=TrainingKind(form.kind.data),
                course=form.course.data,
                provider=form.provider.data,
                completed_on=form.completed_on.data,
                expires_on=form.expires_on.data,
                certificate=upload,
            )
            flash(f"Saved: {record.course} for {record.user.full_name}.", "success")
            return redirect(url_for("induction.my_training"))
        message = outcome.problem
    return render_template(
        "induction/training.html",
        form=form,
        message=message,
        managing=managing,
        records=training.training_of(current_user),
        refresh=training.DEFAULT_REFRESH_MONTHS,
    )


@bp.get("/training/<int:record_id>/certificate")
@requires(*INDUCTEE_ROLES)
def training_certificate(record_id: int):
    """Open an uploaded training certificate (its owner and leaders only)."""
    path, record = training.certificate_file(current_user, record_id)
    extension = path.suffix
    # Always a download, never opened inside the site: a PDF can carry scripts and links.
    return send_file(
        path,
        mimetype=record.certificate_mimetype,
        as_attachment=True,
        download_name=f"training-certificate-{record.id}{extension}",
        max_age=0,
    )


# --- Leaders and governors -----------------------------------------------------------------------


def _as_of() -> tuple[date, str | None]:
    raw = query_text("as_of").strip()
    if not raw:
        return today(), None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return today(), "Please give the date as YYYY-MM-DD, for example 2026-09-01."
    if day > today():
        return today(), "The dashboard can show today or any day before it, not the future."
    return day, None


@bp.get("/dashboard")
@requires(*DASHBOARD_VIEWERS)
def dashboard():
    """Show who is current on each policy, who is overdue and whose training is expiring."""
    day, message = _as_of()
    body = caching.kept(
        "induction",
        (day.isoformat(),),
        lambda: render_template("induction/_dashboard_board.html", board=compliance.dashboard(day)),
    )
    return render_template(
        "induction/dashboard.html",
        body=Markup(body),  # noqa: S704 (rendered by Jinja)
        as_of=day,
        message=message,
        is_today=day == today(),
        can_manage=is_manager(current_user),
    )


@bp.get("/dashboard.csv")
@requires(*DASHBOARD_VIEWERS)
def dashboard_csv():
    """Download the dashboard as a spreadsheet (CSV)."""
    day, _ = _as_of()
    body = compliance.dashboard_csv(compliance.dashboard(day))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="induction-{day.isoformat()}.csv"'},
    )


@bp.get("/staff/<int:user_id>")
@requires(*DASHBOARD_VIEWERS)
def staff_induction(user_id: int):
    """Show one person's induction, sign-offs and training (read-only for governors)."""
    person = _person(user_id)
    induction = compliance.induction_of(person)
    return render_template(
        "induction/staff.html",
        person=person,
        induction=induction,
        checklist=_checklist_for(person, induction),
        sign_offs=ledger.sign_offs_of(person),
        records=training.training_of(person),
        certificates=ledger.certificates_of(person),
        can_manage=is_manager(current_user),
    )


@bp.route("/staff/<int:user_id>/sign/<int:version_id>", methods=["GET", "POST"])
@requires(*MANAGERS)
def sign_for_someone(user_id: int, version_id: int):
    """Record a sign-off someone made on paper; the reason is kept with the record."""
    person = _person(user_id)
    version = policies.version_by_id(version_id)
    form = SignForSomeoneForm()
    form.agree.label.text = (
        f"{person.full_name} has signed this statement: {ledger.statement_for(version)}"
    )
    message = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            ledger.sign_policy(
                current_user,
                person,
                version,
                agreed=form.agree.data,
                typed_name=form.full_name.data,
                reason=form.reason.data,
                ip=request.remote_addr,
                user_agent=request.headers.get("User-Agent"),
            )
            flash(f"Recorded: {person.full_name} has signed {version.label}.", "success")
            return redirect(url_for("induction.staff_induction", user_id=person.id))
        message = outcome.problem
    return render_template(
        "induction/sign_for_someone.html",
        person=person,
        version=version,
        form=form,
        message=message,
    )


# --- Managing policies and pathways --------------------------------------------------------------


@bp.get("/manage")
@requires(*MANAGERS)
def manage():
    """List the policies and the pathways that say who must sign them."""
    return render_template(
        "induction/manage.html",
        policies=policies.all_policies(),
        pathways=pathways.all_pathways(),
        courses=courses.all_courses(),
    )


def _owner_choices() -> list[SelectChoice]:
    return [SelectChoice(u.id, u.full_name) for u in staff_with_role(*STAFF_ROLES)]


@bp.route("/manage/policies/new", methods=["GET", "POST"])
@requires(*MANAGERS)
def new_policy():
    """Write a new policy; it starts as a draft of version 1."""
    form = PolicyForm()
    form.owner_id.choices = _owner_choices()
    if request.method == "GET":
        form.owner_id.data = current_user.id
    message = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            version = policies.create_policy(
                current_user,
                title=form.title.data,
                owner=_person(form.owner_id.data),
                review_interval_months=form.review_interval_months.data,
                body_markdown=form.body_markdown.data,
            )
            flash("Draft saved. Check it, then publish it when it is approved.", "success")
            return redirect(url_for("induction.manage_policy", policy_id=version.policy_id))
        message = outcome.problem
    return render_template(
        "induction/policy_form.html", form=form, message=message, hint=POLICY_HINT
    )


@bp.get("/manage/policies/<int:policy_id>")
@requires(*MANAGERS)
def manage_policy(policy_id: int):
    """Show every version of a policy, with its fingerprint and who approved it."""
    policy = policies.policy_by_id(policy_id)
    return render_template(
        "induction/manage_policy.html",
        policy=policy,
        draft=policies.open_draft(policy.id),
        VersionState=VersionState,
        ratified=ratification.ratifications(list(policy.versions)),
        rules_form=PolicyRulesForm(
            formdata=None,
            annual_resign_month=policy.annual_resign_month or 0,
            open_to_families=policy.open_to_families,
        ),
    )


@bp.post("/manage/policies/<int:policy_id>/rules")
@requires(*MANAGERS)
def policy_rules(policy_id: int):
    """Set who reads a policy and whether everyone signs it again every year."""
    policy = policies.policy_by_id(policy_id)
    form = PolicyRulesForm()
    if form.validate_on_submit():
        with rule_errors():
            policies.set_policy_rules(
                current_user,
                policy,
                annual_resign_month=form.annual_resign_month.data or None,
                open_to_families=form.open_to_families.data,
            )
            flash("Saved.", "success")
    return redirect(url_for("induction.manage_policy", policy_id=policy.id))


@bp.route("/manage/policies/<int:policy_id>/versions/new", methods=["GET", "POST"])
@requires(*MANAGERS)
def new_version(policy_id: int):
    """Draft the next version, starting from the text in force."""
    policy = policies.policy_by_id(policy_id)
    current = policies.latest_published(policy.id)
    form = VersionForm()
    if request.method == "GET" and current is not None:
        form.body_markdown.data = current.body_markdown
    message = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            version = policies.start_new_version(
                current_user,
                policy,
                body_markdown=form.body_markdown.data,
                change=ChangeSize(form.change.data),
                change_summary=form.change_summary.data or "",
            )
            flash(f"Version {version.number} saved as a draft.", "success")
            return redirect(url_for("induction.manage_policy", policy_id=policy.id))
        message = outcome.problem
    return render_template(
        "induction/version_form.html",
        form=form,
        message=message,
        policy=policy,
        version=None,
        hint=POLICY_HINT,
    )


@bp.route("/manage/versions/<int:version_id>/edit", methods=["GET", "POST"])
@requires(*MANAGERS)
def edit_version(version_id: int):
    """Change a draft (a published version is never edited)."""
    version = policies.version_by_id(version_id)
    if version.state != VersionState.DRAFT:
        flash(
            f"Version {version.number} is {version.state.value}: its text cannot change. "
            "Draft a new version instead.",
            "warning",
        )
        return redirect(url_for("induction.manage_policy", policy_id=version.policy_id))
    form = VersionForm(obj=None if request.method == "POST" else version)
    if request.method == "GET":
        form.change.data = version.change.value
    message = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            policies.update_draft(
                current_user,
                version,
                body_markdown=form.body_markdown.data,
                change=ChangeSize(form.change.data),
                change_summary=form.change_summary.data or "",
                seen=form.revision.data or "",
            )
            flash(f"Draft of version {version.number} saved.", "success")
            return redirect(url_for("induction.manage_policy", policy_id=version.policy_id))
        message = outcome.problem
    return render_template(
        "induction/version_form.html",
        form=form,
        message=message,
        policy=version.policy,
        version=version,
        hint=POLICY_HINT,
    )


@bp.post("/manage/versions/<int:version_id>/publish")
@requires(*MANAGERS)
def publish_version(version_id: int):
    """Approve and publish a draft; a major version asks everyone to sign again."""
    version = policies.version_by_id(version_id)
    with rule_errors():
        told = policies.publish_version(
            current_user, version, seen=request.form.get("revision", "")
        )
        note = f" {len(told)} people were emailed to sign it again." if told else ""
        flash(
            f"Version {version.number} of the {version.policy.title} is published.{note}", "success"
        )
    return redirect(url_for("induction.manage_policy", policy_id=version.policy_id))


@bp.post("/manage/versions/<int:version_id>/discard")
@requires(*MANAGERS)
def discard_version(version_id: int):
    """Throw away a draft that will not be published."""
    version = policies.version_by_id(version_id)
    policy_id = version.policy_id
    with rule_errors():
        policies.discard_draft(current_user, version, seen=request.form.get("revision", ""))
        flash("The draft was discarded.", "success")
    return redirect(url_for("induction.manage_policy", policy_id=policy_id))


@bp.route("/manage/pathways/new", methods=["GET", "POST"])
@requires(*MANAGERS)
def new_pathway():
    """Set up a pathway: who follows it, what they sign and pass, and by when."""
    return _pathway_form(None)


@bp.route("/manage/pathways/<int:pathway_id>", methods=["GET", "POST"])
@requires(*MANAGERS)
def edit_pathway(pathway_id: int):
    """Change a pathway; it applies to everyone holding its roles from now on."""
    return _pathway_form(pathways.pathway_by_id(pathway_id))


def _pathway_form(pathway):
    form = PathwayForm()
    form.policy_ids.choices = [SelectChoice(p.id, p.title) for p in policies.all_policies()]
    form.course_ids.choices = [SelectChoice(c.id, c.title) for c in courses.all_courses()]
    if request.method == "GET" and pathway is not None:
        form.name.data = pathway.name
        form.roles.data = [r.value for r in pathway.role_set]
        form.policy_ids.data = [p.id for p in pathway.policies]
        form.course_ids.data = [c.id for c in pathway.courses]
        form.due_within_days.data = pathway.due_within_days
        form.sign_only.data = pathway.sign_only
    message = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            pathways.save_pathway(
                current_user,
                pathway,
                name=form.name.data,
                roles=form.chosen_roles(),
                policy_ids=form.policy_ids.data or [],
                course_ids=form.course_ids.data or [],
                due_within_days=form.due_within_days.data,
                sign_only=form.sign_only.data,
            )
            flash("Pathway saved.", "success")
            return redirect(url_for("induction.manage"))
        message = outcome.problem
    return render_template(
        "induction/pathway_form.html", form=form, message=message, pathway=pathway
    )


# --- Acceptable-use agreements and policies for families ----------------------------------------


@bp.get("/agreement")
@requires(Role.PUPIL)
def pupil_agreement():
    """A pupil reads (or hears) their class's computer promise."""
    return render_template(
        "induction/pupil_agreement.html",
        agreement=agreements.agreement_for_pupil(current_user),
    )


@bp.route("/agreement/classes/<int:class_id>", methods=["GET", "POST"])
@requires(Role.TEACHER, Role.SUPPORT_STAFF, Role.HEADTEACHER, Role.SLT, Role.COMPUTING_LEAD)
def class_agreement(class_id: int):
    """The teacher reads the promise with the class and records who agreed."""
    school_class, pupils = agreements.class_pupils(current_user, class_id)
    form = ClassAgreementForm()
    form.pupil_ids.choices = [SelectChoice(p.id, p.full_name) for p in pupils]
    outcome = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            agreements.record_class_agreement(
                current_user, class_id, form.pupil_ids.data or [], form.agreed_on.data
            )
            flash("Recorded: thank you.", "success")
            return redirect(url_for("induction.class_agreement", class_id=class_id))
    kind = agreements.kind_for(school_class.year_group)
    entry = agreements.class_agreement(class_id)
    if request.method == "GET":
        form.pupil_ids.data = [p.id for p in pupils]
    return render_template(
        "induction/class_agreement.html",
        form=form,
        school_class=school_class,
        kind=kind,
        html=agreements.text_of(kind)[1],
        entry=entry,
        agreed=set(json.loads(entry.pupil_ids)) if entry else set(),
        pupils=pupils,
        problem=outcome.problem if outcome else None,
    ), (outcome.status if outcome else 200)


@bp.route("/family", methods=["GET", "POST"])
@requires(Role.PARENT)
def family_agreement():
    """Parents read the school's policies and sign the families' agreement once a year."""
    form = FamilyAgreementForm()
    outcome = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            agreements.sign_family_agreement(
                current_user, agreed=form.agree.data, typed_name=form.full_name.data or ""
            )
            flash("Thank you: your family's agreement is signed for this school year.", "success")
            return redirect(url_for("induction.family_agreement"))
    return render_template(
        "induction/family_agreement.html",
        form=form,
        html=agreements.text_of(AgreementKind.FAMILY)[1],
        signed=agreements.signed_for_family(current_user),
        policies=policies.for_families(),
        problem=outcome.problem if outcome else None,
    ), (outcome.status if outcome else 200)


@bp.get("/family/policies/<int:version_id>")
@requires(Role.PARENT, Role.PUPIL)
def family_policy(version_id: int):
    """Read one of the school's policies that families may read."""
    return render_template(
        "induction/family_policy.html", version=agreements.family_policy(version_id)
    )
