"""Forms for the school news; the rules themselves live in the services."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..inputs import SchoolForm
from .services import TITLE_MAX


class NewsForm(SchoolForm):
    title = StringField(
        "Title", validators=[DataRequired("Give the news a title."), Length(max=TITLE_MAX)]
    )
    body = TextAreaField(
        "News", validators=[DataRequired("Write the news first."), Length(max=5000)]
    )
    checked = BooleanField("I have checked the marked words and they are right")
    save = SubmitField("Save draft")
    publish = SubmitField("Publish")


class PublisherForm(SchoolForm):
    user_id = SelectField("Member of staff", coerce=int)
    approve = SubmitField("Approve to publish")


class RevokeForm(SchoolForm):
    user_id = HiddenField()
    revoke = SubmitField("Stop publishing")
