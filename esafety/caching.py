"""Pages worked out once and kept for a short while: leaders' dashboards and summaries, and
the posts of a class blog.

Each cached piece is keyed on the versions of the scopes it shows ("coverage", "evenings", ...).
A scope's version changes after every commit that wrote one of the tables it depends on (seen
by the ORM, bulk updates included), so a cached page changes on the write that should change
it; the timeout bounds how long a page can lag in a worker that did not see the write itself
(the cache is per process unless ESAFETY_REDIS_URL is set, when every worker shares it).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import cache, db

T = TypeVar("T")

#: scope -> the tables whose rows it shows.
_SCOPES: dict[str, frozenset[str]] = {}
#: table -> [(scope, the key of the one part a row of it changes)], e.g. a post -> its class.
_KEYED: dict[str, list[tuple[str, Callable[[Session, Any], object]]]] = {}
_CHANGED = "esafety_changed_tables"
_CHANGED_KEYS = "esafety_changed_keys"


def depends_on(scope: str, *tables: str) -> None:
    """Declare which tables a cached scope is made from (a feature calls this at import)."""
    _SCOPES[scope] = _SCOPES.get(scope, frozenset()) | frozenset(tables)


def depends_on_rows(scope: str, keys: dict[str, Callable[[Session, Any], object]]) -> None:
    """Declare tables whose rows change one part of a scope only (the part `key(session, row)`
    names, None for none). A bulk statement on one of them changes every part."""
    for table, key in keys.items():
        _KEYED.setdefault(table, []).append((scope, key))


def part_version(scope: str, key: object) -> str:
    """The version of one part of a scope (one class's blog), beside the scope's own."""
    return f"{version(scope)}.{version(f'{scope}:{key}')}"


class CacheDown(Exception):
    """The shared cache did not answer: pages are worked out afresh until it does."""


def _get(key: str):
    try:
        return cache.get(key)
    except Exception as error:  # Redis down or slow: never a failed page because of it
        raise CacheDown() from error


def _set(key: str, value, timeout: int | None) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as error:
        raise CacheDown() from error


def version(scope: str) -> str:
    """The scope's current version (a new one when the cache has none)."""
    key = f"version:{scope}"
    current = _get(key)
    if current is None:
        current = secrets.token_hex(6)
        _set(key, current, timeout=0)
    return current


def bump(scope: str) -> None:
    _set(f"version:{scope}", secrets.token_hex(6), timeout=0)


def kept(
    scope: str,
    parts: tuple,
    make: Callable[[], T],
    timeout: int | None = None,
    part: object = None,
) -> T:
    """What `make()` gives (text, or plain picklable rows), kept under the scope's version (and
    its `part`'s) and `parts` for `timeout` seconds."""
    if not current_app.config.get("PAGE_CACHE", True) or _written_in_this_transaction(scope):
        return make()
    try:
        current = version(scope) if part is None else part_version(scope, part)
        key = ":".join(["page", scope, str(part), current, *map(str, parts)])
        value = _get(key)
    except CacheDown:
        current_app.logger.warning("page cache unreachable: %s worked out afresh", scope)
        return make()
    if value is None:
        value = make()
        try:
            _set(key, value, timeout=timeout or current_app.config["PAGE_CACHE_SECONDS"])
        except CacheDown:
            current_app.logger.warning("page cache unreachable: %s not kept", scope)
    return value


def _written_in_this_transaction(scope: str) -> bool:
    """A transaction that has written what a scope shows reads its own writes, never a page
    kept from before (touching a device session's last-seen time changes no page)."""
    session = db.session()
    tables = _SCOPES.get(scope, frozenset()) | {
        table for table, keyed in _KEYED.items() if any(s == scope for s, _ in keyed)
    }
    pending = {
        obj.__table__.name
        for obj in (*session.new, *session.dirty, *session.deleted)
        if hasattr(obj, "__table__")
    }
    keys = session.info.get(_CHANGED_KEYS, set())
    return bool(tables & (pending | session.info.get(_CHANGED, set()))) or any(
        key == scope or key.startswith(f"{scope}:") for key in keys
    )


def _note(session: Session, tables: set[str]) -> None:
    session.info.setdefault(_CHANGED, set()).update(tables)


@event.listens_for(Session, "after_flush")
def _tables_written(session: Session, flush_context) -> None:
    written = [
        obj for obj in (*session.new, *session.dirty, *session.deleted) if hasattr(obj, "__table__")
    ]
    _note(session, {obj.__table__.name for obj in written})
    keys = session.info.setdefault(_CHANGED_KEYS, set())
    for obj in written:
        for scope, key_of in _KEYED.get(obj.__table__.name, ()):
            key = key_of(session, obj)
            if key is not None:
                keys.add(f"{scope}:{key}")


@event.listens_for(Session, "do_orm_execute")
def _bulk_writes(state) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        if name:
            _note(state.session, {name})
            # Which parts a bulk statement touched is not known: all of them change.
            for scope, _ in _KEYED.get(name, ()):
                state.session.info.setdefault(_CHANGED_KEYS, set()).add(scope)


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    """After the data is committed, never before: a reader never keeps old data as new."""
    changed = session.info.pop(_CHANGED, None) or set()
    keys = session.info.pop(_CHANGED_KEYS, None) or set()
    if not (changed or keys):
        return
    try:
        for scope, tables in _SCOPES.items():
            if tables & changed:
                bump(scope)
        for key in keys:
            bump(key)
    except RuntimeError:  # no app context (a script outside the app): nothing is cached there
        pass
    except CacheDown:
        # Kept pages may now lag by up to their timeout; the log says so.
        current_app.logger.warning("page cache unreachable: versions not moved on")


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_CHANGED_KEYS, None)
