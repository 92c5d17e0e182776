"""class blog: a record of each long wait a class's teachers were emailed about

Revision ID: waitnotice
Revises: round2
Create Date: 2026-12-04 08:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "waitnotice"
down_revision = "round2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "blog_wait_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("item_kind", sa.String(length=10), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("noticed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["school_class.id"],
            name=op.f("fk_blog_wait_notice_class_id_school_class"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_wait_notice")),
        sa.UniqueConstraint(
            "item_kind", "item_id", "submitted_at", name=op.f("uq_blog_wait_notice_item_kind")
        ),
    )
    with op.batch_alter_table("blog_wait_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blog_wait_notice_class_id"), ["class_id"], unique=False
        )


def downgrade():
    op.drop_table("blog_wait_notice")
