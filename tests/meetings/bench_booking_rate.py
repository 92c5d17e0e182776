"""How many bookings a second `book_places` sustains: 50 threads, a connection each, one evening.

All threads book the same evening (the worst case: every booking queues for the one row), half
of them get a place and half join the waiting list, and each commits and writes its email.

    ESAFETY_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/esafety_meetings \\
        .venv/bin/python -m tests.meetings.bench_booking_rate --threads 50 --bookings 2000

It empties every table of that database first and last: point it at a scratch database only
(never a school's), and not while the tests use the same one.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from datetime import timedelta

from sqlalchemy import func, select, text

from esafety import create_app
from esafety.auth import passwords
from esafety.auth.roles import Role
from esafety.clock import utcnow
from esafety.extensions import db
from esafety.meetings import bookings as meeting_bookings
from esafety.meetings import planning
from esafety.meetings.models import Audience, Booking, BookingStatus, Meeting
from esafety.school.models import YearGroup
from tests import factories


def _empty(app) -> None:
    with app.app_context():
        db.create_all()
        tables = list(reversed(db.metadata.sorted_tables))
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                db.session.execute(table.delete())
        db.session.commit()


def _setup(app, bookings: int) -> tuple[int, list[int]]:
    with app.app_context():
        officer = factories.make_user(Role.ESAFETY_OFFICER)
        classes = [factories.make_class(year_group) for year_group in YearGroup]
        parents = []
        for n in range(bookings):
            child = factories.make_pupil(classes[n % len(classes)])
            parents.append(factories.make_parent(child).id)
        start = utcnow() + timedelta(days=7)
        meeting = planning.create_meeting(
            officer,
            planning.MeetingDetails(
                title="Benchmark evening",
                description="",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                location="Hall",
                online_url="",
                capacity=bookings // 2,
                max_places_per_booking=1,
                booking_opens_at=utcnow() - timedelta(days=1),
                booking_closes_at=start - timedelta(hours=1),
                cancellation_deadline=start - timedelta(days=1),
                audience=Audience.ALL_PARENTS,
            ),
        )
        db.session.commit()
        return meeting.id, parents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=50)
    parser.add_argument("--bookings", type=int, default=2000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("ESAFETY_BENCH_DATABASE_URL")
        or os.environ.get("ESAFETY_TEST_DATABASE_URL"),
        help="a scratch database (its tables are emptied)",
    )
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set ESAFETY_BENCH_DATABASE_URL")
    passwords.use_fast_hashing_for_tests()
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": args.database_url,
                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": args.threads + 2, "max_overflow": 0},
                "INSTANCE_DIR": scratch,
                "MAIL_OUTBOX": f"{scratch}/outbox",
                "MAIL_SERVER": "",
                "UPLOAD_FOLDER": f"{scratch}/uploads",
                "SERVER_NAME": "esafety.bench",
            }
        )
        _empty(app)
        meeting_id, parents = _setup(app, args.bookings)
        shares = [parents[i :: args.threads] for i in range(args.threads)]
        barrier = threading.Barrier(args.threads + 1)
        errors: list[str] = []

        def worker(mine: list[int]) -> None:
            with app.app_context():
                db.session.execute(text("SELECT 1"))
                db.session.commit()
                barrier.wait()
                for parent_id in mine:
                    try:
                        meeting_bookings.book_places(meeting_id, parent_id, 1)
                        db.session.commit()
                    except Exception as error:  # noqa: BLE001 - counted and reported
                        db.session.rollback()
                        errors.append(repr(error))

        threads = [threading.Thread(target=worker, args=(share,)) for share in shares]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started

        with app.app_context():
            counts = dict(
                db.session.execute(
                    select(Booking.status, func.count(Booking.id)).group_by(Booking.status)
                ).all()
            )
            taken = db.session.get(Meeting, meeting_id).places_taken
            dialect = db.engine.dialect.name
        _empty(app)
        with app.app_context():
            db.engine.dispose()

    total = sum(counts.values())
    print(f"database:   {dialect}")
    print(f"threads:    {args.threads} (a connection each)")
    print(f"bookings:   {total} in {elapsed:.2f}s = {total / elapsed:.0f} bookings/second")
    print(
        f"confirmed:  {counts.get(BookingStatus.CONFIRMED, 0)} (places taken {taken}), "
        f"waiting: {counts.get(BookingStatus.WAITLISTED, 0)}, errors: {len(errors)}"
    )
    if errors:
        print("first error:", errors[0])


if __name__ == "__main__":
    main()
