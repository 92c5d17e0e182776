"""Signing in (email and password, or class code, name tile and pictures) and out."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from ..clock import utcnow
from ..errors import DomainError, NotFoundError, rule_errors
from ..extensions import db
from ..school import services as school
from . import class_device, second_factor, services
from .access import public, signed_in
from .forms import (
    ChangePasswordForm,
    ClassCodeForm,
    CodeForm,
    ForgotPasswordForm,
    LoginForm,
    SetPasswordForm,
)
from .models import User
from .passwords import verify_secret
from .pictures import PICTURES, SEQUENCE_LENGTH

bp = Blueprint("auth", __name__, template_folder="templates")

_PICTURE_STATE = "picture_login"


def _sign_in(user) -> None:
    """Start a session for this device (listed on the account's devices page)."""
    services.start_session(user, request.user_agent.string)
    login_user(user)


def _safe_next(default: str) -> str:
    """Only follow a ?next= that stays on this site."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in staff, parents and governors with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data, form.password.data, request.remote_addr or ""
            )
        except DomainError as refused:
            # The failed sign-in is counted and audited: the request still commits.
            error = refused.message
        else:
            destination = _safe_next(url_for("main.home"))
            if second_factor.asked_at_sign_in(user):
                # The password was right; the session starts only after the second step.
                session[_PENDING] = {
                    "user": user.id,
                    "token": user.session_token,
                    "next": destination,
                    "at": utcnow().timestamp(),
                }
                if second_factor.enabled(user):
                    return redirect(url_for("auth.second_step"))
                return redirect(url_for("auth.enrol"))
            _sign_in(user)
            return redirect(destination)
    return render_template(
        "auth/login.html", form=form, error=error, device_class=_device_class()
    ), (401 if error else 200)


def _device_class():
    """The class this device belongs to, when a teacher made it a class device."""
    code = class_device.remembered_code()
    if not code:
        return None
    try:
        return school.class_by_code(code)
    except DomainError:
        return None


_PENDING = "second_step"
#: How long the second step waits after the password before starting again.
PENDING_SECONDS = 600


def _pending_user():
    """The person who gave the right password and now owes a code; None if it has expired."""
    pending = session.get(_PENDING)
    if not pending or utcnow().timestamp() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(_PENDING, None)
        return None
    # No device session exists yet (it starts after the second step): the account itself,
    # while its sessions have not been ended since the password was given.
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.is_active or user.session_token != pending.get("token"):
        return None
    return user


def _finish_sign_in(user):
    destination = session.pop(_PENDING, {}).get("next") or url_for("main.home")
    _sign_in(user)
    return destination


@bp.route("/login/code", methods=["GET", "POST"])
@public
def second_step():
    """Ask for the code from the authenticator app (or a recovery code) after the password."""
    user = _pending_user()
    if user is None:
        flash("Please sign in again.", "error")
        return redirect(url_for("auth.login"))
    if not second_factor.enabled(user):
        return redirect(url_for("auth.enrol"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            used = second_factor.check_code(user, form.code.data, request.remote_addr or "")
        except DomainError as refused:
            # The failed attempt is counted and audited: the request still commits.
            form.code.errors.append(refused.message)
        else:
            if used == "recovery":
                left = second_factor.recovery_codes_left(user)
                flash(
                    f"You used a recovery code: {left} left. If your phone is lost, ask the "
                    "headteacher to reset your authenticator app.",
                    "warning",
                )
            return redirect(_finish_sign_in(user))
    return render_template("auth/second_step.html", form=form), (400 if form.errors else 200)


def _enrol_page(user, form, status: int = 200):
    secret, qr = second_factor.start_enrolment(user, current_app.config["SCHOOL_NAME"])
    return render_template("auth/enrol.html", form=form, secret=secret, qr=qr, user=user), status


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
def enrol():
    """Set up the authenticator app: required for the roles that hold sensitive records."""
    user = _pending_user()
    if user is None:
        flash("Please sign in again.", "error")
        return redirect(url_for("auth.login"))
    if second_factor.enabled(user):
        return redirect(url_for("auth.second_step"))
    form = CodeForm()
    if form.validate_on_submit():
        with rule_errors(form, "code"):
            codes = second_factor.confirm_enrolment(user, form.code.data)
            destination = _finish_sign_in(user)
            return render_template("auth/recovery_codes.html", codes=codes, next=destination)
    return _enrol_page(user, form, 400 if form.errors else 200)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@signed_in
def choose_second_factor():
    """Let other staff and governors turn the second sign-in step on for themselves."""
    user = current_user._get_current_object()
    if not second_factor.may_choose(user):
        abort(404)
    if second_factor.enabled(user):
        return render_template(
            "auth/enrol.html",
            user=user,
            enabled=True,
            left=second_factor.recovery_codes_left(user),
        )
    form = CodeForm()
    if form.validate_on_submit():
        with rule_errors(form, "code"):
            codes = second_factor.confirm_enrolment(user, form.code.data)
            return render_template(
                "auth/recovery_codes.html", codes=codes, next=url_for("main.home")
            )
    return _enrol_page(user, form, 400 if form.errors else 200)


@bp.route("/pupils", methods=["GET", "POST"])
@public
def class_code():
    """Pupils start here: type the class code from the card (or scan its QR code)."""
    form = ClassCodeForm()
    if form.validate_on_submit():
        try:
            school_class = school.class_for_login(form.code.data, request.remote_addr or "")
        except DomainError as error:
            form.code.errors.append(error.message)
        else:
            return redirect(url_for("auth.name_tiles", code=school_class.login_code))
        return render_template("auth/class_code.html", form=form), 400
    return render_template("auth/class_code.html", form=form)


class _WrongCode(Exception):
    """A wrong class code in a link: answered with a page (not raised to the error handler),
    so the request still commits the audit entry that counts the guess."""

    def __init__(self, error: DomainError) -> None:
        self.error = error


def _class_from_link(code: str):
    try:
        return school.class_for_login(code, request.remote_addr or "")
    except DomainError as error:
        if error.status in (404, 429):
            raise _WrongCode(error) from None
        raise


def _wrong_code_page(wrong: _WrongCode):
    title = "Page not found" if wrong.error.status == 404 else "Please wait a little"
    return render_template(
        "error.html", code=wrong.error.status, title=title, message=wrong.error.message
    ), wrong.error.status


@bp.get("/pupils/<code>")
@public
def name_tiles(code: str):
    """Show the class's name tiles: first names only, each with its own picture."""
    try:
        school_class = _class_from_link(code)
    except _WrongCode as wrong:
        return _wrong_code_page(wrong)
    session.pop(_PICTURE_STATE, None)
    return render_template(
        "auth/name_tiles.html",
        school_class=school_class,
        pupils=school.pupils_in_class(school_class.id),
        on_class_device=class_device.remembered_code() == school_class.login_code,
    )


def _pupil_in_class(code: str, pupil_id: int):
    school_class = _class_from_link(code)
    for pupil in school.pupils_in_class(school_class.id):
        if pupil.id == pupil_id:
            return school_class, pupil
    raise NotFoundError("That name is not in this class.")


@bp.route("/pupils/<code>/<int:pupil_id>", methods=["GET", "POST"])
@public
def pictures(code: str, pupil_id: int):
    """Pupils choose their three pictures, one at a time; works without JavaScript."""
    try:
        school_class, pupil = _pupil_in_class(code, pupil_id)
    except _WrongCode as wrong:
        return _wrong_code_page(wrong)
    state = session.get(_PICTURE_STATE)
    if not state or state.get("pupil_id") != pupil.id:
        state = {"pupil_id": pupil.id, "chosen": []}
    message = None
    if request.method == "POST":
        if request.form.get("start_again"):
            state["chosen"] = []
        elif request.form.get("picture") in PICTURES:
            state["chosen"] = [*state["chosen"], request.form["picture"]][:SEQUENCE_LENGTH]
        if len(state["chosen"]) == SEQUENCE_LENGTH:
            chosen, state["chosen"] = state["chosen"], []
            try:
                user = services.authenticate_pupil(pupil.user, chosen, request.remote_addr or "")
            except DomainError as refused:
                message = refused.message
            else:
                _sign_in(user)
                session.pop(_PICTURE_STATE, None)
                return redirect(url_for("school.class_page", class_id=school_class.id))
        session[_PICTURE_STATE] = state
    else:
        session[_PICTURE_STATE] = state
    return render_template(
        "auth/pictures.html",
        school_class=school_class,
        pupil=pupil,
        pictures=PICTURES,
        chosen=state["chosen"],
        needed=SEQUENCE_LENGTH,
        message=message,
        # After each tap the page comes back with focus on the picture just chosen (the first
        # after a wrong try), so a keyboard or switch user carries on from where they were.
        focus_picture=(state["chosen"][-1] if state["chosen"] else next(iter(PICTURES)))
        if request.method == "POST"
        else None,
    ), (401 if message else 200)


@bp.post("/logout")
@signed_in
def logout():
    """Sign out: this device's session ends, so a copied cookie stops working too.

    On a class device, and for every pupil, the next page is the class's name tiles: the next
    child taps their name rather than retyping the code or meeting the adults' form."""
    user = current_user._get_current_object()
    landing_class = _device_class()
    if landing_class is None and user.is_pupil:
        pupil = school.pupil_of(user)
        if pupil and pupil.school_class and not pupil.school_class.archived:
            landing_class = pupil.school_class
    services.end_session(user)
    logout_user()
    session.clear()
    flash("You have signed out. Goodbye!", "success")
    if landing_class is not None:
        return redirect(url_for("auth.name_tiles", code=landing_class.login_code))
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    """Let staff and parents change their own password (pupils' pictures are set by teachers)."""
    if current_user.is_pupil:
        abort(403)
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not verify_secret(user.password_hash, form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
        else:
            with rule_errors(form, "password"):
                services.set_password(user, user, form.password.data)
                _sign_in(user)
                flash(
                    "Your password has been changed. Other devices have been signed out.",
                    "success",
                )
                return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    """Email a link to set a new password; the answer never reveals whether the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        _answer_no_sooner_than(current_app.config["PASSWORD_RESET_SECONDS"])
        services.request_password_reset(form.email.data, request.remote_addr or "")
        flash(
            "If that email belongs to an account, we have sent a link to set a new password. "
            "It works for three days.",
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


def _answer_no_sooner_than(seconds: float) -> None:
    """Hold the answer until a fixed time has passed since the request began, counting the
    commit and any mail handed over after it: a known and an unknown address look alike."""
    started = time.perf_counter()

    @after_this_request
    def even_out(response):
        time.sleep(max(0.0, seconds - (time.perf_counter() - started)))
        return response


@bp.route("/password/set/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    """Set a password from an emailed link (invitations and resets)."""
    try:
        user = services.user_for_password_token(token)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("auth.forgot_password"))
    form = SetPasswordForm()
    if form.validate_on_submit():
        with rule_errors(form, "password"):
            services.set_password_from_link(token, form.password.data)
            flash("Your password is set. You can sign in now.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user)


@bp.get("/account/devices")
@signed_in
def devices():
    """List the devices signed in to this account, each with a button to sign it out."""
    user = current_user._get_current_object()
    this_one = services.current_device(user)
    return render_template(
        "auth/devices.html",
        devices=services.signed_in_devices(user),
        this_id=this_one.id if this_one else None,
    )


@bp.post("/account/devices/<int:session_id>/end")
@signed_in
def end_device(session_id: int):
    """Sign one device out of this account."""
    services.end_device_session(current_user._get_current_object(), session_id)
    flash("That device has been signed out.", "success")
    return redirect(url_for("auth.devices"))
