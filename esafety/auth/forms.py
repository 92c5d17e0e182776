"""Sign-in and account forms."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..inputs import SchoolForm


def _strip(value: str | None) -> str | None:
    """People paste emails with spaces around them; that is not a mistake worth an error."""
    return value.strip() if isinstance(value, str) else value


class LoginForm(SchoolForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter an email address like name@example.com."),
        ],
        filters=[_strip],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )


class ClassCodeForm(SchoolForm):
    code = StringField(
        "Class code",
        validators=[DataRequired("Type the code from your class card."), Length(max=12)],
        filters=[_strip],
        # The page has one job, so the cursor waits in the box: a child starts typing at once.
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "autofocus": True,
        },
    )


class ChangePasswordForm(SchoolForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        "New password",
        validators=[
            DataRequired("Enter a new password."),
            Length(min=12, message="Use at least 12 characters: three random words work well."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ForgotPasswordForm(SchoolForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter an email address like name@example.com."),
        ],
        filters=[_strip],
        render_kw={"autocomplete": "username"},
    )


class SetPasswordForm(SchoolForm):
    password = PasswordField(
        "New password",
        validators=[
            DataRequired("Enter a new password."),
            Length(min=12, message="Use at least 12 characters: three random words work well."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class CodeForm(SchoolForm):
    code = StringField(
        "Code",
        validators=[DataRequired("Type the 6-digit code from your app."), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )
