"""roles on the user's row: user.role_codes, a copy of user_role kept by the app at every flush

The signed-in account and its roles then come in one statement, and no page loads the roles of
every person it lists.

Revision ID: rolecodes
Revises: round2
Create Date: 2026-12-03 11:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "rolecodes"
down_revision = "round2"
branch_labels = None
depends_on = None

user = sa.table("user", sa.column("id", sa.Integer), sa.column("role_codes", sa.String))
user_role = sa.table("user_role", sa.column("user_id", sa.Integer), sa.column("role", sa.String))


def upgrade():
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("role_codes", sa.String(400), server_default="", nullable=False))
    connection = op.get_bind()
    held: dict[int, set[str]] = {}
    for user_id, role in connection.execute(sa.select(user_role.c.user_id, user_role.c.role)):
        held.setdefault(user_id, set()).add(role)
    by_codes: dict[str, list[int]] = {}
    for user_id, roles in held.items():
        by_codes.setdefault(",".join(sorted(roles)), []).append(user_id)
    for codes, user_ids in by_codes.items():
        for start in range(0, len(user_ids), 500):
            connection.execute(
                sa.update(user)
                .where(user.c.id.in_(user_ids[start : start + 500]))
                .values(role_codes=codes)
            )


def downgrade():
    with op.batch_alter_table("user") as batch:
        batch.drop_column("role_codes")
