"""Removing a pupil who has left: writing and lesson work go, the name goes, the rest stays."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from esafety import audit
from esafety.audit import AuditEntry
from esafety.auth.models import User
from esafety.auth.roles import Role
from esafety.clock import today
from esafety.errors import DomainError
from esafety.extensions import db
from esafety.lessons.models import LessonProgress, QuizAnswer
from esafety.photos import storage as images
from esafety.photos.models import BlogImage
from esafety.records import erasure, services
from esafety.safeguarding.models import Concern, Evidence
from esafety.sandbox import reports
from esafety.sandbox import services as blog
from esafety.sandbox.models import BlogComment, BlogPost, BlogReport
from esafety.school.models import Pupil, YearGroup
from tests import factories
from tests.records import builders


@dataclass
class Leaver:
    pupil: Pupil
    classmate: Pupil
    teacher: User
    post_id: int
    drawing_file: Path
    classmate_post_id: int
    classmate_drawing_file: Path
    report_they_made_id: int
    born: date


def _progress(pupil: Pupil) -> None:
    db.session.add(
        LessonProgress(
            pupil_id=pupil.id,
            lesson_id="y6-digital-footprint",
            sections_read=3,
            questions_right=2,
            completed_at=today(),
        )
    )
    for question in (0, 1):
        db.session.add(
            QuizAnswer(
                pupil_id=pupil.id,
                lesson_id="y6-digital-footprint",
                question=question,
                answer=1,
                correct=True,
            )
        )


@pytest.fixture
def leaver(school) -> Leaver:
    """A Year 6 pupil who wrote, drew, commented and reported, then left a month ago."""
    teacher = school.teachers[YearGroup.YEAR_6]
    pupil, classmate, _ = school.pupils[YearGroup.YEAR_6]
    born = pupil.date_of_birth
    blog.open_window(teacher, pupil.class_id, None)
    post = builders.post_with_drawing(teacher, pupil, "My last week")
    builders.comment_on(teacher, classmate, post, "See you soon!")
    reports.report_item(classmate.user, post, "something_else", "A word is spelt wrong.")
    classmate_post = builders.post_with_drawing(teacher, classmate, "Sports day")
    theirs = builders.comment_on(teacher, pupil, classmate_post, "Well run!")
    builders.comment_on(teacher, classmate, classmate_post, "We won the relay.")
    reports.report_item(classmate.user, theirs, "unkind", "")
    made = reports.report_item(pupil.user, classmate_post, "worries_me", "I was sad.")
    _progress(pupil)
    _progress(classmate)
    pupil.left_on = today() - timedelta(days=30)
    db.session.commit()
    return Leaver(
        pupil=pupil,
        classmate=classmate,
        teacher=teacher,
        post_id=post.id,
        drawing_file=images.path_of(builders.stored_pictures(post)[0].stored_name),
        classmate_post_id=classmate_post.id,
        classmate_drawing_file=images.path_of(
            builders.stored_pictures(classmate_post)[0].stored_name
        ),
        report_they_made_id=made.id,
        born=born,
    )


def _concern_raised_before_they_left(leaver: Leaver, **kwargs) -> Concern:
    left_on, leaver.pupil.left_on = leaver.pupil.left_on, None
    db.session.flush()
    concern = builders.concern_about(leaver.teacher, leaver.pupil, **kwargs)
    leaver.pupil.left_on = left_on
    return concern


def _erase(actor, pupil: Pupil) -> erasure.Erasure:
    result = erasure.erase_leaver(actor, pupil)
    db.session.commit()
    return result


def _erased_entry() -> dict:
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "records.leaver_erased")
    )
    return json.loads(entry.detail)


def test_their_blog_writing_and_drawings_go_with_the_files_and_the_counts_stay(leaver):
    office = factories.make_user(Role.OFFICE_ADMIN)
    user_id = leaver.pupil.user_id
    assert leaver.drawing_file.exists()

    result = _erase(office, leaver.pupil)

    assert result.counts["posts"] == 1
    assert result.counts["comments"] == 1
    assert result.counts["comments_by_others_on_their_posts"] == 1
    assert result.counts["drawings"] == 1 and result.counts["files"] == 1
    assert db.session.scalars(select(BlogPost.id).where(BlogPost.author_id == user_id)).all() == []
    assert db.session.scalars(select(BlogComment.author_id)).all() == [leaver.classmate.user_id]
    assert not leaver.drawing_file.exists()
    assert leaver.classmate_drawing_file.exists()
    assert db.session.get(BlogPost, leaver.classmate_post_id) is not None
    assert set(db.session.scalars(select(BlogImage.post_id))) == {leaver.classmate_post_id}
    # Reports about their writing went with it; the one they made stays, under no name.
    assert db.session.scalars(select(BlogReport.id)).all() == [leaver.report_they_made_id]
    detail = _erased_entry()
    assert detail["posts"] == 1 and detail["drawings"] == 1
    assert "Former" not in json.dumps(detail)


def test_their_lesson_answers_go_and_the_audit_keeps_how_many(leaver):
    _erase(None, leaver.pupil)

    assert set(db.session.scalars(select(LessonProgress.pupil_id))) == {leaver.classmate.id}
    assert set(db.session.scalars(select(QuizAnswer.pupil_id))) == {leaver.classmate.id}
    detail = _erased_entry()
    assert (detail["lessons_started"], detail["lessons_completed"], detail["quiz_answers"]) == (
        1,
        1,
        2,
    )


def test_their_name_is_replaced_their_login_closed_and_birthday_blurred(leaver):
    user_id, first_name = leaver.pupil.user_id, leaver.pupil.first_name
    _erase(None, leaver.pupil)

    db.session.expire_all()
    user = db.session.get(User, user_id)
    pupil = db.session.scalar(select(Pupil).where(Pupil.user_id == user_id))
    assert (user.first_name, user.last_name) == ("Former", "pupil")
    assert (pupil.first_name, pupil.last_name) == ("Former", "pupil")
    assert pupil.date_of_birth == date(leaver.born.year, 1, 1)
    assert not user.active and user.picture_hash is None
    assert not any(first_name in (e.detail or "") for e in audit.recent())


def test_a_safeguarding_concern_about_them_keeps_their_birthday_and_is_not_touched(leaver):
    factories.make_user(Role.ESAFETY_OFFICER)
    concern = _concern_raised_before_they_left(leaver)
    db.session.commit()
    concern_id, description = concern.id, concern.description
    evidence = db.session.scalar(select(Evidence).where(Evidence.concern_id == concern_id))
    evidence_file = Path(current_app.config["UPLOAD_FOLDER"]) / evidence.stored_path

    _erase(None, leaver.pupil)

    db.session.expire_all()
    kept = db.session.get(Concern, concern_id)
    assert kept.description == description and kept.pupil_id == leaver.pupil.id
    assert evidence_file.exists()
    assert leaver.pupil.date_of_birth == leaver.born
    assert _erased_entry()["date_of_birth_kept"] is True


def test_only_a_pupil_who_has_left_can_be_erased(school):
    pupil = school.pupils[YearGroup.YEAR_2][0]
    with pytest.raises(DomainError, match="who has left"):
        erasure.erase_leaver(None, pupil)
    assert pupil.first_name != "Former"


@pytest.mark.parametrize("hold_on", ["person", "concern"])
def test_a_legal_hold_stops_erasure(leaver, hold_on):
    office = factories.make_user(Role.OFFICE_ADMIN)
    factories.make_user(Role.ESAFETY_OFFICER)
    if hold_on == "person":
        hold = services.place_hold(office, reason="Claim", user_id=leaver.pupil.user_id)
    else:
        concern = _concern_raised_before_they_left(leaver, with_evidence=False)
        hold = services.place_hold(office, reason="Police", concern_id=concern.id)
    db.session.commit()

    with pytest.raises(DomainError, match="legal hold"):
        erasure.erase_leaver(office, leaver.pupil)
    db.session.rollback()
    assert db.session.get(BlogPost, leaver.post_id) is not None
    assert leaver.drawing_file.exists()

    services.lift_hold(office, hold)
    db.session.commit()
    _erase(office, leaver.pupil)
    assert db.session.get(BlogPost, leaver.post_id) is None


# --- The page and the command -------------------------------------------------------------


def test_the_office_sees_the_button_only_for_a_pupil_who_has_left(client, login_as, leaver):
    login_as(Role.OFFICE_ADMIN)
    page = client.get(f"/records/people/{leaver.pupil.user_id}/edit")
    assert b"Remove their records" in page.data
    still_here = leaver.classmate
    page = client.get(f"/records/people/{still_here.user_id}/edit")
    assert page.status_code == 200 and b"Remove their records" not in page.data


def test_erasing_needs_the_box_ticked_then_removes_the_records(client, login_as, leaver):
    login_as(Role.OFFICE_ADMIN)
    url = f"/records/people/{leaver.pupil.user_id}/erase"
    response = client.post(url, data={})
    assert response.status_code == 200
    assert b"Tick the box to confirm" in response.data
    assert db.session.get(BlogPost, leaver.post_id) is not None

    response = client.post(url, data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(BlogPost, leaver.post_id) is None
    assert not leaver.drawing_file.exists()
    assert db.session.get(User, leaver.pupil.user_id).first_name == "Former"


def test_the_page_explains_a_refusal(client, login_as, leaver):
    office = login_as(Role.OFFICE_ADMIN)
    services.place_hold(office, reason="Claim", user_id=leaver.pupil.user_id)
    db.session.commit()
    response = client.post(f"/records/people/{leaver.pupil.user_id}/erase", data={"confirm": "y"})
    assert response.status_code == 200
    assert b"legal hold covers" in response.data
    assert db.session.get(BlogPost, leaver.post_id) is not None


@pytest.mark.parametrize(
    "role", [Role.TEACHER, Role.SLT, Role.GOVERNOR, Role.ESAFETY_OFFICER, Role.PARENT, Role.PUPIL]
)
def test_only_the_office_and_headteacher_may_erase(client, login_as, leaver, role):
    login_as(role)
    response = client.post(f"/records/people/{leaver.pupil.user_id}/erase", data={"confirm": "y"})
    assert response.status_code == 403
    assert db.session.get(BlogPost, leaver.post_id) is not None


def test_the_headteacher_may_erase(client, login_as, leaver):
    login_as(Role.HEADTEACHER)
    response = client.post(f"/records/people/{leaver.pupil.user_id}/erase", data={"confirm": "y"})
    assert response.status_code == 302


def test_the_command_erases_a_leaver_by_reference(app, leaver):
    runner = app.test_cli_runner()
    reference = leaver.pupil.reference
    result = runner.invoke(args=["erase-leaver", reference])
    assert result.exit_code == 0, result.output
    assert "posts: 1" in result.output and "drawings: 1" in result.output
    db.session.expire_all()
    assert db.session.get(BlogPost, leaver.post_id) is None
    assert not leaver.drawing_file.exists()

    missing = runner.invoke(args=["erase-leaver", "NOBODY"])
    assert missing.exit_code != 0 and "No pupil has the reference NOBODY" in missing.output


def test_the_command_refuses_a_pupil_still_at_school(app, school):
    pupil = school.pupils[YearGroup.YEAR_1][0]
    result = app.test_cli_runner().invoke(args=["erase-leaver", pupil.reference])
    assert result.exit_code != 0 and "who has left" in result.output


def test_the_page_says_why_a_pupil_still_at_school_cannot_be_erased(client, login_as, school):
    login_as(Role.OFFICE_ADMIN)
    pupil = school.pupils[YearGroup.YEAR_3][0]
    response = client.post(f"/records/people/{pupil.user_id}/erase", data={"confirm": "y"})
    assert response.status_code == 200
    assert b"Only a pupil who has left the school" in response.data
    assert db.session.get(User, pupil.user_id).first_name != "Former"
