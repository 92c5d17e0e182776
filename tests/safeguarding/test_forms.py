"""The forms people fill in: re-shown with what they typed and a message beside the field."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import func, select

from esafety.extensions import db
from esafety.safeguarding import services
from esafety.safeguarding.models import Concern, ConcernKind, ConcernSource, Evidence
from esafety.school.models import YearGroup

from .conftest import pdf_bytes, png_bytes

FORM = {
    "urgency": "routine",
    "kind": "cyber_bullying",
    "involved": "adult_outside",
    "pupil_id": "",
    "staff_member_id": "",
    "names": "The man from the football page",
    "platform": "Facebook",
    "link": "https://social.example/post/9",
    "occurred_on": "2026-03-02",
    "occurred_time": "18:45",
    "description": "He wrote horrible things about our class teacher under the match photo.",
}


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_parent_reports_a_concern_with_evidence(client, login_as, people):
    login_as(people.parent)
    data = {
        **FORM,
        "material": ["abusive"],
        "evidence": [
            (io.BytesIO(png_bytes()), "shot.png"),
            (io.BytesIO(pdf_bytes()), "page.pdf"),
        ],
    }
    response = client.post("/safeguarding/report", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    concern = db.session.scalar(select(Concern))
    assert response.headers["Location"].endswith(f"/safeguarding/thank-you/{concern.id}")
    assert concern.reporter_id == people.parent.id and concern.consider_police
    assert [e.original_name for e in concern.evidence] == ["shot.png", "page.pdf"]
    page = client.get(response.headers["Location"]).data.decode()
    assert "has been received" in page and concern.reference in page
    assert people.slt.full_name in page, "the reporter is told who will read it"


def test_a_governor_with_no_pupils_to_name_reports_a_concern(client, login_as, people):
    login_as(people.governor)
    page = client.get("/safeguarding/report").data.decode()
    assert 'name="pupil_id"' not in page
    data = {k: v for k, v in FORM.items() if k != "pupil_id"}
    response = client.post("/safeguarding/report", data=data)
    assert response.status_code == 302, response.data.decode()
    assert db.session.scalar(select(Concern.reporter_id)) == people.governor.id


def test_a_failed_evidence_upload_keeps_the_words_and_leaves_nothing_behind(
    app, client, login_as, people
):
    login_as(people.parent)
    data = {
        **FORM,
        "evidence": [
            (io.BytesIO(png_bytes()), "good.png"),
            (io.BytesIO(b"MZ\x90\x00 this is a program"), "bad.jpg"),
        ],
    }
    response = client.post("/safeguarding/report", data=data, content_type="multipart/form-data")
    page = response.data.decode()
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(Concern.id))) == 0
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert _files(Path(app.config["UPLOAD_FOLDER"])) == []
    # The text comes back, and the message sits beside the evidence field.
    assert FORM["description"] in page
    assert FORM["names"] in page and FORM["platform"] in page and FORM["link"] in page
    assert 'value="2026-03-02"' in page and 'value="18:45"' in page
    assert 'id="evidence-error"' in page and "bad.jpg" in page
    assert "choose the files again" in page
    assert 'type="radio" value="adult_outside"' in page
    assert '<input checked id="involved-2" name="involved" required type="radio"' in page


def test_a_missing_description_is_explained_and_the_rest_kept(client, login_as, people):
    login_as(people.y5_teacher)
    response = client.post("/safeguarding/report", data={**FORM, "description": ""})
    page = response.data.decode()
    assert response.status_code == 200
    assert "Say what happened" in page and 'id="description-error"' in page
    assert FORM["names"] in page
    assert db.session.scalar(select(func.count(Concern.id))) == 0


def test_a_bad_link_is_explained(client, login_as, people):
    login_as(people.y5_teacher)
    page = client.post("/safeguarding/report", data={**FORM, "link": "not a link"}).data.decode()
    assert 'id="link-error"' in page and FORM["description"] in page


def test_staff_see_a_reminder_not_to_retaliate_and_parents_pick_only_their_child(
    client, login_as, people
):
    login_as(people.y5_teacher)
    page = client.get("/safeguarding/report").data.decode()
    assert "do not respond or retaliate" in page
    login_as(people.parent)
    page = client.get("/safeguarding/report").data.decode()
    assert "retaliate" not in page
    assert people.child.first_name in page
    other = people.school.pupils[YearGroup.YEAR_2][0]
    assert other.last_name not in page


def test_pupils_are_sent_to_tell_a_teacher_and_adults_to_the_full_form(client, login_as, people):
    login_as(people.child.user)
    assert client.get("/safeguarding/report").headers["Location"].endswith("/safeguarding/tell")
    login_as(people.parent)
    assert client.get("/safeguarding/tell").headers["Location"].endswith("/safeguarding/report")


def test_tell_a_teacher_says_who_will_read_it(client, login_as, people):
    login_as(people.child.user)
    page = client.get("/safeguarding/tell").data.decode()
    assert "pupil-mode" in page
    # The truth: only the safeguarding team reads it (here, without a DSL, the e-safety officer).
    assert people.officer.full_name in page and people.y5_teacher.full_name not in page
    assert "It is about someone at school" in page
    for choice in services.TellChoice:
        assert choice.label.replace("'", "&#39;") in page
        assert f"img/safeguarding/{choice.value}.svg" in page


def test_tell_a_teacher_without_a_picture_keeps_the_words(client, login_as, people):
    login_as(people.child.user)
    response = client.post("/safeguarding/tell", data={"words": "it was on the game chat"})
    page = response.data.decode()
    assert "Tap the picture that fits best" in page
    assert "it was on the game chat" in page
    assert db.session.scalar(select(func.count(Concern.id))) == 0


def test_a_pupil_tells_a_teacher_and_is_thanked(client, login_as, people):
    login_as(people.child.user)
    response = client.post(
        "/safeguarding/tell", data={"choice": "unkind", "words": "they called me names"}
    )
    concern = db.session.scalar(select(Concern))
    assert response.headers["Location"].endswith(f"/safeguarding/thank-you/{concern.id}")
    assert concern.source is ConcernSource.TELL_A_TEACHER
    assert concern.kind is ConcernKind.CYBER_BULLYING
    page = client.get(response.headers["Location"]).data.decode()
    assert "You did the right thing" in page and people.officer.full_name in page
    assert people.y5_teacher.full_name not in page


def test_nobody_sees_someone_elses_thank_you_page(client, login_as, people):
    concern = services.tell_a_teacher(people.child.user, services.TellChoice.UPSET)
    db.session.commit()
    login_as(people.parent)
    assert client.get(f"/safeguarding/thank-you/{concern.id}").status_code == 404


def test_the_reporter_sees_received_and_closed_but_never_the_notes(client, login_as, people):
    concern = services.tell_a_teacher(people.child.user, services.TellChoice.UNKIND, "mean chat")
    services.record_action(people.officer, concern, services.ActionKind.NOTE, "SECRET HANDLER NOTE")
    db.session.commit()
    login_as(people.child.user)
    page = client.get("/safeguarding/mine").data.decode()
    assert "Someone was unkind to me online" in page and "Received" in page
    assert "SECRET HANDLER NOTE" not in page and "Closed" not in page
    services.resolve(people.officer, concern, "SECRET OUTCOME spoke with both families")
    db.session.commit()
    page = client.get("/safeguarding/mine").data.decode()
    assert "Closed" in page and concern.closed_at.strftime("%d %b %Y") in page
    assert "SECRET" not in page


def test_the_class_page_and_footer_invite_a_pupil_to_tell_a_teacher(client, login_as, people):
    login_as(people.child.user)
    page = client.get(f"/school/classes/{people.child.class_id}").data.decode()
    assert 'href="/safeguarding/tell"' in page and "Tell a teacher" in page
    assert "Report a concern" not in page
    login_as(people.parent)
    page = client.get("/").data.decode()
    assert 'href="/safeguarding/report">Report a concern</a>' in page


def test_leaders_see_the_concerns_link_and_others_do_not(client, login_as, people):
    login_as(people.officer)
    assert 'href="/safeguarding/concerns"' in client.get("/").data.decode()
    login_as(people.y5_teacher)
    assert 'href="/safeguarding/concerns"' not in client.get("/").data.decode()


def test_no_inline_script_or_style_on_safeguarding_pages(client, login_as, people):
    concern = services.tell_a_teacher(people.child.user, services.TellChoice.UNKIND)
    db.session.commit()
    login_as(people.child.user)
    pages = ["/safeguarding/tell", "/safeguarding/mine", f"/safeguarding/thank-you/{concern.id}"]
    for url in pages:
        html = client.get(url).data.decode()
        assert "<script>" not in html and " style=" not in html and "onclick" not in html, url
    login_as(people.officer)
    for url in [
        "/safeguarding/report",
        "/safeguarding/concerns",
        f"/safeguarding/concerns/{concern.id}",
        "/safeguarding/register",
        "/safeguarding/review",
    ]:
        html = client.get(url).data.decode()
        assert "<script>" not in html and " style=" not in html and "onclick" not in html, url
