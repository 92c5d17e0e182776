"""Forms: setting lessons for a class, a quiz answer, the "I can" faces, the sign-up check."""

from __future__ import annotations

from wtforms import BooleanField, DateField, RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, Optional

from ..inputs import SchoolForm
from .catalogue import Lesson, Strand
from .models import SelfAssessment
from .signup import COUNTRIES, PREVIEW_AGES, AppAge


class AssignForm(SchoolForm):
    lesson_id = SelectField("Lesson", choices=[], validate_choice=False)
    strand = SelectField("Or a whole strand", choices=[], validate_choice=False)
    include_earlier = BooleanField("With a strand, also set earlier years' lessons (to catch up)")
    opens_on = DateField(
        "Opens on", validators=[InputRequired("Choose the day pupils can start it.")]
    )
    due_on = DateField("Due by", validators=[InputRequired("Choose the day it is due.")])

    def fill_choices(self, lessons: list[Lesson]) -> None:
        self.lesson_id.choices = [SelectChoice("", "Choose a lesson")] + [
            SelectChoice(
                lesson.id,
                f"{lesson.strand.label}: {lesson.title}",
                optgroup=lesson.year_group.label,
            )
            for lesson in sorted(lessons, key=lambda lesson: -int(lesson.year_group))
        ]
        self.strand.choices = [SelectChoice("", "No, just the lesson")] + [
            SelectChoice(s.value, s.label) for s in Strand
        ]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        known_lessons = {choice.value for choice in self.lesson_id.choices}
        if self.lesson_id.data and self.lesson_id.data not in known_lessons:
            self.lesson_id.errors.append("Choose a lesson from the list.")
            ok = False
        if self.strand.data and self.strand.data not in {s.value for s in Strand}:
            self.strand.errors.append("Choose a strand from the list.")
            ok = False
        if not self.lesson_id.data and not self.strand.data:
            self.lesson_id.errors.append("Choose a lesson, or a whole strand below.")
            ok = False
        elif self.lesson_id.data and self.strand.data:
            self.strand.errors.append("Choose either one lesson or a whole strand, not both.")
            ok = False
        return ok


class ReadForm(SchoolForm):
    """Only the CSRF token: pressing "Next" saves that a section was read."""


class AnswerForm(SchoolForm):
    answer = RadioField(
        "Your answer",
        coerce=int,
        choices=[],
        validators=[InputRequired("Choose an answer, then press the button.")],
    )


class SelfAssessmentForm(SchoolForm):
    rating = RadioField(
        "How do you feel about it?",
        choices=[SelectChoice(s.value, s.label) for s in SelfAssessment],
        validators=[InputRequired("Choose the face that shows how you feel.")],
    )


class SignUpCheckForm(SchoolForm):
    """A GET form (nothing is saved), so it needs no CSRF token."""

    class Meta:
        csrf = False

    app = SelectField("Which app, game or site?", choices=[], validate_choice=False)
    age = SelectField(
        "Age to check",
        choices=[SelectChoice(str(a)) for a in PREVIEW_AGES],
        default="8",
        validators=[Optional()],
    )
    country = SelectField(
        "Country",
        choices=[SelectChoice(code, name) for code, name in COUNTRIES.items()],
        validators=[Optional()],
    )

    def fill_choices(self, apps: tuple[AppAge, ...]) -> None:
        self.app.choices = [SelectChoice("", "Choose one")] + [
            SelectChoice(app.slug, f"{app.name} ({app.kind})") for app in apps
        ]
