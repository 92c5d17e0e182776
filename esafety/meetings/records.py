"""Bookings in subject-access exports and retention (kept a year after the evening)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from ..extensions import db
from ..personal_data import DataSubject, DueRecord, Rule, SubjectRecords, row
from .models import Booking, Meeting


def subject_records(subject: DataSubject) -> SubjectRecords:
    records = SubjectRecords()
    bookings = db.session.scalars(
        select(Booking).where(Booking.parent_id == subject.user.id).order_by(Booking.created_at)
    ).all()
    if bookings:
        records.sections["E-safety evening bookings"] = [
            {
                "evening": b.meeting.title,
                "starts_at": row(b.meeting, "starts_at")["starts_at"],
                **row(
                    b, "places", "notes", "status", "created_at", "cancelled_at", "checked_in_at"
                ),
            }
            for b in bookings
        ]
    return records


def retention_due(schedule: dict[str, Rule], on: date) -> list[DueRecord]:
    rule = schedule["bookings"]
    cutoff = datetime.combine(rule.cutoff(on), time.min)
    rows = db.session.execute(
        select(Booking.id, Booking.parent_id, Meeting.ends_at)
        .join(Meeting, Meeting.id == Booking.meeting_id)
        .where(Meeting.ends_at < cutoff)
        .order_by(Booking.id)
    ).all()
    return [
        DueRecord(
            rule="bookings",
            description=f"Booking {booking_id}",
            rows=[(Booking.__table__, [booking_id])],
            user_ids=frozenset({parent_id}),
            expired_on=rule.expires(ends_at),
        )
        for booking_id, parent_id, ends_at in rows
    ]
