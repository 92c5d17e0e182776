"""Pooled connections are checked before use only after sitting idle (esafety/transactions.py):
no round trip per request, and a connection that died while idle is replaced unseen."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from esafety.transactions import ping_when_idle


@pytest.fixture
def engine(tmp_path: Path):
    """An engine of its own (a file beside the test, not the test database)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'pool.sqlite3'}")
    ping_when_idle(engine, idle_seconds=0.2)
    yield engine
    engine.dispose()


def _use(engine) -> int:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        return id(connection.connection.dbapi_connection)


def test_a_connection_in_steady_use_is_not_pinged_and_an_idle_one_is(engine, monkeypatch):
    pings: list[object] = []
    real_ping = engine.dialect.do_ping

    def counted(connection) -> bool:
        pings.append(connection)
        return real_ping(connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    _use(engine)
    assert len(pings) == 1  # a new connection: never used, so checked
    _use(engine)
    _use(engine)
    assert len(pings) == 1
    time.sleep(0.3)
    _use(engine)
    assert len(pings) == 2


def test_a_connection_that_died_while_idle_is_replaced_before_use(engine, monkeypatch):
    first = _use(engine)
    time.sleep(0.3)
    failures = [engine.dialect.loaded_dbapi.OperationalError("server closed the connection")]

    def ping(connection) -> bool:
        if failures:
            raise failures.pop()
        return True

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    assert _use(engine) != first  # the dead one was thrown away and a new one used
