"""Forms for corrections and legal holds."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from ..inputs import SchoolForm


class CorrectDetailsForm(SchoolForm):
    first_name = StringField(
        "First name", validators=[DataRequired("Enter a first name."), Length(max=80)]
    )
    last_name = StringField(
        "Last name", validators=[DataRequired("Enter a last name."), Length(max=80)]
    )
    email = EmailField(
        "Email address",
        validators=[Optional(), Email("Enter an email address like name@example.com.")],
    )
    date_of_birth = DateField("Date of birth", validators=[Optional()])


class HoldForm(SchoolForm):
    user_id = IntegerField("Person (account number)", validators=[Optional()])
    concern_id = IntegerField("Concern number", validators=[Optional()])
    reason = TextAreaField(
        "Why must these records be kept?",
        validators=[DataRequired("Say why the records must be kept."), Length(max=2000)],
    )


class EraseLeaverForm(SchoolForm):
    confirm = BooleanField(
        "I understand this removes their blog writing, drawings and lesson work for good",
        validators=[DataRequired("Tick the box to confirm, or go back if you are not sure.")],
    )
