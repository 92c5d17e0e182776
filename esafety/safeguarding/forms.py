"""Safeguarding forms: the pupil's "Tell a teacher", the full concern form, case handling."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    FileField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..inputs import SchoolForm
from .evidence import MAX_FILES
from .models import HANDLER_ACTIONS, Agency, ConcernKind, Involved, Material, PupilPart, Urgency
from .services import TellChoice

NO_ONE = ""


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """Tick boxes rather than a multi-select list (easier on a phone and for screen readers)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TellForm(SchoolForm):
    choice = RadioField(
        "What happened?",
        choices=[SelectChoice(c.value, c.label) for c in TellChoice],
        validators=[InputRequired("Tap the picture that fits best.")],
    )
    words = TextAreaField(
        "Do you want to say more? You don't have to.",
        validators=[Length(max=1000, message="That is a lot of words! Please make it shorter.")],
        filters=[_strip],
        render_kw={"rows": 4},
    )
    about_school = BooleanField("It is about someone at school")


class ConcernForm(SchoolForm):
    urgency = RadioField(
        "How urgent is it?",
        choices=[SelectChoice(u.value, u.label) for u in Urgency],
        validators=[InputRequired("Say whether a child may be at risk now.")],
    )
    kind = RadioField(
        "What kind of concern is it?",
        choices=[SelectChoice(k.value, k.label) for k in ConcernKind],
        validators=[InputRequired("Choose the kind of concern.")],
    )
    involved = RadioField(
        "Who is involved?",
        choices=[SelectChoice(i.value, i.label) for i in Involved],
        validators=[InputRequired("Choose who is involved, or 'Not known'.")],
    )
    pupil_id = SelectField(
        "Which pupil is affected or involved? (optional)", choices=[], default=NO_ONE
    )
    pupil_part = SelectField(
        "That pupil's part",
        choices=[SelectChoice(p.value, p.label) for p in PupilPart],
        default=PupilPart.HARMED.value,
    )
    staff_member_id = SelectField("Which member of staff? (optional)", choices=[], default=NO_ONE)
    names = StringField(
        "Names of anyone else involved (optional)",
        validators=[Length(max=500, message="Please keep the names under 500 characters.")],
        filters=[_strip],
    )
    staff_contact = BooleanField(
        "It is a friend request or message on social media between a member of staff "
        "and a pupil or parent"
    )
    in_school = BooleanField("It was seen in school, on a school computer, tablet or network")
    platform = StringField(
        "Where did it happen? (app, website or game, optional)",
        validators=[Length(max=80, message="Please keep this under 80 characters.")],
        filters=[_strip],
    )
    link = URLField(
        "Link to the page or post (optional)",
        validators=[
            Optional(),
            URL(require_tld=True, message="Paste the whole link, starting https://"),
            Length(max=500, message="That link is too long to keep."),
        ],
        filters=[_strip],
    )
    occurred_on = DateField(
        "Date it happened",
        validators=[InputRequired("Give the date it happened (your best guess is fine).")],
    )
    occurred_time = TimeField("Time it happened (optional)", validators=[Optional()])
    description = TextAreaField(
        "What happened?",
        validators=[
            DataRequired("Say what happened, in your own words."),
            Length(max=5000, message="Please keep it under 5000 characters."),
        ],
        filters=[_strip],
        render_kw={"rows": 8},
    )
    material = MultiCheckboxField(
        "Is any of it threatening, abusive, sexist, sexual or hateful? Tick any that apply.",
        choices=[SelectChoice(m.value, m.label) for m in Material],
        validators=[Optional()],
    )
    evidence = MultipleFileField(
        f"Evidence: screenshots (PNG or JPEG) or PDFs, up to {MAX_FILES} files (optional)",
        render_kw={"accept": ".png,.jpg,.jpeg,.pdf,image/png,image/jpeg,application/pdf"},
    )

    def set_people(self, pupils, staff) -> None:
        self.pupil_id.choices = [SelectChoice(NO_ONE, "No pupil named")] + [
            SelectChoice(
                str(p.id),
                f"{p.first_name} {p.last_name}"
                + (f" ({p.school_class.name})" if p.school_class else ""),
            )
            for p in pupils
        ]
        self.staff_member_id.choices = [SelectChoice(NO_ONE, "No member of staff named")] + [
            SelectChoice(str(u.id), u.full_name) for u in staff
        ]


class ActionForm(SchoolForm):
    kind = SelectField(
        "What was done",
        choices=[SelectChoice(k.value, k.label) for k in HANDLER_ACTIONS],
        validators=[InputRequired("Choose what was done.")],
    )
    action_note = TextAreaField(
        "Details",
        validators=[Length(max=5000, message="Please keep it under 5000 characters.")],
        filters=[_strip],
        render_kw={"rows": 4},
    )


class AssignForm(SchoolForm):
    #: Checked by the service against the people who may open the concern.
    handler_id = SelectField("Lead handler", choices=[], validate_choice=False)
    #: The concern's revision on the page (see esafety/concurrency.py).
    revision = HiddenField()


class MaterialForm(SchoolForm):
    material = MultiCheckboxField(
        "The material is",
        choices=[SelectChoice(m.value, m.label) for m in Material],
        validators=[Optional()],
    )


class ResolveForm(SchoolForm):
    outcome = TextAreaField(
        "Outcome",
        validators=[
            DataRequired("Write the outcome before closing the concern."),
            Length(max=5000, message="Please keep it under 5000 characters."),
        ],
        filters=[_strip],
        render_kw={"rows": 4},
    )
    #: The concern's revision on the page (see esafety/concurrency.py).
    revision = HiddenField()


class ReferForm(SchoolForm):
    agency = RadioField(
        "Referred to",
        choices=[SelectChoice(a.value, a.label) for a in Agency],
        validators=[InputRequired("Choose who it was referred to.")],
    )
    agency_name = StringField(
        "The agency's name (for another agency)", validators=[Length(max=120)], filters=[_strip]
    )
    reference = StringField(
        "Their reference number (optional)", validators=[Length(max=80)], filters=[_strip]
    )
    referred_on = DateField(
        "Date referred", validators=[InputRequired("Give the date of the referral.")]
    )
    referral_outcome = TextAreaField(
        "Outcome so far (optional)",
        validators=[Length(max=5000, message="Please keep it under 5000 characters.")],
        filters=[_strip],
        render_kw={"rows": 3},
    )
    follow_up_on = DateField("Follow up on (optional)", validators=[Optional()])


class ReferralUpdateForm(SchoolForm):
    update_outcome = TextAreaField(
        "Outcome",
        validators=[Length(max=5000, message="Please keep it under 5000 characters.")],
        filters=[_strip],
        render_kw={"rows": 2},
    )
    update_follow_up_on = DateField("Next follow-up (optional)", validators=[Optional()])


class TaskForm(SchoolForm):
    title = StringField(
        "What needs doing",
        validators=[DataRequired("Say what needs doing."), Length(max=300)],
        filters=[_strip],
    )
    #: Checked by the service against the people who may open the concern.
    owner_id = SelectField("Who will do it", choices=[], validate_choice=False)
    due_on = DateField("Due by", validators=[InputRequired("Give the date it is due.")])


class TaskDoneForm(SchoolForm):
    done_note = StringField("What was done (optional)", validators=[Length(max=5000)])


class ReviewForm(SchoolForm):
    review_on = DateField("Next case review", validators=[Optional()])


class AddPupilForm(SchoolForm):
    #: Checked by the service.
    add_pupil_id = SelectField("Pupil", choices=[], validate_choice=False)
    part = SelectField(
        "Their part",
        choices=[SelectChoice(p.value, p.label) for p in PupilPart],
        validators=[InputRequired("Choose their part.")],
    )


class LowLevelForm(SchoolForm):
    #: Checked by the service.
    staff_member_id = SelectField("About which member of staff", choices=[], validate_choice=False)
    description = TextAreaField(
        "What happened",
        validators=[DataRequired("Say what happened."), Length(max=5000)],
        filters=[_strip],
        render_kw={"rows": 5},
    )
    occurred_on = DateField("When (optional)", validators=[Optional()])
    raised_by = StringField(
        "Who raised it (optional)", validators=[Length(max=160)], filters=[_strip]
    )


class EvidenceForm(SchoolForm):
    evidence = MultipleFileField(
        f"Add evidence: screenshots (PNG or JPEG) or PDFs, up to {MAX_FILES} files",
        render_kw={"accept": ".png,.jpg,.jpeg,.pdf,image/png,image/jpeg,application/pdf"},
    )


class BlockRequestForm(SchoolForm):
    site = StringField(
        "Website to block",
        validators=[DataRequired("Enter the website, for example example.com."), Length(max=500)],
        filters=[_strip],
    )
    block_reason = StringField("Why (optional)", validators=[Length(max=500)], filters=[_strip])


class DomainForm(SchoolForm):
    domain = StringField(
        "Website to block",
        validators=[DataRequired("Enter the website, for example example.com."), Length(max=500)],
        filters=[_strip],
    )
    reason = StringField(
        "Reason",
        validators=[DataRequired("Say why the site should be blocked."), Length(max=500)],
        filters=[_strip],
    )
    concern_ref = StringField(
        "From concern (optional, e.g. SG-0012)", validators=[Length(max=12)], filters=[_strip]
    )


class DecisionForm(SchoolForm):
    note = StringField("Note (needed to decline)", validators=[Length(max=500)], filters=[_strip])


class DestroyForm(SchoolForm):
    destroy_reason = StringField(
        "Why it is destroyed",
        validators=[DataRequired("Say why the picture is destroyed."), Length(max=1000)],
        filters=[_strip],
    )


class SendFileForm(SchoolForm):
    to_school = StringField(
        "The school the pupil is moving to",
        validators=[DataRequired("Name the pupil's new school."), Length(max=200)],
        filters=[_strip],
    )


class ReceiptForm(SchoolForm):
    received_by = StringField(
        "Your name and role at the receiving school",
        validators=[DataRequired("Give your name and role."), Length(max=160)],
        filters=[_strip],
    )


class ImportFileForm(SchoolForm):
    #: Checked by the service.
    pupil_id = SelectField("The pupil", choices=[], validate_choice=False)
    package = FileField("The child-protection file (.zip)")
