"""The class blog: thin views over the sandbox services."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from ..auth.access import requires, signed_in
from ..auth.roles import CLASSROOM_STAFF, Role
from ..errors import DomainError, NotFoundError, rule_errors
from ..inputs import query_number, whole_number
from ..photos import storage
from ..photos.forms import PictureForm, TagForm
from ..school import services as school
from ..school.models import YearGroup
from . import between_lessons, blog_articles, moderation, reports, services
from . import findings as class_findings
from . import waiting as waiting_too_long
from .forms import (
    AllowWordsForm,
    CommentForm,
    ConcernFromItemForm,
    DecisionForm,
    NewPostForm,
    PassOnForm,
    PostForm,
    ReportDecisionForm,
    ReportForm,
    WindowForm,
)
from .models import ItemState, ReportReason

bp = Blueprint("sandbox", __name__, template_folder="templates", url_prefix="/sandbox")

STAFF = CLASSROOM_STAFF


def _findings_for(fields: dict[str, str], class_id: int) -> dict[str, list[dict]]:
    """Findings for each field, as the live check sends them (with the words found)."""
    found = services.check_fields({name: text for name, text in fields.items() if text}, class_id)
    return {name: [f.as_dict(fields[name]) for f in items] for name, items in found.items()}


# --- Reading -------------------------------------------------------------------------------


@bp.get("/")
@signed_in
def index():
    """Take a pupil to their class blog; show everyone else the blogs they may read."""
    classes = services.blogs_for(current_user)
    if len(classes) == 1:
        return redirect(url_for("sandbox.blog", class_id=classes[0].id))
    return render_template("sandbox/index.html", classes=classes)


@bp.get("/classes/<int:class_id>")
@signed_in
def blog(class_id: int):
    """Show a class blog: approved writing, and the reader's own writing with where it is."""
    page = services.blog_page(current_user, class_id, query_number("page", 1))
    return render_template(
        "sandbox/blog.html",
        page=page,
        articles=blog_articles.articles(page),
        window_form=WindowForm(formdata=None),
        outcome=reports.outcome_for_reporter,
        ItemState=ItemState,
    )


@bp.get("/pictures/<int:image_id>")
@signed_in
def picture(image_id: int):
    """Send a blog picture, only to someone who may see its post."""
    image = services.picture_for(current_user, image_id)
    return storage.send_picture(image, public_cache=False)


# --- Writing -------------------------------------------------------------------------------


@bp.route("/classes/<int:class_id>/write", methods=["GET", "POST"])
@signed_in
def write_post(class_id: int):
    """Write a new post: save it as a draft or send it to the teacher (staff publish)."""
    reader = services.blog_reader(current_user, class_id)
    if not services.may_write(reader):
        flash(
            "Parents and carers can read the class blog and report anything that worries them."
            if reader.is_parent
            else "The blog is closed for writing just now. You can still read it.",
            "warning",
        )
        return redirect(url_for("sandbox.blog", class_id=class_id))
    form = NewPostForm() if reader.is_pupil else PostForm()
    problem = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            with_picture = isinstance(form, NewPostForm)
            picture = form.image.data if with_picture else None
            post = services.save_new_post(
                current_user,
                class_id,
                form.title.data,
                form.body.data,
                send=form.send.data,
                picture=picture.stream if picture else None,
                description=(form.description.data or "") if with_picture else "",
            )
            return _after_saving(post, form.send.data, reader)
        _count_refused(reader, outcome.error)
        problem = outcome.problem
    return _render_editor(form, reader, None, problem)


def _count_refused(reader: services.Reader, error: DomainError | None) -> None:
    """Writing the checks sent back still counts for the class (never the pupil); the count is
    written after the refusal was rolled back, so the request's commit keeps it."""
    if reader.is_pupil and isinstance(error, services.WritingNeedsChanges):
        class_findings.record_findings(
            reader.school_class.id, (f for found in error.problems.values() for f in found)
        )


def _after_saving(post, sent: bool, reader: services.Reader):
    if post.held_for_worry and not reader.is_staff:
        flash(class_findings.CALM_MESSAGE, "info")
        return redirect(url_for("sandbox.blog", class_id=post.class_id))
    if sent and reader.is_staff:
        flash("Your post is on the blog.", "success")
    elif sent:
        flash("Sent! Your post is waiting for your teacher.", "success")
    else:
        flash("Saved as a draft. Only you can see it.", "success")
        return redirect(url_for("sandbox.edit_post", post_id=post.id))
    return redirect(url_for("sandbox.blog", class_id=post.class_id))


def _render_editor(
    form: PostForm,
    reader: services.Reader,
    post,
    problem: str | None,
    picture_form: PictureForm | None = None,
):
    findings = _findings_for(
        {"title": form.title.data or "", "body": form.body.data or ""}, reader.school_class.id
    )
    if reader.is_staff:
        form.send.label.text = "Publish on the blog"
    if post is not None and not form.revision.data:
        form.revision.data = post.revision
    tag_form = None
    pictures = []
    if post is not None:
        pictures = services.images_of(post)
        if reader.is_staff:
            tag_form = _tag_form(post)
    young = reader.school_class.year_group <= YearGroup.YEAR_2
    return render_template(
        "sandbox/write.html",
        form=form,
        reader=reader,
        #: Reception to Year 2 see the drawing first; older pupils see the upload first.
        drawing_first=young,
        upload_offered=not young or current_app.config["BLOG_YOUNG_PUPILS_UPLOAD"],
        post=post,
        problem=problem,
        findings=findings,
        pictures=pictures,
        picture_form=picture_form or PictureForm(formdata=None),
        tag_form=tag_form,
        photo_problem=services.photo_problem(post, pictures) if post is not None else None,
        ItemState=ItemState,
    )


def _tag_form(post) -> TagForm:
    form = TagForm(formdata=None, pupils=[t.pupil_id for t in post.tags])
    form.nobody.data = post.no_pupils_in_photos
    form.pupils.choices = [
        SelectChoice(p.id, p.full_name) for p in school.pupils_in_class(post.class_id)
    ]
    return form


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_post(post_id: int):
    """Change your own post: a draft, one sent back with a note, or one already on the blog."""
    post, reader = services.post_for(current_user, post_id)
    if post.author_id != current_user.id:
        raise NotFoundError("We could not find that post.")
    form = PostForm()
    if request.method == "GET":
        form.title.data, form.body.data = post.title, post.source
    problem = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            services.save_post(
                current_user,
                post.class_id,
                form.title.data,
                form.body.data,
                send=form.send.data,
                post=post,
                seen=form.revision.data or "",
            )
            return _after_saving(post, form.send.data, reader)
        _count_refused(reader, outcome.error)
        problem = outcome.problem
        post, reader = services.post_for(current_user, post_id)
    return _render_editor(form, reader, post, problem)


@bp.post("/posts/<int:post_id>/comments")
@signed_in
def add_comment(post_id: int):
    """Comment on a post: a pupil's comment waits for the teacher before anyone else sees it."""
    post, reader = services.post_for(current_user, post_id)
    form = CommentForm()
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            comment = services.add_comment(current_user, post, form.body.data)
            if comment.held_for_worry:
                flash(class_findings.CALM_MESSAGE, "info")
            elif reader.is_staff:
                flash("Your comment is on the blog.", "success")
            else:
                flash("Sent! Your comment is waiting for your teacher.", "success")
            return redirect(url_for("sandbox.blog", class_id=post.class_id) + f"#post-{post.id}")
        _count_refused(reader, outcome.error)
        post, reader = services.post_for(current_user, post_id)
        return _render_comment_editor(form, post, None, outcome.problem)
    return _render_comment_editor(form, post, None, None)


def _render_comment_editor(form: CommentForm, post, comment, problem: str | None):
    if comment is not None and not form.revision.data:
        form.revision.data = comment.revision
    return render_template(
        "sandbox/comment.html",
        form=form,
        post=post,
        comment=comment,
        problem=problem,
        findings=_findings_for({"body": form.body.data or ""}, post.class_id),
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_comment(comment_id: int):
    """Change your own comment; it goes back to the teacher."""
    comment, reader = services.comment_for(current_user, comment_id)
    if comment.author_id != current_user.id:
        raise NotFoundError("We could not find that comment.")
    form = CommentForm()
    if request.method == "GET":
        form.body.data = comment.source
    problem = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            services.edit_comment(
                current_user, comment, form.body.data, seen=form.revision.data or ""
            )
            if comment.held_for_worry:
                flash(class_findings.CALM_MESSAGE, "info")
            else:
                flash("Sent! Your comment is waiting for your teacher.", "success")
            return redirect(url_for("sandbox.blog", class_id=comment.post.class_id))
        _count_refused(reader, outcome.error)
        problem = outcome.problem
        comment, reader = services.comment_for(current_user, comment_id)
    return _render_comment_editor(form, comment.post, comment, problem)


@bp.post("/check")
@requires(Role.PUPIL, *STAFF)
def check():
    """The live check as someone types: the same rules the server applies when they send."""
    data = request.get_json(silent=True) or {}
    text = str(data.get("text", ""))[:10_000]
    class_id = whole_number(data.get("class_id"), minimum=1)
    if class_id is None:
        raise NotFoundError("Say which class blog this is for.")
    if not services.blog_reader(current_user, class_id).may_check:
        raise NotFoundError("That class blog is not one of yours.")
    findings = services.check_fields({"text": text}, class_id)["text"]
    return {
        "findings": [f.as_dict(text) for f in findings],
        "blocking": sum(1 for f in findings if f.blocking),
    }


# --- Pictures and tags ---------------------------------------------------------------------


@bp.post("/posts/<int:post_id>/pictures")
@signed_in
def add_picture(post_id: int):
    """Attach a photo (staff) or a drawing (the pupil who wrote the post)."""
    post, reader = services.post_for(current_user, post_id)
    form = PictureForm()
    problem = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            services.attach_picture(
                current_user, post, form.image.data.stream, form.description.data
            )
            flash("The picture is added.", "success")
            return redirect(_picture_return(post, reader))
        problem = outcome.problem
        post, reader = services.post_for(current_user, post_id)
    if post.author_id == current_user.id:
        # Show the writer's page again, with the message beside the picture and what they typed.
        post_form = PostForm(formdata=None, title=post.title, body=post.source)
        return _render_editor(post_form, reader, post, problem, picture_form=form)
    for message in [problem, *(e for errors in form.errors.values() for e in errors)]:
        if message:
            flash(message, "error")
    return redirect(_picture_return(post, reader))


def _picture_return(post, reader) -> str:
    if post.author_id == current_user.id:
        return url_for("sandbox.edit_post", post_id=post.id) + "#pictures"
    return url_for("sandbox.moderation_queue", class_id=post.class_id) + f"#post-{post.id}"


@bp.post("/pictures/<int:image_id>/remove")
@signed_in
def remove_picture(image_id: int):
    """Take a picture off a post."""
    image = services.picture_for(current_user, image_id)
    assert image.post_id is not None  # picture_for refuses a picture that is not on a post
    post, reader = services.post_for(current_user, image.post_id)
    services.remove_picture(current_user, image)
    flash("The picture is taken off.", "success")
    return redirect(_picture_return(post, reader))


@bp.route("/posts/<int:post_id>/pupils", methods=["GET", "POST"])
@requires(*STAFF)
def tag_pupils(post_id: int):
    """Record which pupils can be seen in a post's photos (a page of its own, so the queue does
    not repeat the class list for every post)."""
    post, reader = services.post_for(current_user, post_id)
    form = _tag_form(post)
    if request.method == "GET":
        services.require_staff(current_user, post.class_id)
        return render_template(
            "sandbox/tag_pupils.html",
            post=post,
            form=form,
            pictures=services.images_of(post),
            photo_problem=services.photo_problem(post, services.images_of(post)),
            back=_picture_return(post, reader),
        )
    form.process(request.form)
    with rule_errors():
        services.tag_pupils(current_user, post, form.pupils.data or [], form.nobody.data)
        flash("Saved who is in the photos.", "success")
    return redirect(_picture_return(post, reader))


# --- Reports -------------------------------------------------------------------------------


@bp.route("/posts/<int:item_id>/report", methods=["GET", "POST"], defaults={"kind": "post"})
@bp.route("/comments/<int:item_id>/report", methods=["GET", "POST"], defaults={"kind": "comment"})
@signed_in
def report(kind: str, item_id: int):
    """Tell a teacher about a post or comment; it is hidden from pupils straight away."""
    find = services.post_for if kind == "post" else services.comment_for
    item, reader = find(current_user, item_id)
    class_id = reader.school_class.id
    if item.state is not ItemState.APPROVED:
        flash("Thank you: a teacher is already looking after this one.", "info")
        return redirect(url_for("sandbox.blog", class_id=class_id))
    form = ReportForm()
    problem = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            reports.report_item(current_user, item, form.reason.data, form.details.data)
            flash(
                "Thank you for telling us. A teacher will look at it, and it is hidden until "
                "they do. You can see what they decide on this page.",
                "success",
            )
            return redirect(url_for("sandbox.blog", class_id=class_id) + "#my-reports")
        problem = outcome.problem
    return render_template(
        "sandbox/report.html",
        form=form,
        item=item,
        kind=kind,
        problem=problem,
        class_id=class_id,
    )


# --- Moderation ----------------------------------------------------------------------------


@bp.get("/classes/<int:class_id>/moderation")
@requires(*STAFF)
def moderation_queue(class_id: int):
    """The teacher's queue: waiting writing oldest first, findings marked, and open reports."""
    reader = services.require_staff(current_user, class_id)
    week_counts = moderation.class_counts(reader)
    allowed = class_findings.allowed_entries(class_id)
    class_reports = reports.class_reports(reader)
    return render_template(
        "sandbox/moderation.html",
        reader=reader,
        entries=moderation.queue(reader, [entry.words for entry in allowed]),
        open_reports=class_reports.open,
        decided_reports=class_reports.decided,
        decision_form=DecisionForm(formdata=None),
        report_form=ReportDecisionForm(formdata=None),
        pass_form=PassOnForm(formdata=None),
        picture_form=PictureForm(formdata=None),
        window=services.current_window(class_id),
        window_form=WindowForm(formdata=None),
        display_name=services.display_name,
        WORRIES_ME=ReportReason.WORRIES_ME,
        allowed=allowed,
        allow_form=AllowWordsForm(formdata=None),
        concern_form=ConcernFromItemForm(formdata=None),
        week_counts=week_counts,
        count_kinds=class_findings.kinds_in(week_counts),
        kind_labels=class_findings.KIND_LABELS,
        wait_hours=waiting_too_long.alert_hours(),
    )


@bp.post("/posts/<int:item_id>/decision", defaults={"kind": "post"})
@bp.post("/comments/<int:item_id>/decision", defaults={"kind": "comment"})
@requires(*STAFF)
def decide(kind: str, item_id: int):
    """Approve, send back with a note, or take off the blog."""
    item = moderation.find_item(kind, item_id)
    class_id = moderation.class_id_of(item)
    form = DecisionForm()
    decision = (
        "approve"
        if form.approve.data
        else "return"
        if form.send_back.data
        else "remove"
        if form.remove.data
        else ""
    )
    feedback = "\n\n".join(
        part
        for part in (moderation.READY_REASONS.get(form.reason.data or ""), form.feedback.data)
        if part and part.strip()
    )
    if decision == "remove" and not form.confirm_remove.data:
        flash("Tick “Yes, take it off the blog” to take it off.", "error")
        return redirect(_back_to_queue(class_id, f"{item.kind}-{item.id}"))
    with rule_errors():
        moderation.decide(current_user, item, decision, feedback, seen=form.revision.data or "")
        flash(
            {
                "approve": "Approved: it is on the blog.",
                "return": "Sent back with your note.",
                "remove": "Taken off the blog. It is kept for the record.",
            }[decision],
            "success",
        )
        return redirect(_back_to_queue(class_id, request.form.get("next_item", "")))
    return redirect(_back_to_queue(class_id, f"{item.kind}-{item.id}"))


def _back_to_queue(class_id: int, anchor: str) -> str:
    """Back to the queue the decision came from, at the next item rather than the top."""
    if request.form.get("from_queue") == "all":
        page = url_for("sandbox.moderation_all")
    else:
        page = url_for("sandbox.moderation_queue", class_id=class_id)
    return page + "#" + (anchor if between_lessons.REF.match(anchor) else "waiting")


@bp.get("/moderation")
@requires(*STAFF)
def moderation_all():
    """Between lessons: what waits in every class this person runs, oldest first."""
    waiting = between_lessons.queue_across(current_user)
    return render_template(
        "sandbox/moderation_all.html",
        waiting=waiting,
        clean=[w for w in waiting if w.clean],
        wait_hours=waiting_too_long.alert_hours(),
        decision_form=DecisionForm(formdata=None),
        display_name=services.display_name,
    )


@bp.post("/moderation/approve-clean")
@requires(*STAFF)
def approve_clean():
    """Approve at once the waiting writing with no findings that the teacher was shown."""
    if not request.form.get("confirm"):
        flash("Tick the box to say yes, then press Approve.", "error")
        return redirect(url_for("sandbox.moderation_all") + "#approve-clean")
    with rule_errors():
        done = between_lessons.approve_clean(current_user, request.form.getlist("items"))
        flash(_approved_clean_message(done), "success" if done.approved else "warning")
    return redirect(url_for("sandbox.moderation_all") + "#waiting")


def _approved_clean_message(done: between_lessons.ApprovedClean) -> str:
    if done.approved:
        were = "it is" if done.approved == 1 else "they are"
        parts = [f"Approved {done.approved}: {were} on the blog."]
    else:
        parts = ["Nothing was approved."]
    if done.changed:
        parts.append(
            f"{done.changed} changed since you looked (edited, or the checks now find "
            f"something), so {'it is' if done.changed == 1 else 'they are'} still waiting: "
            "please read again before you decide."
        )
    if done.gone:
        parts.append(
            f"{done.gone} {'was' if done.gone == 1 else 'were'} no longer waiting "
            "(someone decided first, or the writer took it back)."
        )
    return " ".join(parts)


@bp.post("/reports/<int:report_id>/decision")
@requires(*STAFF)
def decide_report(report_id: int):
    """Uphold or dismiss a report, with a note the reporter reads."""
    report_ = reports.report_for_staff(current_user, report_id)
    form = ReportDecisionForm()
    with rule_errors():
        reports.decide_report(
            current_user,
            report_,
            uphold=bool(form.uphold.data),
            note=form.note.data or "",
            seen=form.revision.data or "",
        )
        flash(
            "Report decided: it is off the blog."
            if form.uphold.data
            else "Report decided: it is back on the blog.",
            "success",
        )
    return redirect(url_for("sandbox.moderation_queue", class_id=report_.class_id) + "#reports")


@bp.post("/reports/<int:report_id>/pass-on")
@requires(*STAFF)
def pass_on_report(report_id: int):
    """Pass a worrying report to the e-safety officer as a safeguarding concern."""
    report_ = reports.report_for_staff(current_user, report_id)
    form = PassOnForm()
    with rule_errors():
        reports.pass_to_esafety_officer(
            current_user, report_, form.note.data or "", seen=form.revision.data or ""
        )
        flash("Passed to the e-safety officer.", "success")
    return redirect(url_for("sandbox.moderation_queue", class_id=report_.class_id) + "#reports")


@bp.post("/posts/<int:item_id>/concern", defaults={"kind": "post"})
@bp.post("/comments/<int:item_id>/concern", defaults={"kind": "comment"})
@requires(*STAFF)
def raise_concern_from(kind: str, item_id: int):
    """Raise a safeguarding concern from a post or comment, with a copy of its words."""
    item = moderation.find_item(kind, item_id)
    class_id = moderation.class_id_of(item)
    form = ConcernFromItemForm()
    with rule_errors():
        reports.raise_concern_from(current_user, item, form.note.data or "")
        flash("A concern is raised with a copy of the words, for the safeguarding team.", "success")
    if request.form.get("next_page") == "blog":
        return redirect(url_for("sandbox.blog", class_id=class_id) + f"#{kind}-{item_id}")
    return redirect(url_for("sandbox.moderation_queue", class_id=class_id))


@bp.post("/classes/<int:class_id>/fine")
@requires(*STAFF)
def mark_fine(class_id: int):
    """Say a finding (or typed words) is fine in this class; on a worry, release the writing."""
    form = AllowWordsForm()
    raw_id = form.item_id.data or ""
    item_id = int(raw_id) if raw_id.isdecimal() and len(raw_id) < 10 else None
    with rule_errors():
        released = moderation.mark_fine(
            current_user,
            class_id,
            form.words.data or "",
            form.kind.data or None,
            form.item_kind.data or "",
            item_id,
        )
        flash(
            "Released: it can go on the blog when you approve it. The concern stays with the "
            "safeguarding team."
            if released == "released"
            else "Added to the words that are fine in your class.",
            "success",
        )
    return redirect(url_for("sandbox.moderation_queue", class_id=class_id) + "#allowed")


@bp.post("/classes/<int:class_id>/fine/<int:entry_id>/remove")
@requires(*STAFF)
def remove_fine(class_id: int, entry_id: int):
    """Take words off the class's list of words that are fine."""
    with rule_errors():
        moderation.remove_allowed(current_user, class_id, entry_id)
        flash("Taken off the list: the checks will point them out again.", "success")
    return redirect(url_for("sandbox.moderation_queue", class_id=class_id) + "#allowed")


def _window_return(class_id: int) -> str:
    if request.form.get("next_page") == "queue":
        return url_for("sandbox.moderation_queue", class_id=class_id)
    return url_for("sandbox.blog", class_id=class_id)


@bp.post("/classes/<int:class_id>/window/open")
@requires(*STAFF)
def open_window(class_id: int):
    """Open the blog for pupils to write (for a lesson)."""
    form = WindowForm()
    minutes = whole_number(form.minutes.data, minimum=1)
    with rule_errors():
        services.open_window(current_user, class_id, minutes)
        flash("The blog is open for writing.", "success")
    return redirect(_window_return(class_id))


@bp.post("/classes/<int:class_id>/window/close")
@requires(*STAFF)
def close_window(class_id: int):
    """Close the blog for writing; pupils can still read."""
    with rule_errors():
        services.close_window(current_user, class_id)
        flash("The blog is closed for writing. Pupils can still read it.", "success")
    return redirect(_window_return(class_id))
