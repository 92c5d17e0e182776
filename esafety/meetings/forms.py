"""Forms for e-safety evenings: arranging one, booking places, emailing families, resources."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..inputs import SchoolForm
from ..school.models import YearGroup
from .bookings import MAX_NOTES
from .models import Audience

TIME_FORMAT = "%Y-%m-%dT%H:%M"
RESOURCE_EXTENSIONS = ["pdf", "pptx", "ppt", "odp", "docx", "doc", "odt"]


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes (easier to tap on a phone than a multiple select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _when(label: str) -> DateTimeLocalField:
    return DateTimeLocalField(
        label,
        format=TIME_FORMAT,
        validators=[InputRequired("Enter a date and time, for example 3 March at 18:30.")],
    )


class MeetingForm(SchoolForm):
    title = StringField(
        "Title", validators=[DataRequired("Give the evening a title."), Length(max=120)]
    )
    description = TextAreaField(
        "What the evening is about", validators=[Optional(), Length(max=5000)]
    )
    starts_at = _when("Starts")
    ends_at = _when("Ends")
    location = StringField("Place", validators=[Optional(), Length(max=200)])
    online_url = URLField(
        "Online link",
        validators=[
            Optional(),
            Length(max=500),
            URL(message="Enter the full link, starting https://"),
        ],
    )
    capacity = IntegerField(
        "Places in total",
        validators=[
            InputRequired("Enter how many places there are."),
            NumberRange(min=1, max=2000, message="Enter a number from 1 to 2000."),
        ],
    )
    max_places_per_booking = IntegerField(
        "Most places one family can book",
        default=2,
        validators=[
            InputRequired("Enter the most places one family can book."),
            NumberRange(min=1, max=20, message="Enter a number from 1 to 20."),
        ],
    )
    booking_opens_at = _when("Booking opens")
    booking_closes_at = _when("Booking closes")
    cancellation_deadline = _when("Last time parents can change or cancel")
    audience = RadioField(
        "Who it is for",
        choices=[SelectChoice(a.value, a.label) for a in Audience],
        default=Audience.ALL_PARENTS.value,
    )
    year_groups = CheckboxesField(
        "Year groups",
        choices=[SelectChoice(str(int(g)), g.label) for g in YearGroup],
        validate_choice=False,
    )


class BookingForm(SchoolForm):
    places = IntegerField(
        "How many people, including you?",
        default=1,
        validators=[InputRequired("Enter how many places you need, for example 1.")],
    )
    notes = TextAreaField(
        "Anything we should know? (optional)",
        validators=[Optional(), Length(max=MAX_NOTES)],
    )


class ConfirmForm(SchoolForm):
    """A button and a CSRF token: cancelling, ticking in, removing."""


class EmailFamiliesForm(SchoolForm):
    subject = StringField(
        "Subject", validators=[DataRequired("Write a subject for the email."), Length(max=150)]
    )
    message = TextAreaField(
        "Message",
        validators=[DataRequired("Write the message you want to send."), Length(max=5000)],
    )
    include_waiting = BooleanField("Also email families on the waiting list")


class ResourceForm(SchoolForm):
    title = StringField(
        "Title", validators=[DataRequired("Give the resource a title."), Length(max=160)]
    )
    url = URLField(
        "Web address",
        validators=[Optional(), Length(max=500), URL(message="Enter the full address, https://")],
    )
    file = FileField(
        "Or a file (slides or a handout)",
        validators=[
            FileAllowed(
                RESOURCE_EXTENSIONS,
                "Upload a PDF, PowerPoint, Word or OpenDocument file.",
            )
        ],
    )


class ResourcesNoteForm(SchoolForm):
    note = TextAreaField(
        "A note for families who could not come", validators=[Optional(), Length(max=5000)]
    )
