"""Many parents press Book at the same moment: the room is never overbooked, nobody is lost.

Each request runs in its own thread with its own database connection (a second app on the
same database, with a pool big enough for every thread), and a barrier releases them together.
The same test runs on SQLite and, with ESAFETY_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select, text

from esafety import create_app
from esafety.auth.models import User
from esafety.extensions import db
from esafety.meetings import bookings as meeting_bookings
from esafety.meetings.models import Booking, BookingStatus, Meeting
from esafety.school.models import YearGroup

PARENTS = 50
DOUBLE_CLICKS = 10
CAPACITY = 20

#: Threads or a second app commit for real on connections of their own.
pytestmark = pytest.mark.commits


def _app_with_a_connection_each(app, threads: int):
    config = app.config.copy()
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_size": threads + 2,
        "max_overflow": 0,
        "pool_timeout": 60,
    }
    return create_app(config)


def test_fifty_parents_at_once_fill_twenty_places_and_the_rest_wait(app, make_meeting, make_family):
    meeting = make_meeting(capacity=CAPACITY, max_places_per_booking=1)
    parents = [make_family(YearGroup(i % 7)).id for i in range(PARENTS)]
    # Ten parents double-click: their second request races their first.
    requests = parents + parents[:DOUBLE_CLICKS]
    meeting_id = meeting.id  # read here: threads must not touch this session's objects
    other = _app_with_a_connection_each(app, len(requests))
    barrier = threading.Barrier(len(requests), timeout=60)
    results: list[tuple[int, int, BookingStatus]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def press_book(parent_id: int) -> None:
        with other.app_context():
            try:
                db.session.execute(text("SELECT 1"))  # this thread's own connection, opened now
                barrier.wait()
                booking = meeting_bookings.book_places(meeting_id, parent_id, 1)
                db.session.commit()
                with lock:
                    results.append((parent_id, booking.id, booking.status))
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                db.session.rollback()
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=press_book, args=(p,)) for p in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    with other.app_context():
        db.engine.dispose()

    assert errors == []
    assert len(results) == len(requests)
    db.session.expire_all()
    bookings = list(db.session.scalars(select(Booking).where(Booking.meeting_id == meeting_id)))
    statuses = Counter(b.status for b in bookings)
    # Exactly twenty places confirmed; every other parent waits; nobody lost, nobody twice.
    assert statuses[BookingStatus.CONFIRMED] == CAPACITY
    assert statuses[BookingStatus.WAITLISTED] == PARENTS - CAPACITY
    assert len(bookings) == PARENTS
    assert sorted(b.parent_id for b in bookings) == sorted(parents)
    assert db.session.get(Meeting, meeting.id).places_taken == CAPACITY
    # Every click by the same parent got the same booking back.
    by_parent: dict[int, set[int]] = {}
    for parent_id, booking_id, _ in results:
        by_parent.setdefault(parent_id, set()).add(booking_id)
    assert all(len(ids) == 1 for ids in by_parent.values())
    # The waiting list is one clean queue: positions 1 to 30, none shared.
    waiting = [b for b in bookings if b.status is BookingStatus.WAITLISTED]
    assert sorted(meeting_bookings.waiting_position(b) for b in waiting) == list(
        range(1, PARENTS - CAPACITY + 1)
    )


def test_cancellations_racing_new_bookings_never_lose_a_place(app, make_meeting, make_family):
    """Half the booked families cancel while new ones book: every freed place is refilled."""
    meeting = make_meeting(capacity=10, max_places_per_booking=1)
    booked = [make_family().id for _ in range(10)]
    for parent_id in booked:
        meeting_bookings.book_places(meeting.id, parent_id, 1)
    db.session.commit()
    waiting = [make_family().id for _ in range(10)]
    for parent_id in waiting:
        meeting_bookings.book_places(meeting.id, parent_id, 1)
    db.session.commit()
    newcomers = [make_family().id for _ in range(10)]
    bookings = {
        b.parent_id: b.id
        for b in db.session.scalars(select(Booking).where(Booking.meeting_id == meeting.id))
    }
    jobs = [("cancel", p) for p in booked[:5]] + [("book", p) for p in newcomers]
    meeting_id = meeting.id
    other = _app_with_a_connection_each(app, len(jobs))
    barrier = threading.Barrier(len(jobs), timeout=60)
    errors: list[str] = []

    def run(kind: str, parent_id: int) -> None:
        with other.app_context():
            try:
                parent = db.session.get(User, parent_id)
                barrier.wait()
                if kind == "cancel":
                    meeting_bookings.cancel_booking(parent, bookings[parent_id])
                else:
                    meeting_bookings.book_places(meeting_id, parent_id, 1)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                db.session.rollback()
                errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    with other.app_context():
        db.engine.dispose()

    assert errors == []
    db.session.expire_all()
    rows = list(db.session.scalars(select(Booking).where(Booking.meeting_id == meeting_id)))
    confirmed = [b for b in rows if b.status is BookingStatus.CONFIRMED]
    assert len(confirmed) == 10
    assert db.session.get(Meeting, meeting.id).places_taken == 10
    # The five freed places went to the five families who had waited longest.
    assert {b.parent_id for b in confirmed} == set(booked[5:]) | set(waiting[:5])
    assert sum(1 for b in rows if b.status is BookingStatus.WAITLISTED) == 15
