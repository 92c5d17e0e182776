"""The lessons feature's pages: pupils' lessons and quizzes, teachers' grid and progress, parents'
term, leaders' coverage, and "Can I sign up?"."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectChoice

from .. import audit, caching
from ..auth.access import requires, signed_in
from ..auth.roles import Role
from ..clock import today
from ..downloads import attachment
from ..errors import DomainError, NotFoundError, rule_errors
from ..extensions import db
from ..inputs import query_number, query_text
from ..school import services as school
from ..school.models import YearGroup
from . import checks, knowledge, reports, services, statement_coverage
from .catalogue import PUPIL_SECTIONS, Lesson, Strand, get_catalogue
from .forms import AnswerForm, AssignForm, ReadForm, SelfAssessmentForm, SignUpCheckForm
from .models import CheckPhase, SelfAssessment
from .services import COVERAGE_ROLES, CURRICULUM_ROLES, PROGRESS_ROLES, TEACHING_ROLES, Step
from .signup import COUNTRIES, DEFAULT_COUNTRY, FEATURES, app_ages, find_app, sign_up_verdict

bp = Blueprint("lessons", __name__, template_folder="templates", url_prefix="/lessons")

#: The cached part of the page changes after any commit that writes these tables.
caching.depends_on("coverage", "lesson_progress", "pupil", "school_class", "academic_year")


def step_url(lesson: Lesson, step: Step | None) -> str:
    """Where a step of a pupil's lesson lives; past the last step is the "well done" page."""
    if step is None:
        return url_for("lessons.done", lesson_id=lesson.id)
    if step.kind == "read":
        return url_for("lessons.read_section", lesson_id=lesson.id, section=step.key)
    if step.kind == "quiz" and isinstance(step.key, int):
        return url_for("lessons.quiz_question", lesson_id=lesson.id, number=step.key + 1)
    return url_for("lessons.self_assess", lesson_id=lesson.id)


@bp.app_template_global("may_check_apps")
def _may_check_apps() -> bool:
    """For templates (macros too): whether to offer the signed-in person "Can I sign up?"."""
    return current_user.is_authenticated and services.may_check_apps(current_user)


@bp.app_context_processor
def _lesson_helpers() -> dict:
    return {"lesson_step_url": step_url}


# --- Pupils -----------------------------------------------------------------------------------


@bp.get("/mine")
@requires(Role.PUPIL)
def my_lessons():
    """Show a pupil what is set and due, what they have finished, and their stickers."""
    return render_template("lessons/my_lessons.html", mine=reports.my_lessons(current_user))


@bp.get("/<lesson_id>")
@signed_in
def lesson(lesson_id: str):
    """Open a lesson: pupils see where they are up to; staff see all of it, teacher notes too."""
    if current_user.is_pupil:
        state = services.lesson_state(current_user, lesson_id)
        return render_template("lessons/start.html", state=state, lesson=state.lesson)
    found = services.lesson_for(current_user, lesson_id)
    classes = [
        c
        for c in services.teaching_classes(current_user)
        if c.year_group >= found.year_group and current_user.has_role(*TEACHING_ROLES)
    ]
    return render_template("lessons/preview.html", lesson=found, classes=classes)


@bp.route("/<lesson_id>/read/<section>", methods=["GET", "POST"])
@requires(Role.PUPIL)
def read_section(lesson_id: str, section: str):
    """Read one section of a lesson (with a read-aloud button); "Next" saves the place."""
    if section not in PUPIL_SECTIONS:
        raise NotFoundError("That part of the lesson does not exist.")
    state = services.lesson_state(current_user, lesson_id)
    form = ReadForm()
    if form.validate_on_submit():
        services.mark_section_read(current_user, lesson_id, section)
        position = PUPIL_SECTIONS.index(section)
        if position + 1 < len(PUPIL_SECTIONS):
            nxt: Step | None = state.steps[position + 1]
        else:
            nxt = services.lesson_state(current_user, lesson_id).next_step
        return redirect(step_url(state.lesson, nxt))
    return render_template(
        "lessons/read.html",
        state=state,
        lesson=state.lesson,
        section=state.lesson.section(section),
        position=PUPIL_SECTIONS.index(section),
        form=form,
    )


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@bp.route("/<lesson_id>/quiz/<int:number>", methods=["GET", "POST"])
@requires(Role.PUPIL)
def quiz_question(lesson_id: str, number: int):
    """One quiz question: kind feedback on every answer, and another go until it is right.

    An answer is saved and the page asked for again; the pupil's place in the lesson is read
    only for a page that shows it."""
    lesson = services.lesson_for(current_user, lesson_id)
    if not 1 <= number <= len(lesson.quiz):
        raise NotFoundError("That question is not in this quiz.")
    index = number - 1
    question = lesson.quiz[index]
    pupil, _ = services.pupil_in_class(current_user)
    order = services.option_order(pupil.id, lesson.id, index, len(question.answers))
    form = AnswerForm()
    form.answer.choices = [SelectChoice(n, question.answers[n].text) for n in order]
    if request.method == "POST":
        if form.validate_on_submit():
            with rule_errors(form, "answer"):
                result = services.answer_question(current_user, lesson_id, index, form.answer.data)
                if _wants_json():
                    fresh = services.lesson_state(current_user, lesson_id)
                    return jsonify(
                        correct=result.correct,
                        feedback=result.feedback,
                        next_url=step_url(lesson, fresh.next_step) if result.correct else None,
                        steps_done=fresh.steps_done,
                        steps_total=len(fresh.steps),
                    )
                return redirect(
                    url_for("lessons.quiz_question", lesson_id=lesson_id, number=number)
                )
        if _wants_json():
            errors = form.answer.errors or ["Choose an answer, then press the button."]
            return jsonify(error=" ".join(errors)), 400
    state = services.lesson_state(current_user, lesson_id)
    q_state = state.questions[index]
    last = question.answers[q_state.last_answer] if q_state.last_answer is not None else None
    return render_template(
        "lessons/quiz.html",
        state=state,
        lesson=lesson,
        question=question,
        number=number,
        q_state=q_state,
        last=last,
        options=[(n, question.answers[n]) for n in order],
        form=form,
        next_url=step_url(lesson, state.next_step),
    ), (400 if form.errors else 200)


@bp.route("/<lesson_id>/i-can", methods=["GET", "POST"])
@requires(Role.PUPIL)
def self_assess(lesson_id: str):
    """Say how you feel about the lesson's "I can" statements, with one of three faces."""
    state = services.lesson_state(current_user, lesson_id)
    form = SelfAssessmentForm()
    if request.method == "GET" and state.progress and state.progress.self_assessment:
        form.rating.data = state.progress.self_assessment.value
    if form.validate_on_submit():
        services.record_self_assessment(current_user, lesson_id, SelfAssessment(form.rating.data))
        fresh = services.lesson_state(current_user, lesson_id)
        return redirect(step_url(fresh.lesson, fresh.next_step))
    return render_template(
        "lessons/i_can.html",
        state=state,
        lesson=state.lesson,
        form=form,
        faces=list(SelfAssessment),
    ), (400 if form.errors else 200)


@bp.get("/<lesson_id>/done")
@requires(Role.PUPIL)
def done(lesson_id: str):
    """Well done: the finished lesson, and a sticker if it finished a strand."""
    state = services.lesson_state(current_user, lesson_id)
    if not state.completed:
        return redirect(step_url(state.lesson, state.next_step))
    pupil, school_class = services.pupil_in_class(current_user)
    stickers = services.stickers_for(
        school_class.year_group, services.completed_lesson_ids(pupil.id)
    )
    return render_template(
        "lessons/done.html",
        state=state,
        lesson=state.lesson,
        sticker=state.lesson.strand if state.lesson.strand in stickers else None,
        year_group=school_class.year_group,
    )


# --- "Can I sign up?" -------------------------------------------------------------------------


@bp.get("/can-i-sign-up")
@signed_in
def can_i_sign_up():
    """Pick an app and hear, for your own age, whether its rules let you join, and why."""
    if not services.may_check_apps(current_user):
        return render_template("lessons/sign_up_later.html")
    form = SignUpCheckForm(request.args)
    apps = app_ages()
    form.fill_choices(apps)
    country = current_app.config.get("SCHOOL_COUNTRY", DEFAULT_COUNTRY)
    if not current_user.is_pupil and form.country.data in COUNTRIES:
        country = form.country.data
    elif country not in COUNTRIES:
        country = DEFAULT_COUNTRY
    form.country.data = country
    pupil_age = None
    if current_user.is_pupil:
        pupil, _ = services.pupil_in_class(current_user)
        pupil_age = pupil.age_on(today())
    verdict = None
    chosen = find_app(form.app.data) if form.app.data else None
    if form.app.data and chosen is None:
        form.app.errors = ["Choose an app from the list."]
    if chosen is not None:
        if pupil_age is not None:
            age = pupil_age
        else:
            try:
                age = int(form.age.data or 8)
            except ValueError:
                age = 8
        verdict = sign_up_verdict(chosen, age, country)
    return render_template(
        "lessons/can_i_sign_up.html",
        form=form,
        apps=apps,
        verdict=verdict,
        pupil_age=pupil_age,
        country=country,
        countries=COUNTRIES,
        features=FEATURES,
    )


# --- Teachers ---------------------------------------------------------------------------------


@bp.get("/curriculum")
@requires(*CURRICULUM_ROLES)
def curriculum():
    """The year-by-strand grid of the whole curriculum, with a class's coverage."""
    class_id = query_number("class_id")
    view = reports.curriculum_view(current_user, class_id)
    return render_template(
        "lessons/curriculum.html",
        view=view,
        strands=list(Strand),
        can_assign=current_user.has_role(*TEACHING_ROLES),
    )


@bp.route("/classes/<int:class_id>/assign", methods=["GET", "POST"])
@requires(*TEACHING_ROLES)
def assign(class_id: int):
    """Set a lesson, or a whole strand, for a class, open from one day and due by another."""
    school_class = services.class_for_teaching(current_user, class_id, assign=True)
    form = AssignForm()
    form.fill_choices(get_catalogue().up_to(school_class.year_group))
    if request.method == "GET":
        form.lesson_id.data = query_text("lesson")
        form.strand.data = query_text("strand")
        form.opens_on.data = today()
        form.due_on.data = today() + timedelta(days=14)
    if form.validate_on_submit():
        with rule_errors(form, "lesson_id"):
            assignments = services.assign_lessons(
                current_user,
                class_id,
                lesson_id=form.lesson_id.data or None,
                strand=Strand(form.strand.data) if form.strand.data else None,
                include_earlier=form.include_earlier.data,
                opens_on=form.opens_on.data,
                due_on=form.due_on.data,
            )
            count = len(assignments)
            what = "1 lesson" if count == 1 else f"{count} lessons"
            due = form.due_on.data
            flash(f"{what} set for {school_class.name}, due {due.day} {due:%B}.", "success")
            return redirect(url_for("lessons.class_progress", class_id=class_id))
    return render_template("lessons/assign.html", form=form, school_class=school_class), (
        400 if form.errors else 200
    )


@bp.post("/assignments/<int:assignment_id>/remove")
@requires(*TEACHING_ROLES)
def remove_assignment(assignment_id: int):
    """Take a lesson off a class's list (pupils keep what they have done)."""
    form = ReadForm()
    if not form.validate_on_submit():
        flash("That did not work. Please try again.", "error")
        return redirect(url_for("lessons.curriculum"))
    assignment = services.remove_assignment(current_user, assignment_id)
    lesson = get_catalogue().get(assignment.lesson_id)
    flash(f"“{lesson.title if lesson else assignment.lesson_id}” is no longer set.", "success")
    return redirect(url_for("lessons.class_progress", class_id=assignment.class_id))


@bp.get("/classes/<int:class_id>/progress")
@requires(*PROGRESS_ROLES)
def class_progress(class_id: int):
    """Pupils by set lessons, strand coverage, and who may need help."""
    report = reports.class_progress(current_user, class_id)
    return render_template(
        "lessons/progress.html",
        report=report,
        can_assign=current_user.has_role(*TEACHING_ROLES),
        remove_form=ReadForm(),
    )


@bp.get("/classes/<int:class_id>/progress.csv")
@requires(*PROGRESS_ROLES)
def class_progress_csv(class_id: int):
    """Download the class's progress as a spreadsheet (formula-safe)."""
    report = reports.class_progress(current_user, class_id)
    audit.record(
        "lessons.progress_exported",
        actor=current_user,
        target=report.school_class,
        pupils=len(report.pupils),
        lessons=len(report.lessons),
    )
    filename = f"lesson-progress-{report.school_class.name.lower().replace(' ', '-')}.csv"
    return Response(
        reports.progress_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": attachment(filename)},
    )


# --- Parents and leaders ----------------------------------------------------------------------


@bp.get("/family")
@requires(Role.PARENT)
def family():
    """What each of your children has covered this term, with the notes to talk about at home."""
    return render_template("lessons/family.html", family=reports.family_learning(current_user))


@bp.get("/coverage")
@requires(*COVERAGE_ROLES)
def coverage():
    """Whole-school coverage: the share of pupils who finished each strand, by year group."""
    body = caching.kept(
        "coverage",
        (),
        lambda: render_template(
            "lessons/_coverage_body.html", coverage=reports.school_coverage(), strands=list(Strand)
        ),
    )
    return render_template("lessons/coverage.html", body=Markup(body))  # noqa: S704 (rendered by Jinja)


# --- Knowledge maps ---------------------------------------------------------------------------


@bp.get("/classes/<int:class_id>/knowledge")
@requires(*PROGRESS_ROLES)
def class_knowledge(class_id: int):
    """Each pupil's understanding of each "I can" statement of a lesson, misconceptions named."""
    grid = knowledge.class_knowledge(current_user, class_id, request.args.get("lesson"))
    return render_template("lessons/knowledge.html", grid=grid, states=list(knowledge.Knowledge))


@bp.get("/knowledge")
@requires(*COVERAGE_ROLES)
def school_knowledge():
    """For leaders: how many pupils of a year group are at each state per statement (no names)."""
    try:
        year = YearGroup(request.args.get("year", -1, type=int))
    except ValueError:
        year = YearGroup.YEAR_6
    return render_template(
        "lessons/school_knowledge.html",
        report=knowledge.school_knowledge(year),
        states=list(knowledge.Knowledge),
        years=list(YearGroup),
    )


# --- Coverage by framework statement ------------------------------------------------------------


@bp.get("/classes/<int:class_id>/statements")
@requires(*PROGRESS_ROLES)
def class_statements(class_id: int):
    """Each framework statement of the class's year: its lessons and how the class is doing."""
    report = statement_coverage.class_statement_coverage(current_user, class_id)
    return render_template(
        "lessons/class_statements.html", report=report, states=list(knowledge.Knowledge)
    )


@bp.get("/statements")
@requires(*COVERAGE_ROLES)
def school_statements():
    """For leaders: framework statements covered per year group, as numbers (no names)."""
    try:
        year = YearGroup(request.args.get("year", -1, type=int))
    except ValueError:
        year = YearGroup.YEAR_6
    years = statement_coverage.school_statement_coverage()
    return render_template(
        "lessons/school_statements.html",
        years=years,
        chosen=years[year],
        states=list(knowledge.Knowledge),
    )


# --- Start- and end-of-year checks ---------------------------------------------------------------


def _phase(phase: str) -> CheckPhase:
    try:
        return CheckPhase(phase)
    except ValueError:
        raise NotFoundError("There is no check with that name.") from None


@bp.route("/check/<phase>", methods=["GET", "POST"])
@requires(Role.PUPIL)
def year_check(phase: str):
    """The short start- or end-of-year check: every question on one page, one try each."""
    which = _phase(phase)
    check = checks.pupil_check(current_user, which)
    form = ReadForm()
    chosen: dict[str, int | None] = {}
    error = None
    error_key = None
    if request.method == "POST":
        for item in check.items:
            raw = request.form.get(item.key, "")
            chosen[item.key] = int(raw) if raw.lstrip("-").isdecimal() and len(raw) < 6 else None
        if not form.validate_on_submit():
            error = "That did not work. Please try again."
        else:
            try:
                checks.submit_check(current_user, which, chosen)
            except DomainError as refused:
                if refused.status != 400:
                    raise
                db.session.rollback()  # the answers are shown again with the message
                error, error_key = refused.message, refused.field
            else:
                flash("Thank you! Your teacher will use this to plan your lessons.", "success")
                return redirect(url_for("lessons.my_lessons"))
    return render_template(
        "lessons/year_check.html",
        check=check,
        form=form,
        chosen=chosen,
        error=error,
        error_key=error_key,
        not_sure=checks.NOT_SURE,
    ), (400 if error else 200)


@bp.get("/classes/<int:class_id>/check")
@requires(*PROGRESS_ROLES)
def class_year_check(class_id: int):
    """The class's start and end checks side by side: the change per statement, and per pupil."""
    report = checks.class_check(current_user, class_id)
    return render_template("lessons/check_report.html", report=report, phases=list(CheckPhase))


@bp.get("/check-results")
@requires(*COVERAGE_ROLES)
def school_year_check():
    """For leaders: the change per statement for a year group, as numbers (no names)."""
    try:
        year = YearGroup(request.args.get("year", -1, type=int))
    except ValueError:
        year = YearGroup.YEAR_6
    return render_template(
        "lessons/check_report.html",
        report=checks.school_check(year),
        phases=list(CheckPhase),
        years=list(YearGroup),
    )


@bp.get("/family-sheet/<int:year>")
@signed_in
def family_sheet(year: int):
    """A printable page for families: each lesson of a year, what to talk about, and a tip.

    Staff and governors print any year's; a parent opens the years of their own children.
    """
    try:
        year_group = YearGroup(year)
    except ValueError:
        raise NotFoundError("There is no such year group.") from None
    if not current_user.has_role(*CURRICULUM_ROLES):
        children_years = {
            child.school_class.year_group
            for child in school.children_of(current_user)
            if child.school_class is not None
        }
        if not current_user.has_role(Role.PARENT) or year_group not in children_years:
            raise NotFoundError("There is no such year group.")
    return render_template(
        "lessons/family_sheet.html",
        year_group=year_group,
        lines=reports.family_sheet(year_group),
    )
