"""revisions on what two people can decide; evidence the database protects

Revision ID: revisions
Revises: features
Create Date: 2026-12-03 07:40:00

Every record two people can decide carries a revision, bumped and checked by each UPDATE,
so a decision made on an older page (or at the same moment as another) is refused.

On PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE on the sign-off ledger, the audit
log, a concern's chronology and access log, and any change to published policy text (see
esafety/guards.py; the SQL is copied here so this migration never changes).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "revisions"
down_revision = "features"
branch_labels = None
depends_on = None

#: The tables whose rows people decide on (see esafety/concurrency.py).
REVISIONED = ("blog_post", "blog_comment", "blog_report", "concern", "booking", "policy_version")

#: esafety/guards.py's statements() when this migration was written.
GUARDS = [
    "\nCREATE OR REPLACE FUNCTION esafety_append_only() RETURNS trigger LANGUAGE plpgsql AS $$\nDECLARE\n    by_owner boolean := current_user = (\n        SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID);\nBEGIN\n    IF TG_OP = 'DELETE' AND by_owner\n       AND current_setting('esafety.retention', true) = 'on' THEN\n        RETURN OLD;\n    END IF;\n    IF TG_OP = 'UPDATE' AND by_owner AND NOT EXISTS (\n        SELECT 1 FROM jsonb_each(to_jsonb(NEW)) AS changed\n        WHERE changed.value <> 'null'::jsonb\n          AND changed.value IS DISTINCT FROM to_jsonb(OLD) -> changed.key) THEN\n        RETURN NEW;\n    END IF;\n    RAISE EXCEPTION 'esafety: % on % refused: these records are append-only',\n        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';\nEND $$\n",
    "\nCREATE OR REPLACE FUNCTION esafety_policy_text_frozen() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    IF TG_OP = 'TRUNCATE' THEN\n        RAISE EXCEPTION 'esafety: TRUNCATE on % refused: published policy text is kept',\n            TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';\n    END IF;\n    IF TG_TABLE_NAME = 'policy_version' THEN\n        IF OLD.state <> 'draft' AND (TG_OP = 'DELETE'\n            OR NEW.state = 'draft'\n            OR NEW.body_markdown IS DISTINCT FROM OLD.body_markdown\n            OR NEW.sha256 IS DISTINCT FROM OLD.sha256\n            OR NEW.policy_id IS DISTINCT FROM OLD.policy_id\n            OR NEW.number IS DISTINCT FROM OLD.number) THEN\n            RAISE EXCEPTION 'esafety: % of published policy version % refused: its text is frozen',\n                TG_OP, OLD.id USING ERRCODE = 'insufficient_privilege';\n        END IF;\n    ELSIF EXISTS (SELECT 1 FROM policy_version\n                  WHERE id = OLD.version_id AND state <> 'draft') THEN\n        RAISE EXCEPTION 'esafety: % of a published policy section refused: its text is frozen',\n            TG_OP USING ERRCODE = 'insufficient_privilege';\n    END IF;\n    IF TG_OP = 'DELETE' THEN\n        RETURN OLD;\n    END IF;\n    RETURN NEW;\nEND $$\n",
    'DROP TRIGGER IF EXISTS sign_off_guard ON sign_off',
    'DROP TRIGGER IF EXISTS sign_off_no_truncate ON sign_off',
    'CREATE TRIGGER sign_off_guard BEFORE UPDATE OR DELETE ON sign_off FOR EACH ROW EXECUTE FUNCTION esafety_append_only()',
    'CREATE TRIGGER sign_off_no_truncate BEFORE TRUNCATE ON sign_off FOR EACH STATEMENT EXECUTE FUNCTION esafety_append_only()',
    'DROP TRIGGER IF EXISTS audit_entry_guard ON audit_entry',
    'DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry',
    'CREATE TRIGGER audit_entry_guard BEFORE UPDATE OR DELETE ON audit_entry FOR EACH ROW EXECUTE FUNCTION esafety_append_only()',
    'CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry FOR EACH STATEMENT EXECUTE FUNCTION esafety_append_only()',
    'DROP TRIGGER IF EXISTS concern_action_guard ON concern_action',
    'DROP TRIGGER IF EXISTS concern_action_no_truncate ON concern_action',
    'CREATE TRIGGER concern_action_guard BEFORE UPDATE OR DELETE ON concern_action FOR EACH ROW EXECUTE FUNCTION esafety_append_only()',
    'CREATE TRIGGER concern_action_no_truncate BEFORE TRUNCATE ON concern_action FOR EACH STATEMENT EXECUTE FUNCTION esafety_append_only()',
    'DROP TRIGGER IF EXISTS concern_access_guard ON concern_access',
    'DROP TRIGGER IF EXISTS concern_access_no_truncate ON concern_access',
    'CREATE TRIGGER concern_access_guard BEFORE UPDATE OR DELETE ON concern_access FOR EACH ROW EXECUTE FUNCTION esafety_append_only()',
    'CREATE TRIGGER concern_access_no_truncate BEFORE TRUNCATE ON concern_access FOR EACH STATEMENT EXECUTE FUNCTION esafety_append_only()',
    'DROP TRIGGER IF EXISTS policy_version_guard ON policy_version',
    'DROP TRIGGER IF EXISTS policy_version_no_truncate ON policy_version',
    'CREATE TRIGGER policy_version_guard BEFORE UPDATE OR DELETE ON policy_version FOR EACH ROW EXECUTE FUNCTION esafety_policy_text_frozen()',
    'CREATE TRIGGER policy_version_no_truncate BEFORE TRUNCATE ON policy_version FOR EACH STATEMENT EXECUTE FUNCTION esafety_policy_text_frozen()',
    'DROP TRIGGER IF EXISTS policy_section_guard ON policy_section',
    'DROP TRIGGER IF EXISTS policy_section_no_truncate ON policy_section',
    'CREATE TRIGGER policy_section_guard BEFORE UPDATE OR DELETE ON policy_section FOR EACH ROW EXECUTE FUNCTION esafety_policy_text_frozen()',
    'CREATE TRIGGER policy_section_no_truncate BEFORE TRUNCATE ON policy_section FOR EACH STATEMENT EXECUTE FUNCTION esafety_policy_text_frozen()',
]

GUARDED = ("sign_off", "audit_entry", "concern_action", "concern_access")
GUARDED += ("policy_version", "policy_section")


def upgrade():
    for table in REVISIONED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("revision", sa.Integer(), server_default="1", nullable=False)
            )
    if op.get_bind().dialect.name == "postgresql":
        # The sign-off table's own trigger gives way to the shared one.
        op.execute("DROP TRIGGER IF EXISTS sign_off_append_only ON sign_off")
        op.execute("DROP FUNCTION IF EXISTS induction_refuse_sign_off_change()")
        for statement in GUARDS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in GUARDED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_guard ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS esafety_append_only()")
        op.execute("DROP FUNCTION IF EXISTS esafety_policy_text_frozen()")
        op.execute(
            "CREATE OR REPLACE FUNCTION induction_refuse_sign_off_change() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'sign_off records are append-only'; END; "
            "$$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER sign_off_append_only BEFORE UPDATE OR DELETE ON sign_off "
            "FOR EACH ROW EXECUTE FUNCTION induction_refuse_sign_off_change()"
        )
    for table in REVISIONED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("revision")
