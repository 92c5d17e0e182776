"""revisions on what two people can decide

Revision ID: revisions
Revises: features
Create Date: 2026-12-03 07:40:00

Every record two people can decide carries a revision, bumped and checked by each UPDATE,
so a decision made on an older page (or at the same moment as another) is refused.
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


def upgrade():
    for table in REVISIONED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("revision", sa.Integer(), server_default="1", nullable=False)
            )


def downgrade():
    for table in REVISIONED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("revision")
