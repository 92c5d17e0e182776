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
from .models import ConsentKind, ConsentSource


class _ConsentAnswersForm(SchoolForm):
    """One tick box per use of a child's photo (ConsentKind), labelled as parents read them."""

    class_blog = BooleanField(ConsentKind.CLASS_BLOG.label)
    website = BooleanField(ConsentKind.WEBSITE.label)
    social_media = BooleanField(ConsentKind.SOCIAL_MEDIA.label)
    video = BooleanField(ConsentKind.VIDEO.label)
    press = BooleanField(ConsentKind.PRESS.label)

    def answers(self) -> dict[ConsentKind, bool]:
        return {kind: bool(self[kind.value].data) for kind in ConsentKind}


class PhotoConsentForm(_ConsentAnswersForm):
    """The office types in a paper (or emailed, or phoned) answer."""

    source = SelectField(
        "Recorded from",
        choices=[
            SelectChoice(s.value, s.label)
            for s in ConsentSource
            if s != ConsentSource.PARENT_PORTAL
        ],
        default=ConsentSource.PAPER_FORM.value,
    )


class ParentConsentForm(_ConsentAnswersForm):
    """A parent's own answer for one child."""


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
