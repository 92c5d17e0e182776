"""Reminders sent by `flask meetings send-reminders` before each evening."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from .. import audit
from ..clock import utcnow
from ..extensions import db
from . import notify
from .models import Booking, BookingStatus, Meeting

#: `send-reminders` reminds everyone whose evening starts within this window.
REMINDER_WINDOW = timedelta(hours=48)


def due_reminders(now: datetime | None = None) -> list[int]:
    """Confirmed bookings for evenings starting within 48 hours that have had no reminder."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Booking.id)
            .join(Meeting, Meeting.id == Booking.meeting_id)
            .where(
                Booking.status == BookingStatus.CONFIRMED,
                Booking.reminder_sent_at.is_(None),
                Meeting.starts_at > now,
                Meeting.starts_at <= now + REMINDER_WINDOW,
            )
            .order_by(Booking.id)
        )
    )


def send_reminder(booking_id: int, now: datetime | None = None) -> bool:
    """Claim and queue one reminder; False if another run (or an earlier one) already sent it."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(Booking)
        .where(
            Booking.id == booking_id,
            Booking.reminder_sent_at.is_(None),
            Booking.status == BookingStatus.CONFIRMED,
        )
        .values(reminder_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], claimed).rowcount != 1:
        return False
    booking = db.session.get_one(Booking, booking_id, populate_existing=True)
    notify.booking_reminder(booking)
    audit.record("meetings.reminder_sent", target=booking, meeting_id=booking.meeting_id)
    return True
