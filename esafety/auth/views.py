"""Signing in (email and password, or class code, name tile and pictures) and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..errors import DomainError, NotFoundError
from ..extensions import db
from ..school import services as school
from . import services
from .access import public, signed_in
from .forms import (
    ChangePasswordForm,
    ClassCodeForm,
    ForgotPasswordForm,
    LoginForm,
    SetPasswordForm,
)
from .passwords import verify_secret
from .pictures import PICTURES, SEQUENCE_LENGTH

bp = Blueprint("auth", __name__, template_folder="templates")

_PICTURE_STATE = "picture_login"


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
            db.session.commit()  # keep the failed-login audit entry
            error = refused.message
        else:
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(url_for("main.home")))
    return render_template("auth/login.html", form=form, error=error), (401 if error else 200)


@bp.route("/pupils", methods=["GET", "POST"])
@public
def class_code():
    """Pupils start here: type the class code from the card (or scan its QR code)."""
    form = ClassCodeForm()
    if form.validate_on_submit():
        try:
            school_class = services.class_for_login(form.code.data, request.remote_addr or "")
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
        return services.class_for_login(code, request.remote_addr or "")
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
                db.session.commit()
                message = refused.message
            else:
                db.session.commit()
                session.pop(_PICTURE_STATE, None)
                login_user(user)
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
    ), (401 if message else 200)


@bp.post("/logout")
@signed_in
def logout():
    """Sign out and end the session everywhere it was copied."""
    services.end_session(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out. Goodbye!", "success")
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
            services.set_password(user, user, form.password.data)
            db.session.commit()
            login_user(user)
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    """Email a link to set a new password; the answer never reveals whether the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            "If that email belongs to an account, we have sent a link to set a new password. "
            "It works for three days.",
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


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
        services.set_password(user, user, form.password.data)
        db.session.commit()
        flash("Your password is set. You can sign in now.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user)
