"""Counting places without ever overbooking: the evening is locked, places are taken by one
conditional UPDATE, and given back the same way.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import lazyload

from ..errors import NotFoundError
from ..extensions import db
from .models import Meeting


def places_text(n: int) -> str:
    return f"{n} place{'s' if n != 1 else ''}"


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def lock_meeting(meeting_id: int) -> Meeting:
    """Hold the evening until commit, so bookings, changes and promotions for it take turns.

    PostgreSQL: a row lock (SELECT ... FOR UPDATE). SQLite has no row locks and SQLAlchemy
    drops FOR UPDATE there, so a no-op UPDATE is the transaction's first statement: it takes
    the database's write lock before anything is read (the effect of BEGIN IMMEDIATE), and
    other writers wait for it (busy_timeout) instead of failing with "database is locked".
    The year groups it is meant for are read only if asked (most evenings are for everyone).
    """
    only_if_asked = [lazyload(Meeting.year_groups)]
    if _dialect() == "sqlite":
        db.session.execute(
            update(Meeting)
            .where(Meeting.id == meeting_id)
            .values(places_taken=Meeting.places_taken)
            .execution_options(synchronize_session=False)
        )
        meeting = db.session.get(Meeting, meeting_id, populate_existing=True, options=only_if_asked)
    else:
        meeting = db.session.scalar(
            select(Meeting)
            .where(Meeting.id == meeting_id)
            .with_for_update()
            .options(*only_if_asked)
            .execution_options(populate_existing=True)
        )
    if meeting is None:
        raise NotFoundError("We could not find that e-safety evening.")
    return meeting


def take_places(meeting: Meeting, n: int) -> bool:
    """Take n places if they are free; one conditional UPDATE, correct on both databases."""
    result = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.places_taken + n <= Meeting.capacity)
        .values(places_taken=Meeting.places_taken + n)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(meeting, ["places_taken"])
    return cast(CursorResult[Any], result).rowcount == 1


def give_back_places(meeting: Meeting, n: int) -> None:
    result = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.places_taken >= n)
        .values(places_taken=Meeting.places_taken - n)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(meeting, ["places_taken"])
    if cast(CursorResult[Any], result).rowcount != 1:
        raise RuntimeError(f"meeting {meeting.id}: cannot give back {n} places")
