"""Office forms: photo consent and the roster upload."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectChoice, SelectField

from .models import ConsentSource


class PhotoConsentForm(FlaskForm):
    class_blog = BooleanField("Class blog photos")
    website = BooleanField("Website and public news feed photos")
    source = SelectField(
        "Recorded from",
        choices=[SelectChoice(s.value, s.label) for s in ConsentSource],
        default=ConsentSource.PAPER_FORM.value,
    )


class RosterForm(FlaskForm):
    file = FileField(
        "Roster file (CSV)",
        validators=[
            FileRequired("Choose the CSV file to upload."),
            FileAllowed(["csv"], "Upload a .csv file (in Excel: Save As, then 'CSV UTF-8')."),
        ],
    )
