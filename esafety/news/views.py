"""The school news: the public page and feed, and the newsroom where staff write and publish."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms import SelectChoice

from .. import mail
from ..auth.access import public, requires
from ..auth.roles import CLASSROOM_STAFF, Role
from ..errors import rule_errors
from ..photos import storage
from ..photos.forms import PictureForm, TagForm
from . import access, checks, feed, services
from .forms import NewsForm, PublisherForm, RevokeForm
from .models import NewsState

#: The public pages keep the addresses they have always had on the school website.
bp = Blueprint("news", __name__, template_folder="templates", url_prefix="/sandbox")

NEWSROOM_STAFF = CLASSROOM_STAFF


# --- The public page and feed -------------------------------------------------------------


@bp.get("/news")
@public
def public_page():
    """The school's public news page, for the website and anyone who follows it."""
    items = services.published_items()
    return render_template("news/page.html", items=items, pictures=services.images_by_item(items))


@bp.get("/news/<int:item_id>")
@public
def public_item(item_id: int):
    """One public news item."""
    item = services.published_item(item_id)
    return render_template("news/item.html", item=item, pictures=services.news_images_of(item))


@bp.get("/news/feed.atom")
@public
def public_feed():
    """The Atom feed of the school's news, for the school website."""
    items = services.published_items()
    body = feed.atom_feed(
        items,
        title=f"{current_app.config['SCHOOL_NAME']} news",
        feed_url=mail.link("news.public_feed"),
        page_url=mail.link("news.public_page"),
        item_url=lambda item: mail.link("news.public_item", item_id=item.id),
    )
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/news/pictures/<int:image_id>")
@public
def public_picture(image_id: int):
    """A photo of a published news item (public, like the item)."""
    return storage.send_picture(services.public_picture(image_id), public_cache=True)


@bp.get("/newsroom")
@requires(*NEWSROOM_STAFF)
def newsroom():
    """The school's news: drafts, published items, and who may publish."""
    allowed = access.may_publish(current_user)
    return render_template(
        "news/newsroom.html",
        items=services.newsroom_items(current_user) if allowed else [],
        may_publish=allowed,
        is_lead=current_user.has_role(Role.COMPUTING_LEAD),
        NewsState=NewsState,
    )


@bp.route("/newsroom/write", methods=["GET", "POST"])
@requires(*NEWSROOM_STAFF)
def write():
    """Write a news item for the school's public feed."""
    access.require_publisher(current_user)
    return _news_editor(None)


@bp.route("/newsroom/<int:item_id>", methods=["GET", "POST"])
@requires(*NEWSROOM_STAFF)
def edit(item_id: int):
    """Change a news item, add photos, and publish it when the checks pass."""
    return _news_editor(services.news_item_for_publisher(current_user, item_id))


def _news_editor(item):
    form = NewsForm()
    if request.method == "GET" and item is not None:
        form.title.data, form.body.data = item.title, item.source
    problem = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            if form.publish.data:
                item = services.publish_news(
                    current_user, form.title.data, form.body.data, item, checked=form.checked.data
                )
                message = "Published on the school's news page and feed."
            else:
                item = services.save_news(current_user, form.title.data, form.body.data, item)
                message = "Draft saved."
            flash(message, "success")
            return redirect(url_for("news.edit", item_id=item.id))
        problem = outcome.problem
        if item is not None:
            item = services.news_item_for_publisher(current_user, item.id)
    return _render_news_editor(form, item, problem)


def _render_news_editor(form: NewsForm, item, problem: str | None, picture_form=None):
    findings = {}
    if form.title.data or form.body.data:
        fields = {"title": form.title.data or "", "body": form.body.data or ""}
        checked = checks.check_news(fields["title"], fields["body"])
        findings = {
            name: [f.as_dict(fields[name]) for f in items] for name, items in checked.items()
        }
    pictures = services.news_images_of(item) if item is not None else []
    tag_form = None
    if item is not None:
        tag_form = TagForm(formdata=None, pupils=[t.pupil_id for t in item.tags])
        tag_form.nobody.data = item.no_pupils_in_photos
        tag_form.pupils.choices = _all_pupil_choices()
    return render_template(
        "news/edit.html",
        form=form,
        item=item,
        problem=problem,
        findings=findings,
        pictures=pictures,
        picture_form=picture_form or PictureForm(formdata=None),
        tag_form=tag_form,
        photo_problem=services.news_photo_problem(item, pictures) if item is not None else None,
        NewsState=NewsState,
    )


def _all_pupil_choices() -> list[SelectChoice]:
    return [
        SelectChoice(pupil.id, f"{pupil.full_name} ({class_name})")
        for pupil, class_name in services.pupils_to_tag()
    ]


@bp.post("/newsroom/<int:item_id>/withdraw")
@requires(*NEWSROOM_STAFF)
def withdraw(item_id: int):
    """Take a news item off the public page and feed."""
    item = services.news_item_for_publisher(current_user, item_id)
    with rule_errors():
        services.withdraw_news(current_user, item)
        flash("Withdrawn: it is no longer public.", "success")
    return redirect(url_for("news.edit", item_id=item_id))


@bp.post("/newsroom/<int:item_id>/pictures")
@requires(*NEWSROOM_STAFF)
def add_picture(item_id: int):
    """Attach a photo to a news item."""
    item = services.news_item_for_publisher(current_user, item_id)
    form = PictureForm()
    problem = None
    if form.validate_on_submit():
        with rule_errors(form) as outcome:
            services.attach_news_picture(
                current_user, item, form.image.data.stream, form.description.data
            )
            flash("The photo is added.", "success")
            return redirect(url_for("news.edit", item_id=item_id) + "#pictures")
        problem = outcome.problem
        item = services.news_item_for_publisher(current_user, item_id)
    news_form = NewsForm(formdata=None, title=item.title, body=item.source)
    return _render_news_editor(news_form, item, problem, picture_form=form)


@bp.get("/newsroom/pictures/<int:image_id>")
@requires(*NEWSROOM_STAFF)
def draft_picture(image_id: int):
    """A news photo for publishers, before it is public."""
    return storage.send_picture(
        services.publisher_picture(current_user, image_id), public_cache=False
    )


@bp.post("/newsroom/pictures/<int:image_id>/remove")
@requires(*NEWSROOM_STAFF)
def remove_picture(image_id: int):
    """Take a photo off a news item."""
    image = services.publisher_picture(current_user, image_id)
    item_id = image.news_item_id
    services.remove_news_picture(current_user, image)
    flash("The photo is taken off.", "success")
    return redirect(url_for("news.edit", item_id=item_id) + "#pictures")


@bp.post("/newsroom/<int:item_id>/pupils")
@requires(*NEWSROOM_STAFF)
def tag_pupils(item_id: int):
    """Record which pupils can be seen in a news item's photos."""
    item = services.news_item_for_publisher(current_user, item_id)
    form = TagForm()
    form.pupils.choices = _all_pupil_choices()
    form.process(request.form)
    with rule_errors():
        services.tag_news_pupils(current_user, item, form.pupils.data or [], form.nobody.data)
        flash("Saved who is in the photos.", "success")
    return redirect(url_for("news.edit", item_id=item_id) + "#pictures")


@bp.route("/newsroom/publishers", methods=["GET", "POST"])
@requires(Role.COMPUTING_LEAD)
def publishers():
    """The computing lead chooses which staff may publish school news."""
    form = PublisherForm()
    form.user_id.choices = [
        SelectChoice(u.id, u.full_name) for u in access.staff_who_could_publish()
    ]
    if form.validate_on_submit():
        with rule_errors(form):
            access.approve_publisher(current_user, form.user_id.data)
            flash("Approved to publish school news.", "success")
            return redirect(url_for("news.publishers"))
    return render_template(
        "news/publishers.html",
        form=form,
        publishers=access.publishers(),
        revoke_form=RevokeForm(formdata=None),
    )


@bp.post("/newsroom/publishers/revoke")
@requires(Role.COMPUTING_LEAD)
def revoke_publisher():
    """Stop a member of staff publishing school news."""
    form = RevokeForm()
    user_id = form.user_id.data or ""
    if not user_id.isdecimal():
        flash("Choose a publisher.", "error")
        return redirect(url_for("news.publishers"))
    with rule_errors():
        access.revoke_publisher(current_user, int(user_id))
        flash("They can no longer publish school news.", "success")
    return redirect(url_for("news.publishers"))


@bp.post("/newsroom/check")
@requires(*NEWSROOM_STAFF)
def check():
    """The live check as a publisher types: the same stricter rules as publishing."""
    data = request.get_json(silent=True) or {}
    text = str(data.get("text", ""))[:10_000]
    access.require_publisher(current_user)
    findings = checks.check_news_text(text) + checks.voice_findings(text)
    return {
        "findings": [f.as_dict(text) for f in findings],
        "blocking": sum(1 for f in findings if f.blocking),
    }
