"""Forms for the class blog and the news feed; the rules themselves live in the services."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from ..inputs import SchoolForm
from .models import REASON_LABELS
from .moderation import READY_REASONS
from .services import COMMENT_MAX, POST_MAX, TITLE_MAX


class PostForm(SchoolForm):
    title = StringField(
        "Title", validators=[DataRequired("Give your post a title."), Length(max=TITLE_MAX)]
    )
    body = TextAreaField(
        "Your writing",
        validators=[DataRequired("Write something first."), Length(max=POST_MAX)],
    )
    save = SubmitField("Save as a draft")
    send = SubmitField("Send to my teacher")
    #: The revision the page showed (see esafety/concurrency.py).
    revision = HiddenField()


class NewPostForm(PostForm):
    """A pupil's new post, with a drawing (made on the page) or a picture if they want one."""

    image = FileField("Choose a picture (JPEG or PNG)")
    description = StringField(
        "What does your picture show?", validators=[Optional(), Length(max=200)]
    )


class CommentForm(SchoolForm):
    body = TextAreaField(
        "Your comment",
        validators=[DataRequired("Write your comment first."), Length(max=COMMENT_MAX)],
    )
    send = SubmitField("Send my comment")
    #: The revision the page showed (see esafety/concurrency.py).
    revision = HiddenField()


class ReportForm(SchoolForm):
    reason = RadioField(
        "Why are you telling a teacher?",
        choices=[SelectChoice(reason.value, label) for reason, label in REASON_LABELS.items()],
        validators=[DataRequired("Choose the reason that fits best.")],
    )
    details = TextAreaField(
        "Anything else you want to say (you can leave this empty)",
        validators=[Optional(), Length(max=500)],
    )
    send = SubmitField("Tell a teacher")


class DecisionForm(SchoolForm):
    reason = SelectField(
        "Ready reason",
        choices=[SelectChoice("", "Choose a reason, or write your own below")]
        + [SelectChoice(key, text) for key, text in READY_REASONS.items()],
        validators=[Optional()],
    )
    feedback = TextAreaField(
        "Note for the pupil (they will read it)", validators=[Optional(), Length(max=1000)]
    )
    approve = SubmitField("Approve")
    send_back = SubmitField("Send back with note")
    remove = SubmitField("Take off the blog")
    #: Taking writing off the blog cannot be undone by the pupil: it needs this tick too.
    confirm_remove = BooleanField("Yes, take it off the blog")
    #: The revision the page showed (see esafety/concurrency.py).
    revision = HiddenField()


class ReportDecisionForm(SchoolForm):
    note = TextAreaField(
        "Note (the person who reported it will read this)",
        validators=[DataRequired("Write a short note for the person who reported it.")],
    )
    uphold = SubmitField("Agree: take it off the blog")
    dismiss = SubmitField("Put it back on the blog")
    #: The revision the page showed (see esafety/concurrency.py).
    revision = HiddenField()


class PassOnForm(SchoolForm):
    note = TextAreaField("Note for the e-safety officer", validators=[Optional(), Length(max=1000)])
    send = SubmitField("Pass to the e-safety officer")
    #: The revision the page showed (see esafety/concurrency.py).
    revision = HiddenField()


class WindowForm(SchoolForm):
    minutes = SelectField(
        "Open for",
        choices=[
            SelectChoice("30", "30 minutes"),
            SelectChoice("60", "1 hour"),
            SelectChoice("90", "1 and a half hours"),
            SelectChoice("", "Until I close it"),
        ],
        default="60",
    )
    open = SubmitField("Open the blog for writing")


class ConcernFromItemForm(SchoolForm):
    note = TextAreaField(
        "What worries you (for the safeguarding team)",
        validators=[Optional(), Length(max=1000)],
    )


class AllowWordsForm(SchoolForm):
    """Words that are fine in this class, typed by the teacher or from a finding's button."""

    words = StringField("Words that are fine in our class", validators=[Length(max=80)])
    kind = HiddenField()
    item_kind = HiddenField()
    item_id = HiddenField()
