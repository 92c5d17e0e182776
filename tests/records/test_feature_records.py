"""Lesson progress and bookings appear in subject-access exports and go when their time is up."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from sqlalchemy import select

from esafety.auth.roles import Role
from esafety.clock import today, utcnow
from esafety.extensions import db
from esafety.lessons.models import LessonProgress, QuizAnswer
from esafety.meetings.models import Audience, Booking, BookingStatus, Meeting
from esafety.records import retention
from esafety.records.subject_access import build_export
from esafety.school.models import YearGroup
from tests import factories


def _progress(pupil, lesson_id="y3-online-bullying"):
    db.session.add(LessonProgress(pupil_id=pupil.id, lesson_id=lesson_id, sections_read=2))
    db.session.add(
        QuizAnswer(pupil_id=pupil.id, lesson_id=lesson_id, question=0, answer=1, correct=True)
    )
    db.session.flush()


def _evening(ends_days_ago: int, creator) -> Meeting:
    ends = utcnow() - timedelta(days=ends_days_ago)
    meeting = Meeting(
        title="Staying safe with games",
        starts_at=ends - timedelta(hours=1),
        ends_at=ends,
        capacity=20,
        booking_opens_at=ends - timedelta(days=30),
        booking_closes_at=ends - timedelta(days=1),
        cancellation_deadline=ends - timedelta(days=1),
        audience=Audience.ALL_PARENTS,
        created_by_id=creator.id,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def test_a_pupils_export_holds_their_lesson_progress(school):
    pupil = school.pupils[YearGroup.YEAR_3][0]
    _progress(pupil)
    _, content = build_export(None, pupil.user)
    document = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("records.json"))
    assert document["records"]["Lesson progress"][0]["lesson_id"] == "y3-online-bullying"
    assert document["records"]["Quiz answers"][0]["correct"] is True


def test_progress_goes_a_year_after_the_pupil_leaves_and_bookings_a_year_after_the_evening(school):
    head = factories.make_user(Role.HEADTEACHER)
    left_long_ago, left_recently, still_here = school.pupils[YearGroup.YEAR_6]
    for pupil in (left_long_ago, left_recently, still_here):
        _progress(pupil)
    left_long_ago.left_on = today() - timedelta(days=400)
    left_recently.left_on = today() - timedelta(days=100)
    parent = factories.make_parent(still_here)
    old, recent = _evening(400, head), _evening(30, head)
    for meeting in (old, recent):
        db.session.add(
            Booking(
                meeting_id=meeting.id, parent_id=parent.id, places=1, status=BookingStatus.CONFIRMED
            )
        )
    db.session.commit()

    retention.apply(retention.find_due())
    db.session.commit()

    kept = set(db.session.scalars(select(LessonProgress.pupil_id)))
    assert kept == {left_recently.id, still_here.id}
    assert set(db.session.scalars(select(QuizAnswer.pupil_id))) == kept
    assert set(db.session.scalars(select(Booking.meeting_id))) == {recent.id}
