"""lessons: start- and end-of-year knowledge check answers

Revision ID: knowcheck
Revises: features
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'knowcheck'
down_revision = 'features'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('check_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('school_year', sa.Integer(), nullable=False),
    sa.Column('phase', sa.Enum('start', 'end', name='checkphase', native_enum=False, length=13), nullable=False),
    sa.Column('lesson_id', sa.String(length=80), nullable=False),
    sa.Column('question', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Integer(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], name=op.f('fk_check_answer_pupil_id_pupil'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_answer')),
    sa.UniqueConstraint('pupil_id', 'school_year', 'phase', 'lesson_id', 'question', name=op.f('uq_check_answer_pupil_id'))
    )


def downgrade():
    op.drop_table('check_answer')
