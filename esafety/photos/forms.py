"""The picture and photo-tag forms the class blog and the school news share."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..inputs import SchoolForm


class PictureForm(SchoolForm):
    image = FileField("Picture (JPEG or PNG)", validators=[FileRequired("Choose a picture.")])
    description = StringField(
        "What does the picture show?",
        validators=[DataRequired("Say what the picture shows."), Length(max=200)],
    )
    upload = SubmitField("Add the picture")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TagForm(SchoolForm):
    pupils = MultiCheckboxField("Pupils who can be seen in the photos", coerce=int)
    nobody = BooleanField("Nobody can be seen in these photos")
    save = SubmitField("Save who is in the photos")
