"""Evidence the database itself protects (PostgreSQL), whatever the application does.

- The sign-off ledger, the audit log, a concern's chronology and its access log are only ever
  added to: triggers refuse UPDATE, DELETE and TRUNCATE from anyone. Two narrow exceptions,
  both only for the tables' owner (the role migrations run as, never the app's): retention
  deletes rows past their period after saying so (`SET LOCAL esafety.retention = 'on'`), and
  a person's deletion may blank their id (ON DELETE SET NULL, which PostgreSQL runs as the
  owner). The app connects as a role that owns nothing, so neither is open to it.
- A published policy version's text (and its sections) never changes, and it is never deleted.
- `grant_app_role` gives the app's role what it needs and no more: no UPDATE, DELETE or
  TRUNCATE on the append-only tables, and it may not own any table.

The same SQL is in the migration that installs it (migrations are frozen); `create_all`
(the tests) installs it through `install`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, text
from sqlalchemy.engine import Connection

#: Tables that are only ever added to.
APPEND_ONLY = ("sign_off", "audit_entry", "concern_action", "concern_access")

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION esafety_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    by_owner boolean := current_user = (
        SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID);
BEGIN
    IF TG_OP = 'DELETE' AND by_owner
       AND current_setting('esafety.retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND by_owner AND NOT EXISTS (
        SELECT 1 FROM jsonb_each(to_jsonb(NEW)) AS changed
        WHERE changed.value <> 'null'::jsonb
          AND changed.value IS DISTINCT FROM to_jsonb(OLD) -> changed.key) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'esafety: % on % refused: these records are append-only',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$
"""

POLICY_TEXT_FUNCTION = """
CREATE OR REPLACE FUNCTION esafety_policy_text_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'esafety: TRUNCATE on % refused: published policy text is kept',
            TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_TABLE_NAME = 'policy_version' THEN
        IF OLD.state <> 'draft' AND (TG_OP = 'DELETE'
            OR NEW.state = 'draft'
            OR NEW.body_markdown IS DISTINCT FROM OLD.body_markdown
            OR NEW.sha256 IS DISTINCT FROM OLD.sha256
            OR NEW.policy_id IS DISTINCT FROM OLD.policy_id
            OR NEW.number IS DISTINCT FROM OLD.number) THEN
            RAISE EXCEPTION 'esafety: % of published policy version % refused: its text is frozen',
                TG_OP, OLD.id USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM policy_version
                  WHERE id = OLD.version_id AND state <> 'draft') THEN
        RAISE EXCEPTION 'esafety: % of a published policy section refused: its text is frozen',
            TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$
"""


def _triggers(table: str, function: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_guard ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def statements() -> list[str]:
    """Every statement that installs the guards (idempotent)."""
    found = [APPEND_ONLY_FUNCTION, POLICY_TEXT_FUNCTION]
    for table in APPEND_ONLY:
        found += _triggers(table, "esafety_append_only")
    for table in ("policy_version", "policy_section"):
        found += _triggers(table, "esafety_policy_text_frozen")
    return found


def install(connection: Connection) -> None:
    for statement in statements():
        connection.execute(text(statement))


def register(metadata) -> None:
    """Install the guards whenever `create_all` makes the tables on PostgreSQL."""

    @event.listens_for(metadata, "after_create")
    def _after_create(target, connection, **kw) -> None:
        if connection.dialect.name == "postgresql":
            install(connection)


def allow_retention(connection: Connection) -> None:
    """Say, for this transaction only, that the owner is deleting what retention allows."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL esafety.retention = 'on'"))


@contextmanager
def suspended(connection: Connection, *tables: str) -> Iterator[None]:
    """Switch tables' guards off for a block of this transaction. Only the owner may (the
    demo back-dates its story, tests age records); the app's role gets an error."""
    postgres = connection.dialect.name == "postgresql"
    for table in tables if postgres else ():
        connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_guard"))
    yield
    for table in tables if postgres else ():
        connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_guard"))


def owned_by(connection: Connection, role: str) -> list[str]:
    """Tables in the public schema that `role` owns (the app's role should own none)."""
    return list(
        connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = :r"),
            {"r": role},
        ).scalars()
    )


def grant_app_role(connection: Connection, role: str) -> None:
    """Give the app's role what it needs: rows to read and write, append-only where it counts.

    Run as the tables' owner after every migration. Refuses a role that owns a table (an owner
    could switch the triggers off)."""
    owned = owned_by(connection, role)
    if owned:
        raise ValueError(f"{role} owns {', '.join(owned)}: the app must connect as another role")
    quoted = connection.dialect.identifier_preparer.quote(role)
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(APPEND_ONLY)} FROM {quoted}",
        f"REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM {quoted}",
    ):
        connection.execute(text(statement))
    if connection.execute(text("SELECT to_regclass('alembic_version')")).scalar():
        connection.execute(text(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {quoted}"))
