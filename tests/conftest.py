"""Fixtures: the app on the test database, a clean database per test, and signed-in clients.

The database is SQLite in a temporary file unless ESAFETY_TEST_DATABASE_URL names another
(CI runs the whole suite again on PostgreSQL). Most tests run inside one transaction on one
connection that is rolled back at the end, as Indico's tests do: the session joins it with a
savepoint, so the app's commit per request and a test's own commits only release savepoints.
Tests that need real commits seen by other connections (races, a second app on the same
database, a live server for the browser, migrations, the database's own guards) are marked
`commits`: for them tables are emptied after the test instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask, current_app, g
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url

from esafety import create_app
from esafety.auth import passwords
from esafety.auth.models import User
from esafety.auth.roles import Role
from esafety.auth.throttle import MemoryStore, make_throttle
from esafety.extensions import cache
from esafety.extensions import db as _db
from tests import factories

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"

passwords.use_fast_hashing_for_tests()


def _database_url(tmp_dir: Path) -> str:
    return os.environ.get("ESAFETY_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.sqlite3'}"


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (`-n 2`) each worker has a database of its own: SQLite's file is in
    the worker's own temporary folder already; on PostgreSQL worker gw0 of `test_ci` uses
    `test_ci_gw0`, made the first time. Tests that read the URL themselves (migrations, a
    second server) see the worker's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("ESAFETY_TEST_DATABASE_URL")
    if worker and url and url.startswith("postgresql"):
        os.environ["ESAFETY_TEST_DATABASE_URL"] = _worker_database(url, worker)


def _worker_database(url: str, worker: str) -> str:
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


class FreshRequestClient(FlaskClient):
    """pytest-flask keeps one app context for the whole test, so `g` would outlive a request:
    forget the signed-in user before each request, as a real server does."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


class JoinedSession(FlaskSession):
    """Flask-SQLAlchemy picks the app's engine for every statement; while a test runs inside
    one rolled-back transaction, the test app's sessions take that transaction's connection
    instead (a second app built by a test keeps its own engine)."""

    #: The test app and the connection its sessions join, while a test holds one open.
    joined: tuple[Flask, Connection] | None = None
    #: Engines other than the test app's that connected to the test database meanwhile.
    others: list[str] = []

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.joined and current_app._get_current_object() is self.joined[0]:
            return self.joined[1]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


@event.listens_for(Engine, "engine_connect")
def _notice_a_second_engine(connection: Connection) -> None:
    """What a second app (or engine) on the test database commits is kept for real, outside
    the rolled-back transaction, and would be left for the next test: such tests must be
    marked `commits`."""
    if JoinedSession.joined is None:
        return
    joined = JoinedSession.joined[1].engine
    if connection.engine is not joined and connection.engine.url == joined.url:
        JoinedSession.others.append(repr(connection.engine))


@pytest.fixture(scope="session")
def _app_dirs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("esafety")


@pytest.fixture(scope="session")
def app(_app_dirs: Path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": _database_url(_app_dirs),
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_DIR": str(_app_dirs / "instance"),
            "UPLOAD_FOLDER": str(_app_dirs / "uploads"),
            "MAIL_OUTBOX": str(_app_dirs / "outbox"),
            "SERVER_NAME": "esafety.test",
            "BASE_URL": "https://esafety.test",
        }
    )
    app.test_client_class = FreshRequestClient
    _db.session.session_factory.class_ = JoinedSession
    _db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.engine.dispose()


def _empty_all_tables() -> None:
    """DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of every table costs ~0.4 s a test, while
    deleting from mostly empty tables is near free. Triggers (the append-only ledger's) are
    switched off for this session only, as the test database's owner may."""
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        _db.session.execute(text("SET LOCAL session_replication_role = replica"))
    for table in tables:
        _db.session.execute(table.delete())
    _db.session.commit()


@contextmanager
def _inside_one_rolled_back_transaction(app: Flask) -> Iterator[None]:
    """Bind every session to one connection whose outer transaction is rolled back at the
    end; the sessions join it with a savepoint, so their commits release that savepoint
    and a rollback returns to it (SQLAlchemy 2's "join a session into an external
    transaction" recipe)."""
    connection = _db.engine.connect()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # pysqlite starts a transaction only before a write and runs SAVEPOINT outside of
        # one: hand it no transaction control and say BEGIN ourselves (SQLAlchemy's pysqlite
        # notes, "Serializable isolation / Savepoints / Transactional DDL").
        connection.connection.dbapi_connection.isolation_level = None
        event.listen(connection, "begin", _sqlite_begin)
    outer = connection.begin()
    JoinedSession.joined = (app, connection)
    JoinedSession.others = []
    try:
        yield
    finally:
        _db.session.remove()
        JoinedSession.joined = None
        outer.rollback()
        if sqlite:
            event.remove(connection, "begin", _sqlite_begin)
            connection.connection.dbapi_connection.isolation_level = ""
        connection.close()
    if JoinedSession.others:
        pytest.fail(
            f"{JoinedSession.others[0]} connected to the test database beside the test's own"
            " transaction: what it commits would stay for the next test. Mark the test"
            " @pytest.mark.commits so that the tables are emptied after it."
        )


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


@pytest.fixture(autouse=True)
def db(app, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator:
    """A clean database, outbox, upload folder and login throttle for every test."""
    app.config["MAIL_OUTBOX"] = str(tmp_path / "outbox")
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    app.extensions["esafety_throttle"] = make_throttle("")
    assert isinstance(app.extensions["esafety_throttle"].store, MemoryStore)
    with app.app_context():
        cache.clear()  # cached pages of another test's school are not this one's
        if request.node.get_closest_marker("commits"):
            yield _db
            _db.session.rollback()
            _empty_all_tables()
            _db.session.remove()
        else:
            with _inside_one_rolled_back_transaction(app):
                yield _db
        cache.clear()


@pytest.fixture
def school(db):
    """A small school: the current year and one class per year group with 3 pupils each."""
    return factories.make_school()


@pytest.fixture
def login_as(client) -> Callable[..., User]:
    """Sign the test client in as a user (made with the given role unless one is passed)."""

    def _login(role_or_user: Role | User, **kwargs) -> User:
        user = role_or_user
        if not isinstance(user, User):
            user = factories.make_user(role_or_user, **kwargs)
        sign_in_session(client, user)
        return user

    return _login


def sign_in_session(client, user: User) -> None:
    """Put a signed-in device session for `user` into the test client's cookie."""
    from esafety.auth.services import start_session

    start_session(user, "test client")
    _db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


_TEST_SAVEPOINT = re.compile(r"(RELEASE |ROLLBACK TO )?SAVEPOINT sa_savepoint_\d+$")


class QueryCounter:
    """Counts SQL statements sent to the database while active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        # The savepoints a rolled-back test wraps around each commit are not the app's.
        if not _TEST_SAVEPOINT.match(statement):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(db):
    """Use as `with count_queries() as counter:` then read counter.count."""

    @contextmanager
    def _counting():
        counter = QueryCounter()
        event.listen(_db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(_db.engine, "before_cursor_execute", counter)

    return _counting


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared folder {SHARED} (bad-input corpora) is not beside the project")
    return SHARED


@pytest.fixture
def broken_upload_folder(app, tmp_path: Path) -> Path:
    """An upload folder the system refuses to write to (a file sits where the folder should be).

    Tests run as root, which ignores read-only permissions; a path through a file fails for
    everyone, as a full or unmounted disk does."""
    blocker = tmp_path / "storage-unavailable"
    blocker.write_text("not a folder")
    app.config["UPLOAD_FOLDER"] = str(blocker / "uploads")
    return blocker
