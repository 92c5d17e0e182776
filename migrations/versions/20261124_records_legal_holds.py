"""records: legal holds

Revision ID: records
Revises: foundation
Create Date: 2026-11-24

"""
import sqlalchemy as sa
from alembic import op

revision = "records"
down_revision = "foundation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "legal_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("concern_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["lifted_by_id"], ["user.id"], name=op.f("fk_legal_hold_lifted_by_id_user")),
        sa.ForeignKeyConstraint(["placed_by_id"], ["user.id"], name=op.f("fk_legal_hold_placed_by_id_user")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_legal_hold_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_hold")),
    )
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_hold_concern_id"), ["concern_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_legal_hold_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_hold_user_id"))
        batch_op.drop_index(batch_op.f("ix_legal_hold_concern_id"))
    op.drop_table("legal_hold")
