"""Booking rules, without HTTP: places, the waiting list, changes, cancellations, promotions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from esafety.audit import AuditEntry
from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.errors import DomainError, NotFoundError
from esafety.extensions import db
from esafety.meetings import bookings, for_parents, planning
from esafety.meetings.models import Audience, Booking, BookingStatus, Meeting
from esafety.school.models import YearGroup
from tests import factories
from tests.meetings.conftest import attachments, sent_mail


def _fresh(meeting: Meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


def _book(meeting, parent, places=1, notes=""):
    booking = bookings.book_places(meeting.id, parent.id, places, notes)
    db.session.commit()
    return booking


def _calendar(message) -> Calendar:
    files = attachments(message)
    assert len(files) == 1
    name, content = next(iter(files.items()))
    assert name.endswith(".ics")
    return Calendar.from_ical(content)


def test_a_booking_takes_places_and_emails_a_calendar_file(make_meeting, make_family):
    meeting = make_meeting(capacity=20)
    parent = make_family(email="ayesha@school.example")

    booking = _book(meeting, parent, places=2, notes="Wheelchair access, please")

    assert booking.status is BookingStatus.CONFIRMED
    assert booking.places == 2 and booking.notes == "Wheelchair access, please"
    assert _fresh(meeting).places_taken == 2
    [message] = sent_mail()
    assert message["To"] == "ayesha@school.example"
    assert "Your place is booked" in message["Subject"]
    assert "2 places" in message.get_body().get_content()
    event = _calendar(message).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART").replace(tzinfo=None) == meeting.starts_at
    assert str(event["LOCATION"]) == "School hall"
    audit = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "meetings.booking_made")
    )
    assert audit.actor_id == parent.id and audit.details["places"] == 2


def test_a_full_evening_puts_families_on_the_waiting_list_in_order(make_meeting, make_family):
    meeting = make_meeting(capacity=3, max_places_per_booking=3)
    _book(meeting, make_family(), places=3)
    first = _book(meeting, make_family(email="first@school.example"), places=1)
    second = _book(meeting, make_family(), places=2)

    assert first.status is BookingStatus.WAITLISTED
    assert bookings.waiting_position(first) == 1
    assert bookings.waiting_position(second) == 2
    assert _fresh(meeting).places_taken == 3
    waiting_mail = [m for m in sent_mail() if m["To"] == "first@school.example"][0]
    assert "waiting list" in waiting_mail["Subject"]
    assert "number 1" in waiting_mail.get_body().get_content()
    event = _calendar(waiting_mail).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "TENTATIVE"


def test_booking_twice_returns_the_same_booking(make_meeting, make_family):
    meeting = make_meeting()
    parent = make_family()
    first = _book(meeting, parent, places=1)
    again = _book(meeting, parent, places=3)

    assert again.id == first.id and again.places == 1
    assert db.session.scalar(select(func.count(Booking.id))) == 1
    assert _fresh(meeting).places_taken == 1
    assert len(sent_mail()) == 1


def test_the_database_refuses_a_second_active_booking(make_meeting, make_family):
    meeting = make_meeting()
    parent = make_family()
    _book(meeting, parent)
    db.session.add(
        Booking(
            meeting_id=meeting.id, parent_id=parent.id, places=1, status=BookingStatus.WAITLISTED
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_cancelled_booking_does_not_stop_booking_again(make_meeting, make_family):
    meeting = make_meeting()
    parent = make_family()
    first = _book(meeting, parent)
    bookings.cancel_booking(parent, first.id)
    db.session.commit()
    second = _book(meeting, parent, places=2)
    assert second.id != first.id and second.status is BookingStatus.CONFIRMED
    assert _fresh(meeting).places_taken == 2


def test_a_race_lost_on_the_unique_index_returns_the_winners_booking(
    make_meeting, make_family, monkeypatch
):
    """If a same-parent request slips past the check, the index stops it and nothing leaks."""
    meeting = make_meeting(capacity=5)
    parent = make_family()
    winner = _book(meeting, parent, places=1)
    real_lookup = bookings.active_booking_id
    calls = []

    def blind_first_time(meeting_id, parent_id):
        calls.append(1)
        return None if len(calls) == 1 else real_lookup(meeting_id, parent_id)

    monkeypatch.setattr(bookings, "active_booking_id", blind_first_time)
    result = bookings.book_places(meeting.id, parent.id, 2)
    db.session.commit()

    assert result.id == winner.id and result.places == 1
    assert _fresh(meeting).places_taken == 1
    assert db.session.scalar(select(func.count(Booking.id))) == 1
    assert len(sent_mail()) == 1


@pytest.mark.parametrize(
    ("places", "message"),
    [(4, "You can book up to 3 places"), (0, "at least 1 place"), (-2, "at least 1 place")],
)
def test_the_wrong_number_of_places_is_explained_and_nothing_is_saved(
    make_meeting, make_family, places, message
):
    meeting = make_meeting(max_places_per_booking=3)
    parent = make_family()
    with pytest.raises(bookings.TooManyPlaces) as error:
        bookings.book_places(meeting.id, parent.id, places)
    db.session.rollback()
    assert message in error.value.message and error.value.field == "places"
    assert db.session.scalar(select(func.count(Booking.id))) == 0
    assert _fresh(meeting).places_taken == 0


def test_booking_before_it_opens_or_after_it_closes_is_refused(make_meeting, make_family):
    now = utcnow()
    later = make_meeting(booking_opens_at=now + timedelta(days=2))
    closed = make_meeting(
        starts_at=now + timedelta(hours=5), booking_closes_at=now - timedelta(hours=1)
    )
    parent = make_family()

    with pytest.raises(bookings.BookingNotOpen) as early:
        bookings.book_places(later.id, parent.id, 1)
    db.session.rollback()
    assert "Booking opens on" in early.value.message and early.value.field == "places"

    with pytest.raises(bookings.BookingNotOpen) as late:
        bookings.book_places(closed.id, parent.id, 1)
    db.session.rollback()
    assert "Booking closed" in late.value.message
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_an_evening_for_other_year_groups_cannot_be_booked(make_meeting, make_family):
    meeting = make_meeting(
        audience=Audience.YEAR_GROUPS, year_groups=[YearGroup.YEAR_5, YearGroup.YEAR_6]
    )
    year_2_parent = make_family(YearGroup.YEAR_2)
    year_6_parent = make_family(YearGroup.YEAR_6)

    with pytest.raises(bookings.NotForThisParent) as error:
        bookings.book_places(meeting.id, year_2_parent.id, 1)
    db.session.rollback()
    assert "Year 5 and Year 6" in error.value.message
    assert error.value.field == "places"

    booking = _book(meeting, year_6_parent)
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.children_year_groups == "6"


def test_only_parents_can_book(make_meeting):
    meeting = make_meeting()
    teacher = factories.make_user(Role.TEACHER)
    with pytest.raises(NotFoundError):
        bookings.book_places(meeting.id, teacher.id, 1)
    db.session.rollback()


def test_notes_that_are_too_long_are_refused(make_meeting, make_family):
    meeting = make_meeting()
    with pytest.raises(DomainError) as error:
        bookings.book_places(meeting.id, make_family().id, 1, "x" * 501)
    db.session.rollback()
    assert error.value.field == "notes"


def test_a_cancellation_promotes_the_oldest_waiting_booking_and_emails_it(
    make_meeting, make_family
):
    meeting = make_meeting(capacity=2, max_places_per_booking=2)
    leaving = make_family()
    stays = make_family()
    booking = _book(meeting, leaving, places=1)
    _book(meeting, stays, places=1)
    oldest = _book(meeting, make_family(email="oldest@school.example"), places=1)
    younger = _book(meeting, make_family(email="younger@school.example"), places=1)
    before = len(sent_mail())

    bookings.cancel_booking(leaving, booking.id)
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(Booking, oldest.id).status is BookingStatus.CONFIRMED
    assert db.session.get(Booking, oldest.id).promoted_at is not None
    assert db.session.get(Booking, younger.id).status is BookingStatus.WAITLISTED
    assert bookings.waiting_position(db.session.get(Booking, younger.id)) == 1
    assert _fresh(meeting).places_taken == 2
    new = sent_mail()[before:]
    subjects = {m["To"]: m["Subject"] for m in new}
    assert "a place came free" in subjects["oldest@school.example"]
    assert "younger@school.example" not in subjects
    assert any("cancelled" in s for s in subjects.values())
    promoted = [m for m in new if m["To"] == "oldest@school.example"][0]
    assert str(_calendar(promoted).walk("VEVENT")[0]["STATUS"]) == "CONFIRMED"


def test_promotion_skips_a_booking_too_big_for_the_freed_places(make_meeting, make_family):
    meeting = make_meeting(capacity=3, max_places_per_booking=3)
    leaving = _book(meeting, (parent := make_family()), places=1)
    _book(meeting, make_family(), places=2)
    too_big = _book(meeting, make_family(), places=3)
    fits = _book(meeting, make_family(), places=1)

    bookings.cancel_booking(parent, leaving.id)
    db.session.commit()
    db.session.expire_all()

    assert db.session.get(Booking, too_big.id).status is BookingStatus.WAITLISTED
    assert db.session.get(Booking, fits.id).status is BookingStatus.CONFIRMED
    assert _fresh(meeting).places_taken == 3


def test_reducing_places_promotes_and_increasing_needs_free_places(make_meeting, make_family):
    meeting = make_meeting(capacity=4, max_places_per_booking=3)
    parent = make_family()
    mine = _book(meeting, parent, places=3)
    _book(meeting, make_family(), places=1)
    waiting = _book(meeting, make_family(), places=2)

    with pytest.raises(bookings.TooManyPlaces) as error:
        bookings.change_booking(parent, mine.id, 4)
    db.session.rollback()
    assert "up to 3 places" in error.value.message

    bookings.change_booking(parent, mine.id, 1, "Coming alone now")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Booking, mine.id).places == 1
    assert db.session.get(Booking, mine.id).notes == "Coming alone now"
    assert db.session.get(Booking, waiting.id).status is BookingStatus.CONFIRMED
    assert _fresh(meeting).places_taken == 4

    with pytest.raises(bookings.TooManyPlaces) as error:
        bookings.change_booking(parent, mine.id, 2)
    db.session.rollback()
    assert "no more places" in error.value.message
    assert _fresh(meeting).places_taken == 4
    assert db.session.get(Booking, mine.id).places == 1


def test_a_change_sends_a_calendar_file_that_replaces_the_old_one(make_meeting, make_family):
    meeting = make_meeting()
    parent = make_family(email="changer@school.example")
    booking = _book(meeting, parent, places=1)
    bookings.change_booking(parent, booking.id, 2)
    db.session.commit()

    first, second = sent_mail()
    assert "has changed" in second["Subject"]
    old = _calendar(first).walk("VEVENT")[0]
    new = _calendar(second).walk("VEVENT")[0]
    assert str(old["UID"]) == str(new["UID"])
    assert int(new["SEQUENCE"]) > int(old["SEQUENCE"])


def test_cancelling_sends_a_calendar_file_that_removes_the_event(make_meeting, make_family):
    meeting = make_meeting()
    parent = make_family()
    booking = _book(meeting, parent)
    bookings.cancel_booking(parent, booking.id)
    db.session.commit()
    message = sent_mail()[-1]
    calendar = _calendar(message)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"


def test_after_the_deadline_parents_cannot_change_but_the_office_can_cancel(
    make_meeting, make_family, officer
):
    meeting = make_meeting(capacity=2, max_places_per_booking=2)
    parent = make_family()
    booking = _book(meeting, parent, places=2)
    waiting = _book(meeting, make_family(), places=1)
    meeting = _fresh(meeting)
    meeting.cancellation_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()

    for attempt in (
        lambda: bookings.change_booking(parent, booking.id, 1),
        lambda: bookings.cancel_booking(parent, booking.id),
    ):
        with pytest.raises(bookings.TooLateToChange) as error:
            attempt()
        db.session.rollback()
        assert "Changes closed on" in error.value.message
        assert "school office" in error.value.message

    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED
    bookings.cancel_booking(officer, booking.id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CANCELLED
    assert db.session.get(Booking, waiting.id).status is BookingStatus.CONFIRMED
    assert (
        "office has cancelled"
        in [m for m in sent_mail() if "cancelled" in m["Subject"]][0].get_body().get_content()
    )


def test_a_waiting_family_can_leave_the_list_after_the_deadline(make_meeting, make_family):
    meeting = make_meeting(capacity=1, max_places_per_booking=1)
    _book(meeting, make_family())
    parent = make_family()
    waiting = _book(meeting, parent)
    meeting = _fresh(meeting)
    meeting.cancellation_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    bookings.cancel_booking(parent, waiting.id)
    db.session.commit()
    assert _fresh(meeting).places_taken == 1
    assert db.session.get(Booking, waiting.id).status is BookingStatus.CANCELLED


def test_a_parent_cannot_touch_another_familys_booking(make_meeting, make_family):
    meeting = make_meeting()
    booking = _book(meeting, make_family())
    stranger = make_family()
    with pytest.raises(NotFoundError):
        bookings.cancel_booking(stranger, booking.id)
    db.session.rollback()
    with pytest.raises(NotFoundError):
        bookings.get_booking(stranger, booking.id)
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED


def test_a_rolled_back_booking_sends_no_email(make_meeting, make_family):
    meeting = make_meeting()
    bookings.book_places(meeting.id, make_family().id, 1)
    db.session.rollback()
    db.session.commit()
    assert sent_mail() == []
    assert _fresh(meeting).places_taken == 0


def test_making_an_evening_bigger_promotes_the_waiting_list(make_meeting, make_family, officer):
    from tests.meetings.conftest import details

    meeting = make_meeting(capacity=1, max_places_per_booking=1)
    _book(meeting, make_family())
    waiting = _book(meeting, make_family())
    planning.update_meeting(
        officer,
        meeting.id,
        details(capacity=2, max_places_per_booking=1, starts_at=meeting.starts_at),
    )
    db.session.commit()
    assert db.session.get(Booking, waiting.id).status is BookingStatus.CONFIRMED


def test_moving_an_evening_emails_everyone_booked_a_new_calendar_file(
    make_meeting, make_family, officer
):
    from tests.meetings.conftest import details

    meeting = make_meeting(capacity=1, max_places_per_booking=1)
    booked = _book(meeting, make_family(email="booked@school.example"))
    _book(meeting, make_family(email="waits@school.example"))
    before = len(sent_mail())
    new_start = meeting.starts_at + timedelta(days=1)
    planning.update_meeting(
        officer,
        meeting.id,
        details(capacity=1, max_places_per_booking=1, starts_at=new_start, location="The library"),
    )
    db.session.commit()
    moved = sent_mail()[before:]
    assert {m["To"] for m in moved} == {"booked@school.example", "waits@school.example"}
    event = _calendar(moved[0]).walk("VEVENT")[0]
    assert event.decoded("DTSTART").replace(tzinfo=None) == new_start
    assert str(event["LOCATION"]) == "The library"
    assert int(event["SEQUENCE"]) >= 1
    assert db.session.get(Booking, booked.id).status is BookingStatus.CONFIRMED


def test_an_evening_cannot_shrink_below_the_places_booked(make_meeting, make_family, officer):
    from tests.meetings.conftest import details

    meeting = make_meeting(capacity=5)
    _book(meeting, make_family(), places=3)
    with pytest.raises(planning.DetailsProblems) as error:
        planning.update_meeting(officer, meeting.id, details(capacity=2))
    db.session.rollback()
    assert "3 places are already booked" in error.value.problems["capacity"]
    assert _fresh(meeting).capacity == 5


def test_every_problem_with_an_evening_is_listed_beside_its_field(officer):
    from tests.meetings.conftest import details

    now = utcnow()
    bad = details(
        title=" ",
        ends_at=now,
        starts_at=now + timedelta(days=3),
        location="",
        online_url="ftp://example.org",
        capacity=2,
        max_places_per_booking=3,
        booking_closes_at=now + timedelta(days=4),
        cancellation_deadline=now + timedelta(days=5),
        audience=Audience.YEAR_GROUPS,
        year_groups=[],
    )
    with pytest.raises(planning.DetailsProblems) as error:
        planning.create_meeting(officer, bad)
    db.session.rollback()
    assert set(error.value.problems) == {
        "title",
        "ends_at",
        "online_url",
        "max_places_per_booking",
        "booking_closes_at",
        "cancellation_deadline",
        "year_groups",
    }
    assert db.session.scalar(select(func.count(Meeting.id))) == 0


def test_only_the_staff_who_run_evenings_can_arrange_them():
    from tests.meetings.conftest import details

    teacher = factories.make_user(Role.TEACHER)
    with pytest.raises(DomainError) as error:
        planning.create_meeting(teacher, details())
    assert error.value.status == 403


def test_the_description_is_sanitised_once_when_saved(make_meeting):
    meeting = make_meeting(
        description="Hello <script>alert(1)</script> [click](javascript:alert(1)) **bold**"
    )
    assert "<script" not in meeting.description_html
    assert 'href="javascript' not in meeting.description_html
    assert "<strong>bold</strong>" in meeting.description_html
    assert meeting.description_source.startswith("Hello <script>")


def test_parents_see_only_the_evenings_meant_for_them(make_meeting, make_family):
    everyone = make_meeting(title="For everyone")
    juniors = make_meeting(
        title="For Years 5 and 6",
        audience=Audience.YEAR_GROUPS,
        year_groups=[YearGroup.YEAR_5, YearGroup.YEAR_6],
    )
    make_meeting(title="Long ago", starts_at=utcnow() - timedelta(days=30))
    infant_parent = make_family(YearGroup.RECEPTION)
    junior_parent = make_family(YearGroup.YEAR_5)

    infant_titles = [e.meeting.title for e in for_parents.evenings_for_parent(infant_parent)]
    junior = for_parents.evenings_for_parent(junior_parent)
    assert infant_titles == ["For everyone"]
    assert {e.meeting.id for e in junior} == {everyone.id, juniors.id}
    assert all(e.can_book for e in junior)
    past = for_parents.evenings_for_parent(junior_parent, past=True)
    assert [e.meeting.title for e in past] == ["Long ago"]


def test_the_office_cannot_cancel_a_booking_the_family_changed_after_the_list_was_shown(
    officer, make_meeting, make_family
):
    from esafety.concurrency import StaleDecision

    meeting = make_meeting(capacity=10, max_places_per_booking=3)
    parent = make_family()
    booking = bookings.book_places(meeting.id, parent.id, 1)
    db.session.commit()
    on_the_list = booking.revision
    bookings.change_booking(parent, booking.id, 3)
    db.session.commit()
    with pytest.raises(StaleDecision):
        bookings.cancel_booking(officer, booking.id, seen=on_the_list)
    db.session.rollback()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CONFIRMED
    bookings.cancel_booking(officer, booking.id, seen=db.session.get(Booking, booking.id).revision)
    db.session.commit()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CANCELLED
