"""The blog's pages: who may open them, forms that keep what was typed, the live check, speed."""

from __future__ import annotations

import pytest

from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.sandbox import moderation, reports, services
from esafety.sandbox.models import BlogPost, ItemState
from tests import factories
from tests.conftest import sign_in_session
from tests.sandbox.conftest import approved_post


def page_text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "status"),
    [("teacher", 200), ("ava", 200), ("parent", 200), ("other_pupil", 404), ("office", 404)],
)
def test_who_may_open_the_class_blog(blog, client, login_as, who, status):
    users = {
        "teacher": blog.teacher,
        "ava": blog.ava.user,
        "parent": blog.parent,
        "other_pupil": blog.other_pupil.user,
        "office": None,
    }
    user = users[who] or factories.make_user(Role.OFFICE_ADMIN)
    login_as(user)
    assert client.get(f"/sandbox/classes/{blog.id}").status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.PUPIL, 403), (Role.PARENT, 403), (Role.GOVERNOR, 403), (Role.TEACHER, 404)],
)
def test_the_moderation_queue_is_for_the_class_staff(blog, client, login_as, role, status):
    login_as(role)
    assert client.get(f"/sandbox/classes/{blog.id}/moderation").status_code == status


def test_the_class_teacher_sees_the_queue_with_findings_marked(open_blog, client, login_as):
    services.save_post(
        open_blog.ava.user, open_blog.id, "Match", "They were stupid at football", send=True
    )
    db.session.commit()
    login_as(open_blog.teacher)
    html = page_text(client.get(f"/sandbox/classes/{open_blog.id}/moderation"))
    # Each mark carries its kind in words, so the teacher sees what each finding is.
    assert (
        '<mark class="finding-unkind" data-kind="unkind">stupid'
        '<span class="kind-tag"> [Unkind words]</span></mark>'
    ) in html
    assert "Flagged: possibly unkind words" in html
    assert "Waiting for you (1)" in html


def test_pupils_see_first_names_only_on_the_blog(open_blog, client, login_as):
    approved_post(open_blog)
    login_as(open_blog.noah.user)
    html = page_text(client.get(f"/sandbox/classes/{open_blog.id}"))
    assert "By Ava" in html and "Jones" not in html


def test_a_closed_blog_sends_pupils_back_to_read(blog, client, login_as):
    login_as(blog.ava.user)
    response = client.get(f"/sandbox/classes/{blog.id}/write")
    assert response.status_code == 302
    html = page_text(client.get(f"/sandbox/classes/{blog.id}"))
    assert "closed for writing" in html and "Write a post" not in html


def test_the_write_form_keeps_the_text_and_explains_each_problem(open_blog, client, login_as):
    login_as(open_blog.ava.user)
    response = client.post(
        f"/sandbox/classes/{open_blog.id}/write",
        data={"title": "My weekend", "body": "lol I played with Noah Patel", "send": "y"},
    )
    assert response.status_code == 200
    html = page_text(response)
    assert "lol I played with Noah Patel" in html  # nothing typed is lost
    assert "is text speak" in html and "full name" in html
    assert "Please change the parts explained below" in html
    assert db.session.scalar(db.select(db.func.count(BlogPost.id))) == 0


def test_sending_a_good_post_redirects_and_waits_for_the_teacher(open_blog, client, login_as):
    login_as(open_blog.ava.user)
    response = client.post(
        f"/sandbox/classes/{open_blog.id}/write",
        data={"title": "My weekend", "body": "I played with Noah.", "send": "y"},
    )
    assert response.status_code == 302
    html = page_text(client.get(response.headers["Location"]))
    assert "Waiting for your teacher" in html


def test_a_missing_title_is_shown_beside_the_field(open_blog, client, login_as):
    login_as(open_blog.ava.user)
    response = client.post(
        f"/sandbox/classes/{open_blog.id}/write", data={"title": "", "body": "Hello", "save": "y"}
    )
    html = page_text(response)
    assert 'id="title-error"' in html and "Give your post a title." in html
    assert "Hello</textarea>" in html


def test_the_live_check_answers_in_json(open_blog, client, login_as):
    login_as(open_blog.ava.user)
    response = client.post(
        "/sandbox/check", json={"text": "gr8 day with Noah Patel", "class_id": open_blog.id}
    )
    data = response.get_json()
    assert [(f["kind"], f["text"]) for f in data["findings"]] == [
        ("text_speak", "gr8"),
        ("full_name", "Noah Patel"),
    ]
    assert data["blocking"] == 2


def test_the_live_check_is_only_for_writers_of_that_class(open_blog, client, login_as):
    body = {"text": "I met Finn Okafor", "class_id": open_blog.id}
    login_as(open_blog.parent)
    assert client.post("/sandbox/check", json=body).status_code == 403
    login_as(open_blog.other_pupil.user)
    assert client.post("/sandbox/check", json=body).status_code == 404
    # A pupil's check knows their own class, so it cannot be used to look up other children.
    login_as(open_blog.ava.user)
    assert client.post("/sandbox/check", json=body).get_json()["findings"] == []
    assert client.post("/sandbox/check", json={"text": "x"}).status_code == 404


def test_the_live_check_needs_a_csrf_token_when_protection_is_on(app, open_blog, login_as):
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        sign_in_session(client, open_blog.ava.user)
        body = {"text": "lol", "class_id": open_blog.id}
        refused = client.post("/sandbox/check", json=body)
        assert refused.status_code == 400
        with app.test_request_context():
            from flask_wtf.csrf import generate_csrf

            with client.session_transaction() as session:
                token = generate_csrf()
                from flask import session as request_session

                session.update(request_session)
        accepted = client.post("/sandbox/check", json=body, headers={"X-CSRFToken": token})
        assert accepted.status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_sending_back_with_a_ready_reason_reaches_the_pupil(open_blog, client, login_as):
    post = services.save_post(open_blog.ava.user, open_blog.id, "Trip", "It was ok", send=True)
    db.session.commit()
    login_as(open_blog.teacher)
    response = client.post(
        f"/sandbox/posts/{post.id}/decision",
        data={
            "reason": "more",
            "feedback": "What did you see?",
            "send_back": "y",
            "revision": post.revision,
        },
    )
    assert response.status_code == 302
    db.session.refresh(post)
    assert post.state is ItemState.RETURNED
    assert post.feedback == "Great start! Can you tell us a little more?\n\nWhat did you see?"
    login_as(open_blog.ava.user)
    html = page_text(client.get(f"/sandbox/posts/{post.id}/edit"))
    assert "What did you see?" in html and "It was ok</textarea>" in html


def test_a_pupil_cannot_use_the_teachers_buttons(open_blog, client, login_as):
    post = services.save_post(open_blog.ava.user, open_blog.id, "Trip", "It was ok", send=True)
    db.session.commit()
    login_as(open_blog.noah.user)
    assert (
        client.post(f"/sandbox/posts/{post.id}/decision", data={"approve": "y"}).status_code == 403
    )
    db.session.refresh(post)
    assert post.state is ItemState.PENDING


def test_the_report_form_and_the_outcome_for_the_reporter(open_blog, client, login_as):
    post = approved_post(open_blog)
    login_as(open_blog.noah.user)
    form = page_text(client.get(f"/sandbox/posts/{post.id}/report"))
    for reason in (
        "It is unkind",
        "It shares personal information",
        "It worries me",
        "Something else",
    ):
        assert reason in form
    missing = client.post(f"/sandbox/posts/{post.id}/report", data={"details": "hmm"})
    assert "Choose the reason that fits best." in page_text(missing)
    assert "hmm</textarea>" in page_text(missing)
    sent = client.post(f"/sandbox/posts/{post.id}/report", data={"reason": "unkind"})
    assert sent.status_code == 302
    html = page_text(client.get(f"/sandbox/classes/{open_blog.id}"))
    assert "Our trip" not in html.split("Posts</h2>")[1]
    assert "Your teacher will look at it soon" in html
    shown = reports.class_reports(services.require_staff(open_blog.teacher, open_blog.id))
    report = reports.report_for_staff(open_blog.teacher, shown.open[0].id)
    reports.decide_report(open_blog.teacher, report, uphold=False, note="It is kind, thanks.")
    db.session.commit()
    html = page_text(client.get(f"/sandbox/classes/{open_blog.id}"))
    assert "decided it can stay" in html and "It is kind, thanks." in html


def test_the_class_blog_page_uses_the_same_number_of_queries_for_few_and_many(
    open_blog, client, login_as, count_queries
):
    def add_posts(n: int) -> None:
        for i in range(n):
            author = [open_blog.ava, open_blog.noah, open_blog.isla][i % 3]
            post = services.save_post(author.user, open_blog.id, f"Post {i}", "Words", send=True)
            moderation.approve(open_blog.teacher, post)
            for j in range(3):
                comment = services.add_comment(open_blog.teacher, post, f"Comment {j}")
                assert comment.state is ItemState.APPROVED
            services.add_comment(open_blog.noah.user, post, "Waiting comment")
        db.session.commit()

    def count_for(user) -> int:
        db.session.expire_all()
        with count_queries() as counter:
            response = client.get(f"/sandbox/classes/{open_blog.id}")
        assert response.status_code == 200
        return counter.count

    add_posts(2)
    counts_few = {}
    for name, user in (
        ("teacher", open_blog.teacher),
        ("pupil", open_blog.noah.user),
        ("parent", open_blog.parent),
    ):
        login_as(user)
        counts_few[name] = count_for(user)
    add_posts(15)
    for name, user in (
        ("teacher", open_blog.teacher),
        ("pupil", open_blog.noah.user),
        ("parent", open_blog.parent),
    ):
        login_as(user)
        assert count_for(user) == counts_few[name], name


def test_a_refused_picture_is_explained_and_the_description_kept(open_blog, client, login_as):
    import io

    post = services.save_post(open_blog.ava.user, open_blog.id, "Art", "My picture", send=False)
    db.session.commit()
    login_as(open_blog.ava.user)
    response = client.post(
        f"/sandbox/posts/{post.id}/pictures",
        data={"image": (io.BytesIO(b"not a picture"), "drawing.png"), "description": "A cat"},
        content_type="multipart/form-data",
    )
    html = page_text(response)
    assert response.status_code == 200
    assert "JPEG or PNG" in html and 'value="A cat"' in html
    assert "My picture</textarea>" in html


def test_the_class_page_tile_links_to_the_blog(blog, client, login_as):
    login_as(blog.ava.user)
    html = page_text(client.get(f"/school/classes/{blog.id}"))
    assert f"/sandbox/classes/{blog.id}" in html and "Our class blog" in html


def test_a_teacher_passes_a_worrying_report_to_the_esafety_officer(open_blog, client, login_as):
    try:
        from esafety.safeguarding.services import receive_blog_report  # noqa: F401
    except ImportError:
        pytest.skip("esafety.safeguarding.services.receive_blog_report is not there yet")
    post = approved_post(open_blog)
    report = reports.report_item(open_blog.noah.user, post, "worries_me", "It scared me")
    db.session.commit()
    login_as(open_blog.teacher)
    queue = page_text(client.get(f"/sandbox/classes/{open_blog.id}/moderation"))
    assert "Pass to the e-safety officer" in queue
    response = client.post(
        f"/sandbox/reports/{report.id}/pass-on", data={"note": "Today", "revision": report.revision}
    )
    assert response.status_code == 302
    db.session.refresh(report)
    assert report.concern_id is not None and report.passed_on_at is not None
    queue = page_text(client.get(f"/sandbox/classes/{open_blog.id}/moderation"))
    assert "Passed to the e-safety officer on" in queue


def test_the_report_page_never_shows_writing_the_reader_may_not_see(open_blog, client, login_as):
    pending = services.save_post(open_blog.ava.user, open_blog.id, "Secret", "Not yet", send=True)
    db.session.commit()
    login_as(open_blog.noah.user)
    assert client.get(f"/sandbox/posts/{pending.id}/report").status_code == 404
    login_as(open_blog.other_pupil.user)
    assert client.get(f"/sandbox/posts/{pending.id}/report").status_code == 404
