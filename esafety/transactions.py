"""Whether a request's transaction holds anything to keep, and connections checked only when
they may have gone stale.

A page that only read has nothing to commit: it ends with the rollback that returning the
connection to the pool does anyway, and skips the ORM's commit (a flush check, a COMMIT round
trip and expiring every object it loaded). Everything that writes goes through the session, so
the session's own events see it: a flush that sent rows, or a statement other than a SELECT.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction

_WROTE = "esafety.transaction_wrote"

#: A connection used this recently is taken as alive; one idle for longer is pinged first.
IDLE_BEFORE_PING_SECONDS = 2.0


def wrote_something(session: Session) -> bool:
    """True when the session's transaction has, or is about to send, a change worth keeping."""
    return bool(session.info.get(_WROTE) or session.new or session.dirty or session.deleted)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, flush_context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _statement(state: Any) -> None:
    """A bulk INSERT, UPDATE or DELETE, or any text statement, counts as a write."""
    if not state.is_select:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the session's own transaction, not a savepoint in it
        session.info.pop(_WROTE, None)


def ping_when_idle(engine: Engine, idle_seconds: float = IDLE_BEFORE_PING_SECONDS) -> None:
    """Check a pooled connection before use only when it sat unused for a while.

    SQLAlchemy's `pool_pre_ping` costs a round trip at every checkout, so on every request. A
    connection in steady use has just proved itself; one that sat idle (the database may have
    restarted meanwhile) is pinged, and a dead one is replaced before the request uses it, as
    the pool does for a `DisconnectionError` raised at checkout."""

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is not None and time.monotonic() - returned < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("the pooled connection is gone") from error
