"""Induction forms: policies and versions, the quiz, the sign-off, training and pathways."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..auth.roles import Role
from ..inputs import SchoolForm
from .models import ChangeSize, Course, TrainingKind
from .rules import DEFAULT_DUE_WITHIN_DAYS, INDUCTEE_ROLES

POLICY_HINT = (
    'Write in Markdown. Start each section with a line such as "## Who is responsible": '
    "staff read the whole policy on one page, and each section is ticked as they reach it."
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PolicyForm(SchoolForm):
    title = StringField(
        "Title", validators=[DataRequired("Please give the policy a title."), Length(max=120)]
    )
    owner_id = SelectField("Owner (reminded when it is due for review)", coerce=int)
    review_interval_months = IntegerField(
        "Review every (months)",
        default=12,
        validators=[InputRequired("Please give a number of months."), NumberRange(1, 36)],
    )
    body_markdown = TextAreaField(
        "Text of version 1", validators=[DataRequired("Please write the policy's text.")]
    )


class VersionForm(SchoolForm):
    change = RadioField(
        "Size of the change",
        choices=[SelectChoice(c.value, c.label) for c in ChangeSize],
        default=ChangeSize.MAJOR.value,
    )
    change_summary = TextAreaField(
        "What has changed", validators=[Length(max=2000)], render_kw={"rows": 3}
    )
    body_markdown = TextAreaField(
        "Text of this version", validators=[DataRequired("Please write the policy's text.")]
    )
    #: The draft's revision when the editor opened (see esafety/concurrency.py).
    revision = HiddenField()


def quiz_form_for(course: Course) -> SchoolForm:
    """A form with one set of radio buttons per question, named q<question id>."""

    class QuizForm(SchoolForm):
        pass

    for question in course.questions:
        setattr(
            QuizForm,
            f"q{question.id}",
            RadioField(
                question.prompt,
                choices=[SelectChoice(choice.id, choice.text) for choice in question.choices],
                coerce=int,
                validators=[InputRequired("Please choose an answer.")],
            ),
        )
    return QuizForm()


class ReadForm(SchoolForm):
    """Sections read on the one-page policy: those scrolled into view, or all of it."""

    #: Section positions as the page's script sends them, for example "1,2,3".
    sections = StringField(validators=[Optional(), Regexp(r"^\d{1,4}(,\d{1,4}){0,199}$")])
    #: The plain button at the end of the policy: it works without JavaScript.
    everything = BooleanField("I have read all of it")

    def positions(self) -> list[int] | None:
        if self.everything.data:
            return None
        return [int(n) for n in (self.sections.data or "").split(",") if n]


class SignForm(SchoolForm):
    #: The label is the exact statement, set by the view for the version being signed.
    agree = BooleanField("I agree")
    full_name = StringField(
        "Type your full name",
        validators=[DataRequired("Please type your full name."), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )


class SignForSomeoneForm(SignForm):
    full_name = StringField(
        "Their full name, as on their account",
        validators=[DataRequired("Please type their full name."), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    reason = TextAreaField(
        "Why you are recording this for them",
        validators=[DataRequired("Please give a reason."), Length(max=1000)],
        render_kw={"rows": 3},
    )


class TrainingForm(SchoolForm):
    user_id = SelectField("Member of staff", coerce=int)
    kind = SelectField(
        "Kind of training",
        choices=[SelectChoice(k.value, k.label) for k in TrainingKind],
        default=TrainingKind.SAFEGUARDING.value,
    )
    course = StringField(
        "Course", validators=[DataRequired("Please give the course's name."), Length(max=160)]
    )
    provider = StringField(
        "Provider", validators=[DataRequired("Please say who ran it."), Length(max=160)]
    )
    completed_on = DateField(
        "Completed on", validators=[InputRequired("Please give the date you finished it.")]
    )
    expires_on = DateField("Expires on", validators=[Optional()])
    file = FileField("Certificate (PDF, PNG or JPEG, optional)")


class PathwayForm(SchoolForm):
    name = StringField(
        "Name", validators=[DataRequired("Please name the pathway."), Length(max=80)]
    )
    roles = MultiCheckboxField(
        "Who follows it", choices=[SelectChoice(r.value, r.label) for r in INDUCTEE_ROLES]
    )
    policy_ids = MultiCheckboxField("Policies to sign", coerce=int)
    course_ids = MultiCheckboxField("Courses to pass", coerce=int)
    due_within_days = IntegerField(
        "Due within (days of the start date)",
        default=DEFAULT_DUE_WITHIN_DAYS,
        validators=[InputRequired("Please give a number of days."), NumberRange(1, 365)],
    )
    sign_only = BooleanField("Light pathway: read and sign the policies, no courses or quizzes")

    def chosen_roles(self) -> list[Role]:
        return [Role(value) for value in self.roles.data or []]


MONTHS = [SelectChoice(0, "No: only when a major version asks")] + [
    SelectChoice(n, f"Every {name}")
    for n, name in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
]


class PolicyRulesForm(SchoolForm):
    """Who reads a policy and how often everyone signs it again."""

    annual_resign_month = SelectField(
        "Everyone signs it again each year", coerce=int, choices=MONTHS, default=0
    )
    open_to_families = BooleanField("Parents and carers can read it")


class ClassAgreementForm(SchoolForm):
    pupil_ids = MultiCheckboxField("Pupils who agreed", coerce=int)
    agreed_on = DateField("Date", validators=[Optional()])


class FamilyAgreementForm(SchoolForm):
    agree = BooleanField("We agree to keep to this agreement")
    full_name = StringField("Your full name", validators=[Length(max=200)])
