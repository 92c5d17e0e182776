"""induction: policies and versions, pathways, courses and quizzes, the sign-off ledger,
training records, certificates and reminders

Revision ID: induction
Revises: foundation
Create Date: 2026-11-24 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'induction'
down_revision = 'foundation'
branch_labels = None  # the revision id 'induction' already names this branch (a label equal to it is refused)
depends_on = None

#: The database itself refuses to change or remove a sign-off (see induction/models.py).
REFUSE_FUNCTION = (
    "CREATE OR REPLACE FUNCTION induction_refuse_sign_off_change() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'sign_off records are append-only'; END; "
    "$$ LANGUAGE plpgsql"
)
REFUSE_TRIGGER = (
    "CREATE TRIGGER sign_off_append_only BEFORE UPDATE OR DELETE ON sign_off "
    "FOR EACH ROW EXECUTE FUNCTION induction_refuse_sign_off_change()"
)


def upgrade():
    op.create_table('pathway',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('due_within_days', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pathway')),
    sa.UniqueConstraint('name', name=op.f('uq_pathway_name'))
    )
    op.create_table('induction_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_induction_certificate_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_induction_certificate'))
    )
    with op.batch_alter_table('induction_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_induction_certificate_user_id'), ['user_id'], unique=False)

    op.create_table('pathway_role',
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('pupil', 'parent', 'teacher', 'support_staff', 'computing_lead', 'esafety_officer', 'headteacher', 'slt', 'governor', 'office_admin', name='role', native_enum=False, length=23), nullable=False),
    sa.ForeignKeyConstraint(['pathway_id'], ['pathway.id'], name=op.f('fk_pathway_role_pathway_id_pathway'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pathway_id', 'role', name=op.f('pk_pathway_role'))
    )
    op.create_table('policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('review_interval_months', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_policy_owner_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy')),
    sa.UniqueConstraint('slug', name=op.f('uq_policy_slug')),
    sa.UniqueConstraint('title', name=op.f('uq_policy_title'))
    )
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_owner_id'), ['owner_id'], unique=False)

    op.create_table('reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('induction_overdue', 'resign_notice', 'resign_overdue', 'training_expiring', 'training_expired', 'review_due', 'review_overdue', name='reminderstage', native_enum=False, length=25), nullable=False),
    sa.Column('subject_key', sa.String(length=120), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['user.id'], name=op.f('fk_reminder_sent_recipient_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent')),
    sa.UniqueConstraint('stage', 'subject_key', name=op.f('uq_reminder_sent_stage'))
    )
    with op.batch_alter_table('reminder_sent', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_sent_recipient_id', ['recipient_id'], unique=False)

    op.create_table('training_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('safeguarding', 'dsl', 'online_safety', 'other', name='trainingkind', native_enum=False, length=21), nullable=False),
    sa.Column('course', sa.String(length=160), nullable=False),
    sa.Column('provider', sa.String(length=160), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('certificate_file', sa.String(length=80), nullable=True),
    sa.Column('certificate_mimetype', sa.String(length=40), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_training_record_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_training_record_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_record'))
    )
    with op.batch_alter_table('training_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_record_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_record_user_id'), ['user_id'], unique=False)

    op.create_table('course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('intro_html', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['policy.id'], name=op.f('fk_course_policy_id_policy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course')),
    sa.UniqueConstraint('slug', name=op.f('uq_course_slug'))
    )
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_policy_id'), ['policy_id'], unique=False)

    op.create_table('pathway_policy',
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pathway_id'], ['pathway.id'], name=op.f('fk_pathway_policy_pathway_id_pathway'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['policy_id'], ['policy.id'], name=op.f('fk_pathway_policy_policy_id_policy'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pathway_id', 'policy_id', name=op.f('pk_pathway_policy'))
    )
    op.create_table('policy_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'published', 'superseded', name='versionstate', native_enum=False, length=18), nullable=False),
    sa.Column('change', sa.Enum('minor', 'major', name='changesize', native_enum=False, length=13), nullable=False),
    sa.Column('change_summary', sa.Text(), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('review_due_on', sa.Date(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_policy_version_approved_by_id_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_policy_version_created_by_id_user')),
    sa.ForeignKeyConstraint(['policy_id'], ['policy.id'], name=op.f('fk_policy_version_policy_id_policy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_version')),
    sa.UniqueConstraint('policy_id', 'number', name=op.f('uq_policy_version_policy_id'))
    )
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_version_policy_id'), ['policy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_version_published_at'), ['published_at'], unique=False)

    op.create_table('pathway_course',
    sa.Column('pathway_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_pathway_course_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pathway_id'], ['pathway.id'], name=op.f('fk_pathway_course_pathway_id_pathway'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pathway_id', 'course_id', name=op.f('pk_pathway_course'))
    )
    op.create_table('policy_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('heading', sa.String(length=200), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['policy_version.id'], name=op.f('fk_policy_section_version_id_policy_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_section')),
    sa.UniqueConstraint('version_id', 'position', name=op.f('uq_policy_section_version_id'))
    )
    with op.batch_alter_table('policy_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_section_version_id'), ['version_id'], unique=False)

    op.create_table('quiz_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_quiz_attempt_course_id_course')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_quiz_attempt_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempt'))
    )
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_attempt_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_attempt_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_attempt_user_id'), ['user_id'], unique=False)

    op.create_table('quiz_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_quiz_question_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_question'))
    )
    with op.batch_alter_table('quiz_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_question_course_id'), ['course_id'], unique=False)

    op.create_table('sign_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('on_behalf_reason', sa.Text(), nullable=True),
    sa.Column('policy_version_id', sa.Integer(), nullable=False),
    sa.Column('policy_sha256', sa.String(length=64), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('typed_name', sa.String(length=200), nullable=False),
    sa.Column('quiz_score', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=400), nullable=True),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('record_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['policy_version_id'], ['policy_version.id'], name=op.f('fk_sign_off_policy_version_id_policy_version')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_sign_off_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sign_off_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_off')),
    sa.UniqueConstraint('previous_hash', name=op.f('uq_sign_off_previous_hash')),
    sa.UniqueConstraint('record_hash', name=op.f('uq_sign_off_record_hash'))
    )
    with op.batch_alter_table('sign_off', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_off_policy_version_id'), ['policy_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_off_signed_at'), ['signed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_off_user_id'), ['user_id'], unique=False)

    op.create_table('quiz_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('is_correct', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['quiz_question.id'], name=op.f('fk_quiz_choice_question_id_quiz_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_choice'))
    )
    with op.batch_alter_table('quiz_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_choice_question_id'), ['question_id'], unique=False)

    op.create_table('section_read',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['section_id'], ['policy_section.id'], name=op.f('fk_section_read_section_id_policy_section'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_section_read_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'section_id', name=op.f('pk_section_read'))
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(REFUSE_FUNCTION)
        op.execute(REFUSE_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS sign_off_append_only ON sign_off")
        op.execute("DROP FUNCTION IF EXISTS induction_refuse_sign_off_change()")

    op.drop_table('section_read')
    with op.batch_alter_table('quiz_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_choice_question_id'))

    op.drop_table('quiz_choice')
    with op.batch_alter_table('sign_off', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_off_user_id'))
        batch_op.drop_index(batch_op.f('ix_sign_off_signed_at'))
        batch_op.drop_index(batch_op.f('ix_sign_off_policy_version_id'))

    op.drop_table('sign_off')
    with op.batch_alter_table('quiz_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_question_course_id'))

    op.drop_table('quiz_question')
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_attempt_user_id'))
        batch_op.drop_index(batch_op.f('ix_quiz_attempt_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_quiz_attempt_course_id'))

    op.drop_table('quiz_attempt')
    with op.batch_alter_table('policy_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_section_version_id'))

    op.drop_table('policy_section')
    op.drop_table('pathway_course')
    with op.batch_alter_table('policy_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_version_published_at'))
        batch_op.drop_index(batch_op.f('ix_policy_version_policy_id'))

    op.drop_table('policy_version')
    op.drop_table('pathway_policy')
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_policy_id'))

    op.drop_table('course')
    with op.batch_alter_table('training_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_record_user_id'))
        batch_op.drop_index(batch_op.f('ix_training_record_expires_on'))

    op.drop_table('training_record')
    with op.batch_alter_table('reminder_sent', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_sent_recipient_id')

    op.drop_table('reminder_sent')
    with op.batch_alter_table('policy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_owner_id'))

    op.drop_table('policy')
    op.drop_table('pathway_role')
    with op.batch_alter_table('induction_certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_induction_certificate_user_id'))

    op.drop_table('induction_certificate')
    op.drop_table('pathway')
