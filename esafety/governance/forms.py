"""Forms for the governors' pages, ratification, reviews and filtering and monitoring."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..induction.models import ReviewTrigger
from ..induction.ratification import EQUALITY_CHECKS
from ..inputs import SchoolForm
from ..safeguarding.prejudice import PrejudiceKind
from .filtering import REVIEW_CHECKLIST
from .models import CheckResult


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        """An empty choice is the service's to refuse, with its own message."""
        if self.data:
            super().pre_validate(form)


class ApprovalForm(SchoolForm):
    checks = Checkboxes(
        "Equality check", choices=[SelectChoice(key, text) for key, text in EQUALITY_CHECKS]
    )
    note = TextAreaField(
        "Anything to note about the policy's effect on any group", [Length(max=2000)]
    )


class OpenReviewForm(SchoolForm):
    trigger = RadioField(
        "Why now",
        choices=[
            SelectChoice(t.value, t.label) for t in ReviewTrigger if t is not ReviewTrigger.ANNUAL
        ],
        default=ReviewTrigger.INCIDENT.value,
    )
    reason = TextAreaField("What happened or what is new (no pupils' names)", [Length(max=1000)])


class CloseReviewForm(SchoolForm):
    outcome = TextAreaField("What changed, or why the policy still stands", [Length(max=4000)])


class ResponsibilityForm(SchoolForm):
    slt_lead_id = SelectField("Senior leader responsible", coerce=int, validators=[Optional()])
    governor_id = SelectField("Governor responsible", coerce=int, validators=[Optional()])
    filter_provider = StringField("Filtering provider", [Length(max=120)])
    monitoring_provider = StringField("Monitoring provider", [Length(max=120)])


class FilteringReviewForm(SchoolForm):
    reviewed_on = DateField("Date of the review", validators=[Optional()])
    confirmed = Checkboxes(
        "Confirmed", choices=[SelectChoice(key, text) for key, text in REVIEW_CHECKLIST]
    )
    notes = TextAreaField("What was found, and what will change", [Length(max=4000)])


class FilterCheckForm(SchoolForm):
    checked_on = DateField("Date of the check", validators=[Optional()])
    where = StringField("Devices or network checked", [Length(max=200)])
    what = TextAreaField("What you tried", [Length(max=2000)])
    result = RadioField(
        "Result",
        choices=[SelectChoice(r.value, r.label) for r in CheckResult],
        default=CheckResult.BLOCKED_AS_EXPECTED.value,
    )
    action = TextAreaField("What is being done (if it was not blocked)", [Length(max=2000)])


class AlertImportForm(SchoolForm):
    file = FileField(
        "The provider's export (CSV)",
        validators=[
            FileRequired("Choose the CSV file to upload."),
            FileAllowed(["csv"], "Upload a .csv file."),
        ],
    )


class AlertForm(SchoolForm):
    occurred_at = DateTimeLocalField(
        "When", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()]
    )
    category = StringField("Category", [Length(max=120)])
    account = StringField("Account", [Length(max=120)])
    device = StringField("Device", [Length(max=120)])
    severity = StringField("Severity", [Length(max=20)])
    detail = TextAreaField("What the provider reported", [Length(max=4000)])


class DismissAlertForm(SchoolForm):
    reason = TextAreaField("Why nothing more is needed", [Length(max=2000)])


class AlertConcernForm(SchoolForm):
    note = TextAreaField("Anything to add for the safeguarding team", [Length(max=2000)])


class CircumventionForm(SchoolForm):
    user_id = SelectField("Who", coerce=int, validators=[Optional()])
    occurred_on = DateField("When it happened", validators=[Optional()])
    what = TextAreaField("What was done to get round the filter", [Length(max=2000)])
    ends_on = DateField("The ban ends after", validators=[Optional()])
    supervised_use = BooleanField("May use school equipment with close supervision", default=True)
    sanction = TextAreaField(
        "Sanction (leave empty for the policy's usual one)", [Length(max=2000)]
    )


class PrejudiceForm(SchoolForm):
    kinds = Checkboxes(
        "Prejudice behind the bullying",
        choices=[SelectChoice(k.value, k.label) for k in PrejudiceKind],
    )


class ConfirmForm(SchoolForm):
    """A button that only needs the CSRF token."""


class SocialAccountForm(SchoolForm):
    platform = StringField("Platform", [Length(max=60)])
    handle = StringField("Account name or handle", [Length(max=120)])
    responsible_id = SelectField("Member of staff responsible", coerce=int, validators=[Optional()])
    access_holders = TextAreaField("Who holds access (names only)", [Length(max=2000)])
    password_changed_on = DateField("Password last changed", validators=[Optional()])
