"""findings at save: blog posts and comments keep what the checks found when they were saved

The teacher's queue reads them instead of running every check on every waiting item at every
view. Writing saved before this has none; the queue works its findings out as before.

Revision ID: findings
Revises: rolecodes
Create Date: 2026-12-03 11:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "findings"
down_revision = "rolecodes"
branch_labels = None
depends_on = None

TABLES = ("blog_post", "blog_comment")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("findings", sa.Text(), nullable=True))
            batch.add_column(sa.Column("findings_key", sa.String(32), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("findings_key")
            batch.drop_column("findings")
