"""Jobs that must never run twice at once (reminders, retention, rollover, backups, mail).

On PostgreSQL the lock is an advisory lock, so it holds across every server sharing the
database; on SQLite (one machine) it is a lock file beside the database. Either way the
operating system or the database lets go of it when the process ends, even if it is killed.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import current_app
from sqlalchemy import text

from .extensions import db


class AlreadyRunning(Exception):
    """Another run of the same job holds its lock."""


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit number for the job's name (PostgreSQL's advisory lock key)."""
    digest = hashlib.sha256(f"esafety.job.{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def exclusive(name: str) -> Iterator[None]:
    """Hold the job's lock while the block runs; raise AlreadyRunning if someone else has it."""
    if db.engine.dialect.name == "postgresql":
        key = _advisory_key(name)
        # A connection of its own, outside the job's transactions: the lock lasts for the
        # whole run, whatever the job commits or rolls back.
        with db.engine.connect() as connection:
            got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            connection.commit()
            if not got:
                raise AlreadyRunning(name)
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()
        return
    folder = Path(current_app.config["INSTANCE_DIR"]) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(name) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def runs_alone(name: str) -> Callable:
    """Make a command exit, saying so, when another run of it is still going."""

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                with exclusive(name):
                    return command(*args, **kwargs)
            except AlreadyRunning:
                click.echo(
                    f"Another run of '{name}' is still going, so this one did nothing. "
                    "Try again when it has finished.",
                    err=True,
                )
                raise SystemExit(3) from None

        return wrapper

    return decorate
