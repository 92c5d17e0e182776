"""Demo e-safety evenings: one open for booking (with a waiting list), one past with resources.

Safe to run twice: each evening is found by its title, and nothing is emailed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from .. import mail
from ..auth.models import User
from ..clock import today, utcnow
from ..extensions import db
from ..school.demo import DemoSchool
from ..school.models import YearGroup
from . import bookings, planning, resources, times
from .models import Audience, Booking, BookingStatus, Meeting, MeetingResource

UPCOMING_TITLE = "Screens, games and group chats: keeping children safe online"
PAST_TITLE = "Safe and happy online: an evening for families of young children"


def _local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time at school, `day_offset` days from today, as naive UTC."""
    return times.from_local(
        datetime.combine(today() + timedelta(days=day_offset), time(hour, minute))
    )


def _slides_pdf(lines: list[str]) -> bytes:
    """A small, valid one-page PDF (the demo's 'slides'), built without any extra library."""
    text = (
        "BT /F1 16 Tf 56 780 Td 22 TL "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
            for line in lines
        )
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("latin-1")),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _upcoming(school: DemoSchool) -> None:
    officer = school.staff["esafety"]
    starts = _local(12, 18, 30)
    meeting = planning.create_meeting(
        officer,
        planning.MeetingDetails(
            title=UPCOMING_TITLE,
            description=(
                "An hour for parents and carers about the apps and games children use, "
                "what we teach in school, and **simple steps that help at home**:\n\n"
                "- setting up phones, tablets and consoles\n"
                "- group chats, and what to do if something upsets your child\n"
                "- how much screen time, and when\n\n"
                "Tea, coffee and a crèche in the library. Questions welcome."
            ),
            starts_at=starts,
            ends_at=starts + timedelta(hours=1, minutes=15),
            location="School hall (use the main gate)",
            online_url="",
            capacity=30,
            max_places_per_booking=3,
            booking_opens_at=utcnow() - timedelta(days=5),
            booking_closes_at=starts - timedelta(hours=3),
            cancellation_deadline=starts - timedelta(days=1),
            audience=Audience.ALL_PARENTS,
        ),
    )
    # The parents printed as demo logins (each class's first family) are left free to book.
    bookers = [p for i, p in enumerate(school.parents) if i % 8 != 0][::3]  # every year group
    places = [3, 2, 2, 1, 3, 2, 1, 2, 3, 2, 1, 2, 2, 2]  # 28 of 30 places
    notes = {1: "My partner uses a wheelchair.", 4: "We will bring a baby in a buggy."}
    for n, (parent, count) in enumerate(zip(bookers, places, strict=False)):
        bookings.book_places(meeting.id, parent.id, count, notes.get(n, ""))
    # Two families wanting three places each wait: two places are left for smaller bookings.
    for parent in bookers[len(places) : len(places) + 2]:
        bookings.book_places(meeting.id, parent.id, 3, "Happy to stand at the back.")


#: The past evening was for the families of the youngest children.
YOUNG_YEARS = [YearGroup.RECEPTION, YearGroup.YEAR_1, YearGroup.YEAR_2]


def _past(school: DemoSchool) -> None:
    officer = school.staff["esafety"]
    meeting = _past_evening(officer)
    _bookings_on_the_night(school, meeting)
    _after_the_evening(officer, meeting)
    db.session.flush()


def _past_evening(officer: User) -> Meeting:
    """The evening itself, forty days ago."""
    starts = _local(-40, 18, 0)
    return planning.create_meeting(
        officer,
        planning.MeetingDetails(
            title=PAST_TITLE,
            description="Helping children in Reception to Year 2 take their first steps online.",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            location="Robins classroom",
            online_url="",
            capacity=20,
            max_places_per_booking=2,
            booking_opens_at=starts - timedelta(days=21),
            booking_closes_at=starts - timedelta(hours=3),
            cancellation_deadline=starts - timedelta(days=1),
            audience=Audience.YEAR_GROUPS,
            year_groups=list(YOUNG_YEARS),
        ),
    )


def _bookings_on_the_night(school: DemoSchool, meeting: Meeting) -> None:
    """Five families from each young year group, written as they stood on the night."""
    # Bookings closed long ago, so they are written directly rather than booked now.
    head = school.staff["head"]
    starts = meeting.starts_at
    families = [
        (parent, year_group)
        for year_group in YOUNG_YEARS
        for parent, _ in zip(
            school.parents[int(year_group) * 8 : int(year_group) * 8 + 8],
            range(5),
            strict=False,
        )
    ]
    taken = 0
    for n, (parent, year_group) in enumerate(families):
        places = 2 if n % 3 == 0 else 1
        booked_at = starts - timedelta(days=14 - n % 10)
        came = n % 4 != 3  # most came; a few did not
        db.session.add(
            Booking(
                meeting_id=meeting.id,
                parent_id=parent.id,
                places=places,
                status=BookingStatus.CONFIRMED,
                created_at=booked_at,
                confirmed_at=booked_at,
                reminder_sent_at=starts - timedelta(hours=30),
                checked_in_at=starts - timedelta(minutes=5) if came else None,
                checked_in_by_id=head.id if came else None,
                children_year_groups=str(int(year_group)),
            )
        )
        taken += places
    meeting.places_taken = taken


def _after_the_evening(officer: User, meeting: Meeting) -> None:
    """The thank-you note, the slides and two links for families."""
    resources.set_note(
        officer,
        meeting.id,
        "Thank you to everyone who came. We talked about **asking before sharing photos**, "
        "keeping devices in shared rooms, and what to do if something online upsets your "
        "child: stay calm, listen, and tell us.",
    )
    db.session.add_all(
        [
            MeetingResource(
                meeting_id=meeting.id,
                title="Slides from the evening",
                stored_name=_store_slides(),
                original_filename="Safe and happy online - slides.pdf",
                mimetype="application/pdf",
                size_bytes=len(_DEMO_SLIDES),
                added_by_id=officer.id,
            ),
            MeetingResource(
                meeting_id=meeting.id,
                title="Advice for parents and carers (UK Safer Internet Centre)",
                url="https://saferinternet.org.uk/guide-and-resource/parents-and-carers",
                added_by_id=officer.id,
            ),
            MeetingResource(
                meeting_id=meeting.id,
                title="Parental controls, device by device (Internet Matters)",
                url="https://www.internetmatters.org/parental-controls/",
                added_by_id=officer.id,
            ),
        ]
    )


_DEMO_SLIDES = _slides_pdf(
    [
        "Safe and happy online",
        "An evening for families of young children",
        "",
        "1. Ask before sharing photos of anyone.",
        "2. Keep tablets and phones in shared rooms.",
        "3. Turn on parental controls and safe search.",
        "4. If something upsets your child: stay calm, listen, tell us.",
    ]
)


def _store_slides() -> str:
    name = "demo-safe-and-happy-online-slides.pdf"
    path = resources.resource_folder() / name
    if not path.exists():
        path.write_bytes(_DEMO_SLIDES)
    return name


def seed(school: DemoSchool) -> None:
    """Add the demo evenings if they are not there yet."""
    existing = set(db.session.scalars(select(Meeting.title)))
    if UPCOMING_TITLE not in existing:
        _upcoming(school)
    if PAST_TITLE not in existing:
        _past(school)
    else:
        _store_slides()  # the file lives outside the database: put it back if it went
    mail.discard_queued()  # demo families are not real: nobody is emailed
