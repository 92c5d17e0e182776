"""Evidence the database itself protects (PostgreSQL; esafety/guards.py).

Reproduces what a tester found: the sign-off table allowed TRUNCATE, the app connected as a
superuser that could switch the trigger off, and the audit log, chronologies, access logs and
published policy text had no protection in the database at all.

The app's role here is made as production makes it (`grant_app_role`, run as the owner), and
these tests connect as it on a second engine.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, exc, text

from esafety import audit, guards
from esafety.auth.roles import Role
from esafety.extensions import db
from esafety.safeguarding import services as safeguarding
from tests import factories
from tests.induction.helpers import make_staff, read_pass_sign, standard_setup
from tests.safeguarding.conftest import details

#: The evidence is committed, then changed on connections of the owner's and the app's own.
pytestmark = pytest.mark.commits


def _postgres_only() -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the database's own guards are PostgreSQL's")


@pytest.fixture
def app_role_engine() -> Iterator:
    """A connection as the app's role: granted its rights, owning nothing."""
    _postgres_only()
    role = f"{db.engine.url.database}_app"
    with db.engine.begin() as owner:
        exists = owner.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if not exists.scalar():
            owner.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        guards.grant_app_role(owner, role)
    engine = create_engine(db.engine.url.set(username=role, password=None))
    yield engine
    engine.dispose()


@pytest.fixture
def evidence(db) -> dict[str, int]:
    """One row in each guarded table, committed."""
    _postgres_only()
    setup = standard_setup()
    sign_off = read_pass_sign(make_staff(), setup.version, setup.course)
    reporter = factories.make_user(Role.TEACHER)
    concern = safeguarding.raise_concern(reporter, details())
    officer = factories.make_user(Role.ESAFETY_OFFICER)
    safeguarding.open_concern(officer, concern.id)
    db.session.commit()
    ids = {
        "sign_off": sign_off.id,
        "audit_entry": audit.recent(1)[0].id,
        "concern_action": concern.actions[0].id,
        "concern_access": db.session.execute(text("SELECT max(id) FROM concern_access")).scalar(),
        "policy_version": setup.version.id,
    }
    db.session.rollback()  # hold no locks: a TRUNCATE below would wait for them
    return ids


def _refused(engine, statement: str, **params) -> bool:
    with engine.connect() as connection:
        connection.execute(text("SET lock_timeout = '5s'"))
        try:
            connection.execute(text(statement), params)
        except exc.DBAPIError:
            connection.rollback()
            return True
        connection.rollback()
        return False


#: Each append-only table with a text column to try to rewrite.
APPEND_ONLY = {
    "sign_off": "typed_name",
    "audit_entry": "action",
    "concern_action": "note",
    "concern_access": "what",
}


def _rewrite(table: str) -> str:
    return f"UPDATE {table} SET {APPEND_ONLY[table]} = 'rewritten' WHERE id = :id"  # noqa: S608


def _delete(table: str) -> str:
    return f"DELETE FROM {table} WHERE id = :id"  # noqa: S608


def test_the_apps_role_owns_nothing_and_may_not_change_evidence(app_role_engine, evidence):
    with db.engine.connect() as owner:
        assert guards.owned_by(owner, app_role_engine.url.username) == []
    for table in APPEND_ONLY:
        row = evidence[table]
        assert _refused(app_role_engine, _rewrite(table), id=row)
        assert _refused(app_role_engine, _delete(table), id=row)
        assert _refused(app_role_engine, f"TRUNCATE {table} CASCADE")
        assert _refused(app_role_engine, f"ALTER TABLE {table} DISABLE TRIGGER {table}_guard")
        assert _refused(app_role_engine, "SET session_replication_role = replica")
    # What the app does every day still works as its role: adding evidence, reading it.
    with app_role_engine.begin() as connection:
        connection.execute(
            text("INSERT INTO audit_entry (at, action, detail) VALUES (now(), 'test.ok', '{}')")
        )
        assert connection.execute(text("SELECT count(*) FROM sign_off")).scalar() == 1


def test_the_triggers_refuse_even_the_owner(evidence):
    for table in APPEND_ONLY:
        row = evidence[table]
        assert _refused(db.engine, _rewrite(table), id=row)
        assert _refused(db.engine, _delete(table), id=row)
        assert _refused(db.engine, f"TRUNCATE {table} CASCADE")
    version = evidence["policy_version"]
    assert _refused(
        db.engine, "UPDATE policy_version SET body_markdown = 'x' WHERE id = :id", id=version
    )
    assert _refused(
        db.engine, "UPDATE policy_version SET state = 'draft' WHERE id = :id", id=version
    )
    assert _refused(db.engine, "DELETE FROM policy_version WHERE id = :id", id=version)
    assert _refused(
        db.engine,
        "UPDATE policy_section SET body_markdown = 'x' WHERE version_id = :id",
        id=version,
    )
    assert _refused(db.engine, "TRUNCATE policy_section CASCADE")
    # A published version may still become superseded (its text stays as it was).
    assert not _refused(
        db.engine, "UPDATE policy_version SET state = 'superseded' WHERE id = :id", id=version
    )


def test_retention_run_by_the_owner_still_deletes_evidence_past_its_period(evidence):
    entry = evidence["audit_entry"]
    with db.engine.connect() as owner:
        guards.allow_retention(owner)
        owner.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": entry})
        owner.rollback()
    with db.engine.begin() as owner:
        guards.allow_retention(owner)
        owner.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": entry})
    assert (
        db.session.execute(
            text("SELECT count(*) FROM audit_entry WHERE id = :id"), {"id": entry}
        ).scalar()
        == 0
    )


def test_the_app_role_cannot_claim_to_be_running_retention(app_role_engine, evidence):
    with app_role_engine.connect() as connection:
        connection.execute(text("SET esafety.retention = 'on'"))
        with pytest.raises(exc.DBAPIError):
            connection.execute(
                text("DELETE FROM audit_entry WHERE id = :id"), {"id": evidence["audit_entry"]}
            )


def test_granting_refuses_a_role_that_owns_tables(evidence):
    with db.engine.connect() as owner:
        me = owner.execute(text("SELECT current_user")).scalar()
        with pytest.raises(ValueError, match="owns"):
            guards.grant_app_role(owner, me)
