"""The e-safety evening pages: who may open them, forms that keep what was typed, the door."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.extensions import db
from esafety.meetings import bookings, door, figures
from esafety.meetings.models import Audience, Booking, BookingStatus, Meeting, MeetingResource
from esafety.school.models import YearGroup
from tests import factories
from tests.meetings.conftest import sent_mail

STAFF_PAGES = [
    "/meetings/manage",
    "/meetings/manage/new",
    "/meetings/manage/{id}",
    "/meetings/manage/{id}/edit",
    "/meetings/manage/{id}/register",
    "/meetings/manage/{id}/check-in",
    "/meetings/manage/{id}/attendance",
    "/meetings/manage/{id}/bookings.csv",
    "/meetings/manage/{id}/email",
    "/meetings/manage/{id}/resources",
]


@pytest.mark.parametrize("path", STAFF_PAGES)
@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ESAFETY_OFFICER, True),
        (Role.HEADTEACHER, True),
        (Role.SLT, True),
        (Role.OFFICE_ADMIN, True),
        (Role.TEACHER, False),
        (Role.GOVERNOR, False),
        (Role.PARENT, False),
        (Role.COMPUTING_LEAD, False),
    ],
)
def test_only_the_staff_who_run_evenings_open_the_staff_pages(
    client, login_as, make_meeting, path, role, allowed
):
    meeting = make_meeting()
    login_as(role)
    response = client.get(path.format(id=meeting.id))
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.GOVERNOR, 200),
        (Role.HEADTEACHER, 200),
        (Role.COMPUTING_LEAD, 200),
        (Role.OFFICE_ADMIN, 200),
        (Role.PARENT, 403),
        (Role.TEACHER, 403),
        (Role.PUPIL, 403),
    ],
)
def test_the_summary_is_for_leaders_and_governors(client, login_as, role, status):
    login_as(role)
    assert client.get("/meetings/summary").status_code == status


@pytest.mark.parametrize("path", ["/meetings/", "/meetings/{id}/book"])
@pytest.mark.parametrize("role", [Role.TEACHER, Role.PUPIL, Role.GOVERNOR])
def test_booking_pages_are_for_parents(client, login_as, make_meeting, path, role):
    meeting = make_meeting()
    login_as(role)
    assert client.get(path.format(id=meeting.id)).status_code == 403


def test_a_parent_books_from_the_home_page_in_two_taps(client, login_as, make_meeting, make_family):
    meeting = make_meeting(title="Online gaming: what to know")
    parent = login_as(make_family())

    home = client.get("/").get_data(as_text=True)
    assert "Online gaming: what to know" in home
    assert f'href="/meetings/{meeting.id}/book"' in home

    page = client.get(f"/meetings/{meeting.id}/book").get_data(as_text=True)
    assert 'value="1"' in page and "Confirm booking" in page

    response = client.post(f"/meetings/{meeting.id}/book", data={"places": "1"})
    booking = db.session.scalar(select(Booking).where(Booking.parent_id == parent.id))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/bookings/{booking.id}")
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are booked" in shown and "Booked" in shown and "1 place" in shown

    ics = client.get(f"/meetings/bookings/{booking.id}/calendar.ics")
    assert ics.status_code == 200
    assert ics.mimetype == "text/calendar"
    assert b"BEGIN:VEVENT" in ics.data and b"Online gaming" in ics.data
    assert "attachment" in ics.headers["Content-Disposition"]


def test_a_second_press_of_confirm_goes_to_the_same_booking_without_another_email(
    client, login_as, make_meeting, make_family
):
    meeting = make_meeting()
    login_as(make_family())
    first = client.post(f"/meetings/{meeting.id}/book", data={"places": "1"})
    again = client.post(f"/meetings/{meeting.id}/book", data={"places": "2"})
    assert again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert db.session.scalar(select(func.count(Booking.id))) == 1
    assert db.session.scalar(select(Booking.places)) == 1
    assert len(sent_mail()) == 1


def test_too_many_places_is_explained_beside_the_field_and_the_note_is_kept(
    client, login_as, make_meeting, make_family
):
    meeting = make_meeting(max_places_per_booking=2)
    login_as(make_family())
    response = client.post(
        f"/meetings/{meeting.id}/book", data={"places": "5", "notes": "We need a ramp"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="places-error"' in page and "You can book up to 2 places" in page
    assert 'value="5"' in page and "We need a ramp" in page
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_a_number_that_is_not_a_number_is_kept_and_explained(
    client, login_as, make_meeting, make_family
):
    meeting = make_meeting()
    login_as(make_family())
    response = client.post(f"/meetings/{meeting.id}/book", data={"places": "two"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="two"' in page and 'id="places-error"' in page


def test_an_evening_for_other_year_groups_says_so_and_offers_no_button(
    client, login_as, make_meeting, make_family
):
    meeting = make_meeting(audience=Audience.YEAR_GROUPS, year_groups=[YearGroup.YEAR_6])
    login_as(make_family(YearGroup.YEAR_1))
    page = client.get(f"/meetings/{meeting.id}/book").get_data(as_text=True)
    assert "parents and carers of children in Year 6" in page
    assert "Confirm booking" not in page
    response = client.post(f"/meetings/{meeting.id}/book", data={"places": "1"})
    assert response.status_code == 400
    assert "cannot be booked from your account" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_booking_before_it_opens_is_explained(client, login_as, make_meeting, make_family):
    meeting = make_meeting(booking_opens_at=utcnow() + timedelta(days=2))
    login_as(make_family())
    page = client.get(f"/meetings/{meeting.id}/book").get_data(as_text=True)
    assert "Booking opens on" in page and "Confirm booking" not in page


def test_a_parent_cannot_see_another_familys_booking(client, login_as, make_meeting, make_family):
    meeting = make_meeting()
    other = bookings.book_places(meeting.id, make_family().id, 1)
    db.session.commit()
    login_as(make_family())
    for path in ("", "/calendar.ics", "/cancel"):
        assert client.get(f"/meetings/bookings/{other.id}{path}").status_code == 404


def test_changing_after_the_deadline_is_explained_and_nothing_changes(
    client, login_as, make_meeting, make_family
):
    meeting = make_meeting()
    parent = make_family()
    booking = bookings.book_places(meeting.id, parent.id, 2)
    db.session.commit()
    db.session.get(Meeting, meeting.id).cancellation_deadline = utcnow() - timedelta(hours=1)
    db.session.commit()
    login_as(parent)

    page = client.get(f"/meetings/bookings/{booking.id}").get_data(as_text=True)
    assert "Changes closed on" in page and "Save changes" not in page
    response = client.post(
        f"/meetings/bookings/{booking.id}/change", data={"places": "1", "notes": "Just me"}
    )
    assert response.status_code == 400
    assert "Changes closed on" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).places == 2


def test_a_parent_changes_then_cancels(client, login_as, make_meeting, make_family):
    meeting = make_meeting()
    parent = make_family()
    booking = bookings.book_places(meeting.id, parent.id, 1)
    db.session.commit()
    login_as(parent)

    response = client.post(
        f"/meetings/bookings/{booking.id}/change", data={"places": "3", "notes": "Grandad too"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).places == 3
    assert "Yes, cancel my booking" in client.get(
        f"/meetings/bookings/{booking.id}/cancel"
    ).get_data(as_text=True)
    response = client.post(f"/meetings/bookings/{booking.id}/cancel")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status is BookingStatus.CANCELLED
    assert db.session.get(Meeting, meeting.id).places_taken == 0


def _meeting_form(**overrides) -> dict:
    start = (utcnow() + timedelta(days=14)).replace(hour=18, minute=30)
    form = {
        "title": "Phones, apps and group chats",
        "description": "For families of **older** children.",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "location": "School hall",
        "online_url": "",
        "capacity": "40",
        "max_places_per_booking": "2",
        "booking_opens_at": (start - timedelta(days=13)).strftime("%Y-%m-%dT%H:%M"),
        "booking_closes_at": (start - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "cancellation_deadline": (start - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "audience": "year_groups",
        "year_groups": ["5", "6"],
    }
    form.update(overrides)
    return form


def test_staff_arrange_an_evening_for_chosen_year_groups(client, login_as):
    login_as(Role.OFFICE_ADMIN)
    response = client.post("/meetings/manage/new", data=_meeting_form())
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert meeting.title == "Phones, apps and group chats"
    assert meeting.audience is Audience.YEAR_GROUPS
    assert meeting.audience_year_groups == [YearGroup.YEAR_5, YearGroup.YEAR_6]
    assert "<strong>older</strong>" in meeting.description_html
    assert meeting.capacity == 40 and meeting.max_places_per_booking == 2


def test_an_evening_with_mistakes_is_shown_again_with_each_message_beside_its_field(
    client, login_as
):
    login_as(Role.ESAFETY_OFFICER)
    form = _meeting_form(
        title="Keeping safe online",
        location="",
        capacity="1",
        max_places_per_booking="4",
        audience="year_groups",
        year_groups=[],
    )
    form["ends_at"] = form["starts_at"]
    response = client.post("/meetings/manage/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for field_id in ("ends_at", "location", "max_places_per_booking", "year_groups"):
        assert f'id="{field_id}-error"' in page, field_id
    assert 'value="Keeping safe online"' in page
    assert db.session.scalar(select(func.count(Meeting.id))) == 0


def test_editing_keeps_the_times_in_the_schools_own_time(client, login_as, make_meeting):
    meeting = make_meeting()
    login_as(Role.HEADTEACHER)
    page = client.get(f"/meetings/manage/{meeting.id}/edit").get_data(as_text=True)
    from esafety.meetings import times

    local = times.to_local(meeting.starts_at).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{local}"' in page


def _named_family(make_family, first, last, notes="", places=1, meeting=None):
    parent = make_family(first_name=first)
    parent.last_name = last
    db.session.commit()
    if meeting is not None:
        bookings.book_places(meeting.id, parent.id, places, notes)
        db.session.commit()
    return parent


def test_the_csv_export_neutralises_formulas(client, login_as, make_meeting, make_family):
    meeting = make_meeting()
    _named_family(make_family, '=HYPERLINK("x")', "Evil", "@SUM(A1)", meeting=meeting)
    _named_family(make_family, "+Ada", "Lovelace", "\tTabbed", meeting=meeting)
    _named_family(make_family, "Bo", "Dash", "-2+3", meeting=meeting)
    _named_family(make_family, "Cy", "Return", "carriage", meeting=meeting)
    # Text that reached the database some other way (an old import) is neutralised too.
    db.session.scalar(select(Booking).where(Booking.notes == "carriage")).notes = "\rcarriage"
    db.session.scalar(select(Booking).where(Booking.notes == "Tabbed")).notes = "\tTabbed"
    db.session.commit()
    login_as(Role.OFFICE_ADMIN)

    response = client.get(f"/meetings/manage/{meeting.id}/bookings.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells, "the export has rows"
    dangerous = ("=", "+", "-", "@", "\t", "\r")
    assert not [c for c in cells if c.startswith(dangerous)]
    assert '\'=HYPERLINK("x") Evil' in cells
    assert "'@SUM(A1)" in cells and "'-2+3" in cells and "'\tTabbed" in cells
    assert "'\rcarriage" in cells and "'+Ada Lovelace" in cells


def test_check_in_finds_a_family_by_name_and_ticks_and_unticks(
    client, login_as, make_meeting, make_family
):
    meeting = make_meeting(starts_at=utcnow() + timedelta(hours=1))
    _named_family(make_family, "Maya", "Okafor", "Needs a hearing loop", meeting=meeting)
    _named_family(make_family, "Leo", "Brennan", meeting=meeting)
    login_as(Role.OFFICE_ADMIN)

    page = client.get(f"/meetings/manage/{meeting.id}/check-in?q=okaf").get_data(as_text=True)
    assert "Maya Okafor" in page and "Leo Brennan" not in page
    assert "Needs a hearing loop" in page
    booking = db.session.scalar(select(Booking).join(Booking.parent).where(Booking.notes != ""))

    response = client.post(f"/meetings/manage/bookings/{booking.id}/check-in", data={"q": "okaf"})
    assert response.status_code == 302 and "q=okaf" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).checked_in_at is not None
    page = client.get(f"/meetings/manage/{meeting.id}/check-in").get_data(as_text=True)
    assert "<strong>1</strong> of 2 families here" in page

    ticked = db.session.get(Booking, booking.id).revision
    # An undo from a page older than the tick is refused: that page showed them not here.
    client.post(
        f"/meetings/manage/bookings/{booking.id}/undo-check-in",
        data={"q": "", "revision": ticked - 1},
    )
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).checked_in_at is not None
    client.post(
        f"/meetings/manage/bookings/{booking.id}/undo-check-in",
        data={"q": "", "revision": ticked},
    )
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).checked_in_at is None


def test_the_door_register_does_not_open_days_before(client, login_as, make_meeting, make_family):
    meeting = make_meeting(starts_at=utcnow() + timedelta(days=5))
    _named_family(make_family, "Early", "Bird", meeting=meeting)
    booking = db.session.scalar(select(Booking))
    login_as(Role.OFFICE_ADMIN)
    response = client.post(
        f"/meetings/manage/bookings/{booking.id}/check-in", follow_redirects=True
    )
    assert "opens on the day of the evening" in response.get_data(as_text=True)
    assert db.session.get(Booking, booking.id).checked_in_at is None


def test_attendance_lists_who_came_and_who_did_not(client, login_as, make_meeting, make_family):
    meeting = make_meeting(starts_at=utcnow() + timedelta(hours=2))
    _named_family(make_family, "Came", "Along", meeting=meeting)
    _named_family(make_family, "Stayed", "Home", meeting=meeting)
    officer = login_as(Role.ESAFETY_OFFICER)
    came = db.session.scalar(select(Booking).where(Booking.parent.has(first_name="Came")))
    door.check_in(officer, came.id)
    db.session.commit()
    page = client.get(f"/meetings/manage/{meeting.id}/attendance").get_data(as_text=True)
    assert "1 family came" in page and "1 did not" in page
    did_not = page.index("Did not come")
    assert page.index("Stayed Home") > did_not > 0
    assert page.index("Came Along") > page.index(">Came<")


def test_email_everyone_booked_sends_one_message_each(client, login_as, make_meeting, make_family):
    meeting = make_meeting(capacity=2, max_places_per_booking=1)
    for i in range(3):
        bookings.book_places(meeting.id, make_family(email=f"f{i}@school.example").id, 1)
    db.session.commit()
    before = len(sent_mail())
    login_as(Role.HEADTEACHER)

    response = client.post(
        f"/meetings/manage/{meeting.id}/email",
        data={"subject": "Parking tonight", "message": "Please use the side gate."},
    )
    assert response.status_code == 302
    sent = sent_mail()[before:]
    assert sorted(m["To"] for m in sent) == ["f0@school.example", "f1@school.example"]
    assert all("," not in m["To"] for m in sent)
    assert "Please use the side gate." in sent[0].get_body().get_content()

    empty = client.post(f"/meetings/manage/{meeting.id}/email", data={"subject": "Hi"})
    assert empty.status_code == 400 and 'id="message-error"' in empty.get_data(as_text=True)


def test_the_summary_counts_places_attendance_waiting_and_year_groups(
    client, login_as, make_meeting, make_family
):
    meeting = make_meeting(
        title="Past evening",
        capacity=2,
        max_places_per_booking=1,
        starts_at=utcnow() + timedelta(hours=1),
    )
    y1 = make_family(YearGroup.YEAR_1)
    y4 = make_family(YearGroup.YEAR_4)
    for parent in (y1, y4, make_family(YearGroup.YEAR_6)):
        bookings.book_places(meeting.id, parent.id, 1)
    db.session.commit()
    officer = factories.make_user(Role.OFFICE_ADMIN)
    door.check_in(officer, db.session.scalar(select(Booking).where(Booking.parent_id == y4.id)).id)
    db.session.get(Meeting, meeting.id).starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()

    [summary] = figures.summaries(officer)
    assert (summary.places_booked, summary.places_attended) == (2, 1)
    assert summary.no_shows == 1 and summary.waiting_families == 1
    assert summary.year_groups_booked == {YearGroup.YEAR_1, YearGroup.YEAR_4}
    assert summary.year_groups_reached == {YearGroup.YEAR_4}

    login_as(Role.GOVERNOR)
    page = client.get("/meetings/summary").get_data(as_text=True)
    assert "Past evening" in page and "Year 4" in page
    assert y1.last_name not in page  # no names for governors


def test_the_summary_and_booking_list_queries_do_not_grow_with_the_data(
    client, login_as, make_meeting, make_family, count_queries
):
    first = make_meeting(capacity=50, max_places_per_booking=1)
    bookings.book_places(first.id, make_family().id, 1)
    db.session.commit()
    login_as(Role.HEADTEACHER)

    def measure(path):
        client.get(path)  # warm up (session user, template caches)
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    small_summary = measure("/meetings/summary")
    small_list = measure(f"/meetings/manage/{first.id}")

    for _ in range(4):
        extra = make_meeting(capacity=50, max_places_per_booking=1)
        for _ in range(6):
            bookings.book_places(extra.id, make_family().id, 1)
    for _ in range(15):
        bookings.book_places(first.id, make_family().id, 1)
    db.session.commit()

    assert measure("/meetings/summary") == small_summary
    assert measure(f"/meetings/manage/{first.id}") == small_list


def test_slides_uploaded_after_the_evening_reach_only_the_families_it_was_for(
    client, login_as, make_meeting, make_family
):
    meeting = make_meeting(
        audience=Audience.YEAR_GROUPS,
        year_groups=[YearGroup.YEAR_3],
        starts_at=utcnow() + timedelta(hours=3),
    )
    login_as(Role.ESAFETY_OFFICER)
    fake = client.post(
        f"/meetings/manage/{meeting.id}/resources",
        data={
            "action": "resource",
            "resource-title": "Slides",
            "resource-file": (io.BytesIO(b"MZ not a pdf"), "slides.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400
    assert "does not look like a real .pdf file" in fake.get_data(as_text=True)
    assert 'value="Slides"' in fake.get_data(as_text=True)

    ok = client.post(
        f"/meetings/manage/{meeting.id}/resources",
        data={
            "action": "resource",
            "resource-title": "Slides",
            "resource-file": (io.BytesIO(b"%PDF-1.4 slides"), "Evening slides.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    resource = db.session.scalar(select(MeetingResource))

    year_3 = make_family(YearGroup.YEAR_3)
    year_1 = make_family(YearGroup.YEAR_1)
    login_as(year_3)
    assert client.get(f"/meetings/resources/{resource.id}").status_code == 404  # not yet
    db.session.get(Meeting, meeting.id).starts_at = utcnow() - timedelta(minutes=1)
    db.session.get(Meeting, meeting.id).ends_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    download = client.get(f"/meetings/resources/{resource.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 slides"
    assert "Evening slides.pdf" in download.headers["Content-Disposition"]
    download.close()
    assert "Slides" in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)

    login_as(year_1)
    assert client.get(f"/meetings/resources/{resource.id}").status_code == 404


def test_a_line_break_in_the_subject_is_refused_beside_it_and_nothing_is_sent(
    client, login_as, make_meeting, make_family
):
    meeting = make_meeting(capacity=2, max_places_per_booking=1)
    bookings.book_places(meeting.id, make_family(email="f@school.example").id, 1)
    db.session.commit()
    before = len(sent_mail())
    login_as(Role.HEADTEACHER)
    response = client.post(
        f"/meetings/manage/{meeting.id}/email",
        data={"subject": "Parking\r\nBcc: all@example.com", "message": "Use the side gate."},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="subject-error"' in page and "line break" in page
    assert len(sent_mail()) == before
