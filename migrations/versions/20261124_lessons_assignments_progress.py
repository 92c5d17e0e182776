"""lessons: assignments, progress and quiz answers

Revision ID: lessons
Revises: foundation
Create Date: 2026-11-24 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'lessons'
down_revision = 'foundation'
branch_labels = None  # the revision id 'lessons' already names this branch
depends_on = None


def upgrade():
    op.create_table('lesson_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.String(length=80), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['user.id'], name=op.f('fk_lesson_assignment_assigned_by_id_user')),
    sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], name=op.f('fk_lesson_assignment_class_id_school_class'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_assignment')),
    sa.UniqueConstraint('class_id', 'lesson_id', name=op.f('uq_lesson_assignment_class_id'))
    )
    with op.batch_alter_table('lesson_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_assignment_class_id'), ['class_id'], unique=False)

    op.create_table('lesson_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.String(length=80), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('sections_read', sa.Integer(), nullable=False),
    sa.Column('questions_right', sa.Integer(), nullable=False),
    sa.Column('right_first_time', sa.Integer(), nullable=False),
    sa.Column('needed_another_go', sa.Integer(), nullable=False),
    sa.Column('self_assessment', sa.Enum('i_can', 'getting_there', 'not_yet', name='selfassessment', native_enum=False, length=21), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], name=op.f('fk_lesson_progress_pupil_id_pupil'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_progress')),
    sa.UniqueConstraint('pupil_id', 'lesson_id', name=op.f('uq_lesson_progress_pupil_id'))
    )
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_progress_completed_at'), ['completed_at'], unique=False)

    op.create_table('quiz_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.String(length=80), nullable=False),
    sa.Column('question', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Integer(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], name=op.f('fk_quiz_answer_pupil_id_pupil'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_answer'))
    )
    with op.batch_alter_table('quiz_answer', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_answer_pupil_id_lesson_id', ['pupil_id', 'lesson_id'], unique=False)


def downgrade():
    with op.batch_alter_table('quiz_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_answer_pupil_id_lesson_id')
    op.drop_table('quiz_answer')
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_progress_completed_at'))
    op.drop_table('lesson_progress')
    with op.batch_alter_table('lesson_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_assignment_class_id'))
    op.drop_table('lesson_assignment')
