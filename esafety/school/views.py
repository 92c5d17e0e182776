"""Class pages, the photo-consent register, login cards and the roster import."""

from __future__ import annotations

from datetime import timedelta

import segno
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import audit, mail
from ..auth import accounts, class_device, grants
from ..auth.access import requires, signed_in
from ..auth.models import AccountChangeKind, User
from ..auth.roles import Role
from ..auth.services import (
    send_password_link,
    set_picture_password,
)
from ..auth.services import unlock_pupil as unlock_pupil_login
from ..clock import school_time, utcnow
from ..errors import DomainError, NotAllowed, NotFoundError, rule_errors
from ..extensions import db
from ..mail import delivery
from . import avatars, rollover, roster, services
from .forms import ParentConsentForm, PhotoConsentForm, RosterForm, StaffForm
from .models import ConsentKind, ConsentSource, Pupil

bp = Blueprint("school", __name__, template_folder="templates", url_prefix="/school")
bp.add_app_template_global(avatars.drawing, "avatar_drawing")
bp.add_app_template_global(avatars.label, "avatar_label")

OFFICE = (Role.OFFICE_ADMIN, Role.HEADTEACHER, Role.SLT)
CLASS_STAFF = (
    Role.TEACHER,
    Role.SUPPORT_STAFF,
    Role.HEADTEACHER,
    Role.SLT,
    Role.COMPUTING_LEAD,
    Role.ESAFETY_OFFICER,
    Role.OFFICE_ADMIN,
)


#: What ends a lockout notice: the teacher unlocked the pupil, gave new pictures, or the pupil
#: got back in on their own once the rest was over.
_LOCKOUT_SETTLED = ("auth.pupil_unlocked", "auth.picture_password_reset", "auth.login")


def _recent_lockouts(pupils: list[Pupil]):
    """Pupils locked out of their picture login in the last hour and not yet helped back in."""
    user_ids = {p.user_id: p for p in pupils}
    if not user_ids:
        return []
    entries = db.session.scalars(
        select(audit.AuditEntry)
        .where(
            audit.AuditEntry.action.in_(("auth.pupil_locked_out", *_LOCKOUT_SETTLED)),
            audit.AuditEntry.target_type == "user",
            audit.AuditEntry.target_id.in_(user_ids),
            audit.AuditEntry.at >= utcnow() - timedelta(hours=1),
        )
        .order_by(audit.AuditEntry.at, audit.AuditEntry.id)
    )
    locked: dict[int, object] = {}
    for entry in entries:
        if entry.target_id is None:
            continue  # the query asks only for entries about these pupils
        if entry.action == "auth.pupil_locked_out":
            locked[entry.target_id] = entry.at
        else:
            locked.pop(entry.target_id, None)
    return [(user_ids[user_id], at) for user_id, at in locked.items()]


@bp.get("/classes/<int:class_id>")
@signed_in
def class_page(class_id: int):
    """Show a class's page: pupils see their class, staff see the pupils and any lockouts."""
    school_class = services.class_visible_to(current_user, class_id)
    is_staff = (
        current_user.is_staff
        and services.teaches(current_user, class_id)
        or current_user.has_role(Role.OFFICE_ADMIN)
    )
    pupils = services.pupils_in_class(class_id) if is_staff else []
    return render_template(
        "school/class_page.html",
        school_class=school_class,
        pupils=pupils,
        is_staff=is_staff,
        lockouts=_recent_lockouts(pupils) if is_staff else [],
        on_class_device=class_device.remembered_code() == school_class.login_code,
    )


@bp.get("/classes")
@requires(*CLASS_STAFF)
def classes():
    """List the classes this member of staff works with."""
    return render_template("school/classes.html", classes=services.classes_for(current_user))


@bp.route("/classes/<int:class_id>/login-cards", methods=["GET", "POST"])
@requires(Role.TEACHER, Role.SUPPORT_STAFF, Role.OFFICE_ADMIN, Role.HEADTEACHER, Role.SLT)
def login_cards(class_id: int):
    """Print a class's login cards; posting gives every pupil new pictures, shown only this once."""
    school_class = services.class_visible_to(current_user, class_id)
    if not (services.teaches(current_user, class_id) or current_user.has_role(*OFFICE)):
        # Seeing a class (a parent sees their child's) is not running it.
        raise NotFoundError("That class is not one of yours.")
    pupils = services.pupils_in_class(class_id)
    sequences: dict[int, list[str]] = {}
    if request.method == "POST":
        for pupil in pupils:
            sequences[pupil.id] = set_picture_password(current_user, pupil.user)
    login_url = mail.link("auth.name_tiles", code=school_class.login_code)
    qr = segno.make(login_url, error="m").svg_data_uri(scale=4)
    return render_template(
        "school/login_cards.html",
        school_class=school_class,
        pupils=pupils,
        sequences=sequences,
        qr=qr,
        login_url=login_url,
    )


def _pupil_for_class_staff(pupil_id: int) -> Pupil:
    """A pupil whose pictures this member of staff may look after (their class, or the office)."""
    pupil = db.session.get(Pupil, pupil_id)
    if pupil is None or pupil.class_id is None:
        raise NotFoundError("No such pupil.")
    services.class_visible_to(current_user, pupil.class_id)
    if not (services.teaches(current_user, pupil.class_id) or current_user.has_role(*OFFICE)):
        raise NotAllowed("Only the class's staff can help a pupil with their pictures.")
    return pupil


@bp.post("/pupils/<int:pupil_id>/unlock")
@requires(Role.TEACHER, Role.SUPPORT_STAFF, Role.OFFICE_ADMIN, Role.HEADTEACHER, Role.SLT)
def unlock_pupil(pupil_id: int):
    """Let a locked-out pupil try again with the pictures they know (recorded in the audit log)."""
    pupil = _pupil_for_class_staff(pupil_id)
    unlock_pupil_login(current_user, pupil.user)
    flash(f"{pupil.first_name} can try their pictures again now.", "success")
    return redirect(url_for("school.class_page", class_id=pupil.class_id))


@bp.post("/classes/<int:class_id>/class-device")
@requires(*CLASS_STAFF)
def set_class_device(class_id: int):
    """Make this browser a class device (it shows the class's name tiles after each sign-out),
    or stop it being one."""
    school_class = services.class_visible_to(current_user, class_id)
    if not (services.teaches(current_user, class_id) or current_user.has_role(*OFFICE)):
        raise NotAllowed("Only the class's staff can make a device their class's tablet.")
    response = redirect(url_for("school.class_page", class_id=class_id))
    if request.form.get("on") == "1":
        class_device.remember(response, school_class.login_code)
        audit.record("school.class_device_on", actor=current_user, target=school_class)
        flash(
            f"This device is now {school_class.name}'s class tablet: when anyone signs out, "
            "it shows the class's names.",
            "success",
        )
    else:
        class_device.forget(response)
        audit.record("school.class_device_off", actor=current_user, target=school_class)
        flash("This device is no longer a class tablet.", "success")
    return response


@bp.post("/pupils/<int:pupil_id>/reset-pictures")
@requires(Role.TEACHER, Role.SUPPORT_STAFF, Role.OFFICE_ADMIN, Role.HEADTEACHER, Role.SLT)
def reset_pictures(pupil_id: int):
    """Give one pupil new pictures (and unlock them), shown once for the teacher to pass on."""
    pupil = _pupil_for_class_staff(pupil_id)
    sequence = set_picture_password(current_user, pupil.user)
    names = " then ".join(sequence)
    flash(f"{pupil.first_name}'s new pictures are: {names}. They can sign in now.", "success")
    return redirect(url_for("school.class_page", class_id=pupil.class_id))


@bp.get("/consent")
@requires(*OFFICE)
def consent_classes():
    """Pick a class to see or record this year's photo consent."""
    year = services.current_academic_year()
    return render_template(
        "school/consent_classes.html",
        classes=services.all_classes(),
        year=year,
        waiting=len(services.families_without_answer(year)),
    )


@bp.post("/consent/remind")
@requires(*OFFICE)
def remind_consent():
    """Email the families who have not answered this year's consent form."""
    sent = services.remind_families_about_consent(current_user)
    flash(
        f"Reminders sent to {sent} famil{'y' if sent == 1 else 'ies'} "
        "(families reminded in the last week are not emailed again).",
        "success",
    )
    return redirect(url_for("school.consent_classes"))


@bp.get("/consent/<int:class_id>")
@requires(*OFFICE)
def consent_register(class_id: int):
    """Show the class's photo-consent register for this year (print-friendly)."""
    school_class = services.class_visible_to(current_user, class_id)
    year = services.current_academic_year()
    rows = services.consent_register(class_id, year)
    forms = {
        pupil.id: PhotoConsentForm(
            prefix=f"p{pupil.id}",
            formdata=None,
            data={k.value: v for k, v in consent.answers().items()} if consent else None,
            source=ConsentSource.PAPER_FORM.value,
        )
        for pupil, consent in rows
    }
    return render_template(
        "school/consent_register.html",
        school_class=school_class,
        year=year,
        rows=rows,
        forms=forms,
        kinds=list(ConsentKind),
        history=services.consent_history([pupil.id for pupil, _ in rows], year),
        printing=request.args.get("print") == "1",
    )


@bp.post("/consent/<int:class_id>/<int:pupil_id>")
@requires(*OFFICE)
def record_consent(class_id: int, pupil_id: int):
    """Record one pupil's photo consent for this academic year."""
    services.class_visible_to(current_user, class_id)
    pupil = db.session.get(Pupil, pupil_id)
    if pupil is None or pupil.class_id != class_id:
        raise NotFoundError("That pupil is not in this class.")
    form = PhotoConsentForm(prefix=f"p{pupil.id}")
    if form.validate_on_submit():
        services.record_photo_consent(
            current_user,
            pupil,
            services.current_academic_year(),
            source=ConsentSource(form.source.data),
            **{kind.value: value for kind, value in form.answers().items()},
        )
        flash(f"Photo consent saved for {pupil.full_name}.", "success")
    else:
        flash(f"Photo consent for {pupil.full_name} was not saved: please try again.", "error")
    return redirect(url_for("school.consent_register", class_id=class_id) + f"#pupil-{pupil.id}")


@bp.get("/my-children/photo-consent")
@requires(Role.PARENT)
def my_consent():
    """A parent sees and changes this year's photo choices for each of their children."""
    rows = services.consent_for_parent(current_user)
    forms = {
        pupil.id: ParentConsentForm(
            prefix=f"c{pupil.id}",
            formdata=None,
            data={k.value: v for k, v in consent.answers().items()} if consent else None,
        )
        for pupil, consent in rows
    }
    return render_template(
        "school/my_consent.html",
        rows=rows,
        forms=forms,
        kinds=list(ConsentKind),
        year=services.current_academic_year(),
    )


@bp.post("/my-children/photo-consent/<int:pupil_id>")
@requires(Role.PARENT)
def give_consent(pupil_id: int):
    """Save a parent's choices for one child: they apply from this moment."""
    form = ParentConsentForm(prefix=f"c{pupil_id}")
    if not form.validate_on_submit():
        flash("Your choices were not saved: please try again.", "error")
        return redirect(url_for("school.my_consent"))
    services.give_photo_consent(current_user, pupil_id, form.answers())
    flash("Thank you: your choices are saved and apply straight away.", "success")
    return redirect(url_for("school.my_consent") + f"#child-{pupil_id}")


@bp.route("/roster", methods=["GET", "POST"])
@requires(*OFFICE)
def roster_import():
    """Upload the roster CSV: every row checked, all or nothing."""
    form = RosterForm()
    result = None
    if form.validate_on_submit():
        result = roster.import_roster(current_user, form.file.data.read())
        if result.ok:
            flash(
                f"Imported: {result.pupils_created} new pupils, {result.pupils_updated} updated, "
                f"{result.parents_created} new parents, {result.classes_created} new classes.",
                "success",
            )
        else:
            db.session.rollback()
    return render_template("school/roster.html", form=form, result=result)


@bp.get("/roster/template.csv")
@requires(*OFFICE)
def roster_template():
    """Download an empty roster file with the right columns and an example row."""
    return Response(
        roster.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=roster-template.csv"},
    )


@bp.get("/people")
@requires(*OFFICE)
def people():
    """List staff, governors and parents with their roles (office and leaders)."""
    users = db.session.scalars(
        select(User).where(User.email.is_not(None)).order_by(User.last_name, User.first_name)
    ).all()
    chair = accounts.chair_id()
    return render_template(
        "school/people.html",
        users=users,
        uninvited=len(services.parents_without_password()),
        manageable={u.id for u in users if accounts.may_manage(current_user, u, chair)},
        waiting=len(accounts.changes_to_decide(current_user)),
        personal_addresses=services.staff_outside_school_domains(),
    )


@bp.route("/people/new", methods=["GET", "POST"])
@requires(*OFFICE, Role.GOVERNOR)
def add_staff():
    """Add a member of staff or a governor, and email them a link to choose a password."""
    form = StaffForm()
    chair = accounts.chair_id()
    form.roles.choices = [
        choice
        for choice in form.roles.choices
        if grants.may_grant(current_user, Role(choice.value), chair)
    ]
    if form.validate_on_submit():
        with rule_errors(form, "email"):
            user = services.add_staff_member(
                current_user,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                email=form.email.data,
                job_title=form.job_title.data,
                start_date=form.start_date.data,
                roles=[Role(r) for r in form.roles.data],
                chair_of_governors=form.chair_of_governors.data,
            )
            send_password_link(user, invitation=True)
            flash(
                f"{user.full_name} has been added and emailed a link to choose a password.",
                "success",
            )
            return redirect(url_for("school.people"))
    return render_template("school/add_staff.html", form=form)


@bp.post("/people/invite-parents")
@requires(*OFFICE)
def invite_parents():
    """Email every parent who has no password yet a link to choose one."""
    parents = services.parents_without_password()
    for parent in parents:
        send_password_link(parent, invitation=True)
    flash(f"Invitations sent to {len(parents)} parents and carers.", "success")
    return redirect(url_for("school.people"))


@bp.post("/people/<int:user_id>/active")
@requires(*OFFICE)
def set_account_active(user_id: int):
    """Disable an account (ending its sessions at once) or enable it again."""
    user = db.session.get(User, user_id)
    if user is None or user.is_pupil:
        raise NotFoundError("No such account.")
    if user.id == current_user.id:
        raise NotAllowed("You cannot disable your own account.")
    if request.form.get("active") == "1":
        accounts.enable(current_user, user)
        flash(f"{user.full_name} can sign in again.", "success")
    elif accounts.request_change(current_user, user, AccountChangeKind.DISABLE) is None:
        flash(f"{user.full_name}'s account is disabled and signed out everywhere.", "success")
    else:
        flash(
            f"Disabling {user.full_name}'s account needs a second person to agree: "
            "it is waiting for them, and they have been told.",
            "success",
        )
    return redirect(url_for("school.people"))


@bp.get("/people/changes")
@requires(*OFFICE, Role.GOVERNOR)
def account_changes():
    """List changes to leaders' accounts that wait for this person to agree or decline."""
    return render_template(
        "school/account_changes.html", changes=accounts.changes_to_decide(current_user)
    )


@bp.post("/people/changes/<int:change_id>/approve")
@requires(*OFFICE, Role.GOVERNOR)
def approve_account_change(change_id: int):
    """Agree to a change another person asked for: it is made now."""
    change = accounts.approve_change(current_user, change_id)
    flash(f"Done: the change to {change.user.full_name}'s account is made.", "success")
    return redirect(url_for("school.account_changes"))


@bp.post("/people/changes/<int:change_id>/decline")
@requires(*OFFICE, Role.GOVERNOR)
def decline_account_change(change_id: int):
    """Decline a change another person asked for: the account stays as it was."""
    change = accounts.decline_change(current_user, change_id)
    flash(f"Declined: {change.user.full_name}'s account stays as it was.", "success")
    return redirect(url_for("school.account_changes"))


@bp.get("/mail")
@requires(*OFFICE)
def undelivered_mail():
    """List the email that could not be delivered yet, or at all, so the office can act."""
    return render_template(
        "school/mail.html",
        messages=delivery.undelivered(),
        backlog=delivery.backlog(),
        local=lambda moment: school_time(moment, with_date=True),
    )


@bp.post("/mail/retry")
@requires(*OFFICE)
def retry_mail():
    """Put one message, or every message that failed, back in the queue to go at once."""
    mail_id = request.form.get("mail_id", "")
    ids = (
        [int(mail_id)] if mail_id.isascii() and mail_id.isdecimal() and len(mail_id) < 10 else None
    )
    count = delivery.try_again(current_user, ids)
    flash(
        f"{count} message{'s' if count != 1 else ''} will be sent again in a moment."
        if count
        else "There was nothing to send again.",
        "success" if count else "info",
    )
    return redirect(url_for("school.undelivered_mail"))


@bp.route("/rollover", methods=["GET", "POST"])
@requires(Role.OFFICE_ADMIN, Role.HEADTEACHER)
def year_rollover():
    """Preview, then start, the next academic year."""
    try:
        plan = rollover.plan_rollover()
    except DomainError as error:
        return render_template("school/rollover.html", plan=None, message=error.message)
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            return render_template(
                "school/rollover.html",
                plan=plan,
                message=None,
                confirm_error="Tick the box to confirm you have checked the preview.",
            )
        rollover.apply_rollover(current_user)
        flash(
            f"{plan.to_year} has started: classes have moved up, {plan.leavers} Year 6 pupils "
            "have left, and photo consent is ready to be asked afresh.",
            "success",
        )
        return redirect(url_for("school.consent_classes"))
    return render_template("school/rollover.html", plan=plan, message=None)
