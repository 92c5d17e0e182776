"""Office forms: photo consent and the roster upload."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..auth.roles import Role
from ..inputs import SchoolForm
from .models import ConsentSource


class PhotoConsentForm(SchoolForm):
    class_blog = BooleanField("Class blog photos")
    website = BooleanField("Website and public news feed photos")
    source = SelectField(
        "Recorded from",
        choices=[SelectChoice(s.value, s.label) for s in ConsentSource],
        default=ConsentSource.PAPER_FORM.value,
    )


class RosterForm(SchoolForm):
    file = FileField(
        "Roster file (CSV)",
        validators=[
            FileRequired("Choose the CSV file to upload."),
            FileAllowed(["csv"], "Upload a .csv file (in Excel: Save As, then 'CSV UTF-8')."),
        ],
    )


class CheckboxesField(SelectMultipleField):
    """Checkboxes: easier on a phone and with a screen reader than a multi-select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StaffForm(SchoolForm):
    first_name = StringField(
        "First name", validators=[DataRequired("Enter a first name."), Length(max=80)]
    )
    last_name = StringField(
        "Last name", validators=[DataRequired("Enter a last name."), Length(max=80)]
    )
    email = EmailField(
        "School email address",
        validators=[
            DataRequired("Enter their school email address."),
            Email("Enter an email address like name@school.example."),
        ],
    )
    job_title = StringField(
        "Job title", validators=[DataRequired("Enter a job title."), Length(max=120)]
    )
    start_date = DateField("Start date", validators=[DataRequired("Enter the date they start.")])
    roles = CheckboxesField(
        "Roles",
        choices=[
            SelectChoice(r.value, r.label) for r in Role if r not in (Role.PUPIL, Role.PARENT)
        ],
        validators=[DataRequired("Choose at least one role.")],
    )
    chair_of_governors = BooleanField("Chair of governors")
