"""blog writing held for a worry, each class's allowed words, weekly counts of findings

Revision ID: checker2
Revises: features
Create Date: 2026-12-03 08:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "checker2"
down_revision = "features"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("blog_post", "blog_comment"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "held_for_worry", sa.Boolean(), nullable=False, server_default=sa.false()
                )
            )
            batch_op.add_column(sa.Column("worry_concern_id", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("worry_words", sa.Text(), nullable=True))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("held_for_worry", server_default=None)
    op.create_table(
        "blog_allowed_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("words", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["user.id"], name=op.f("fk_blog_allowed_words_added_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["school_class.id"],
            name=op.f("fk_blog_allowed_words_class_id_school_class"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_allowed_words")),
        sa.UniqueConstraint("class_id", "words", name=op.f("uq_blog_allowed_words_class_id")),
    )
    with op.batch_alter_table("blog_allowed_words", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blog_allowed_words_class_id"), ["class_id"], unique=False
        )
    op.create_table(
        "blog_finding_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["school_class.id"],
            name=op.f("fk_blog_finding_tally_class_id_school_class"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_finding_tally")),
    )
    with op.batch_alter_table("blog_finding_tally", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blog_finding_tally_class_id"), ["class_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_blog_finding_tally_found_at"), ["found_at"], unique=False
        )


def downgrade():
    op.drop_table("blog_finding_tally")
    op.drop_table("blog_allowed_words")
    for table in ("blog_comment", "blog_post"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("worry_words")
            batch_op.drop_column("worry_concern_id")
            batch_op.drop_column("held_for_worry")
