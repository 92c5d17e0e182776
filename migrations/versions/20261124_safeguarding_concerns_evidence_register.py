"""safeguarding: concerns, evidence, chronology, access log, blocked-site register

Revision ID: safeguarding
Revises: foundation
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'safeguarding'
down_revision = 'foundation'
branch_labels = None  # the revision id 'safeguarding' names this branch (a label of the same name is refused)
depends_on = None


def upgrade():
    op.create_table('concern',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('cyber_bullying', 'unwanted_contact', 'inappropriate_content', 'damaging_post', 'other', name='concernkind', native_enum=False, length=29), nullable=False),
    sa.Column('involved', sa.Enum('pupil', 'staff', 'adult_outside', 'unknown', name='involved', native_enum=False, length=21), nullable=False),
    sa.Column('source', sa.Enum('form', 'tell_a_teacher', 'class_blog', name='concernsource', native_enum=False, length=22), nullable=False),
    sa.Column('source_ref', sa.String(length=40), nullable=True),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('passed_on_by_id', sa.Integer(), nullable=True),
    sa.Column('pupil_id', sa.Integer(), nullable=True),
    sa.Column('class_id', sa.Integer(), nullable=True),
    sa.Column('staff_member_id', sa.Integer(), nullable=True),
    sa.Column('about_headteacher', sa.Boolean(), nullable=False),
    sa.Column('names', sa.Text(), nullable=False),
    sa.Column('staff_contact', sa.Boolean(), nullable=False),
    sa.Column('in_school', sa.Boolean(), nullable=False),
    sa.Column('platform', sa.String(length=80), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=True),
    sa.Column('occurred_time', sa.Time(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('quoted_text', sa.Text(), nullable=False),
    sa.Column('reported_material', sa.String(length=80), nullable=False),
    sa.Column('handler_material', sa.String(length=80), nullable=False),
    sa.Column('consider_police', sa.Boolean(), nullable=False),
    sa.Column('procedure', sa.Enum('anti_bullying', 'allegations', 'staff_contact', 'adult_outside', 'block_site', 'pupil_worry', 'general', name='procedure', native_enum=False, length=21), nullable=False),
    sa.Column('status', sa.Enum('new', 'in_progress', 'resolved', 'referred', name='concernstatus', native_enum=False, length=19), nullable=False),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('referred_to', sa.Enum('police', 'local_authority', name='referredto', native_enum=False, length=23), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['class_id'], ['school_class.id'], name=op.f('fk_concern_class_id_school_class')),
    sa.ForeignKeyConstraint(['handler_id'], ['user.id'], name=op.f('fk_concern_handler_id_user')),
    sa.ForeignKeyConstraint(['passed_on_by_id'], ['user.id'], name=op.f('fk_concern_passed_on_by_id_user')),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupil.id'], name=op.f('fk_concern_pupil_id_pupil')),
    sa.ForeignKeyConstraint(['reporter_id'], ['user.id'], name=op.f('fk_concern_reporter_id_user')),
    sa.ForeignKeyConstraint(['staff_member_id'], ['user.id'], name=op.f('fk_concern_staff_member_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern'))
    )

    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_handler_id'), ['handler_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_pupil_id'), ['pupil_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_source_ref'), ['source_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_status'), ['status'], unique=False)

    op.create_table('blocked_site',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'declined', name='blockstatus', native_enum=False, length=16), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['concern_id'], ['concern.id'], name=op.f('fk_blocked_site_concern_id_concern')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_blocked_site_decided_by_id_user')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_blocked_site_requested_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocked_site')),
    sa.UniqueConstraint('domain', name=op.f('uq_blocked_site_domain'))
    )

    with op.batch_alter_table('blocked_site', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blocked_site_requested_at'), ['requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_blocked_site_status'), ['status'], unique=False)

    op.create_table('concern_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('what', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['concern_id'], ['concern.id'], name=op.f('fk_concern_access_concern_id_concern')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_concern_access_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_access'))
    )

    with op.batch_alter_table('concern_access', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_access_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_access_concern_id'), ['concern_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_access_user_id'), ['user_id'], unique=False)

    op.create_table('concern_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('raised', 'routed', 'assigned', 'started', 'material_marked', 'evidence_added', 'block_requested', 'meeting_held', 'removal_requested', 'provider_contacted', 'police_contacted', 'outcome', 'note', 'resolved', 'referred', 'exported', name='actionkind', native_enum=False, length=26), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_concern_action_by_id_user')),
    sa.ForeignKeyConstraint(['concern_id'], ['concern.id'], name=op.f('fk_concern_action_concern_id_concern')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_action'))
    )

    with op.batch_alter_table('concern_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_action_concern_id'), ['concern_id'], unique=False)

    op.create_table('concern_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_path', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('incident_on', sa.Date(), nullable=True),
    sa.Column('incident_time', sa.Time(), nullable=True),
    sa.ForeignKeyConstraint(['concern_id'], ['concern.id'], name=op.f('fk_concern_evidence_concern_id_concern')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_concern_evidence_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_evidence')),
    sa.UniqueConstraint('stored_path', name=op.f('uq_concern_evidence_stored_path'))
    )

    with op.batch_alter_table('concern_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_evidence_concern_id'), ['concern_id'], unique=False)


def downgrade():
    with op.batch_alter_table('concern_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_evidence_concern_id'))

    op.drop_table('concern_evidence')

    with op.batch_alter_table('concern_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_action_concern_id'))

    op.drop_table('concern_action')

    with op.batch_alter_table('concern_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_access_user_id'))
        batch_op.drop_index(batch_op.f('ix_concern_access_concern_id'))
        batch_op.drop_index(batch_op.f('ix_concern_access_at'))

    op.drop_table('concern_access')

    with op.batch_alter_table('blocked_site', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blocked_site_status'))
        batch_op.drop_index(batch_op.f('ix_blocked_site_requested_at'))

    op.drop_table('blocked_site')

    with op.batch_alter_table('concern', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_status'))
        batch_op.drop_index(batch_op.f('ix_concern_source_ref'))
        batch_op.drop_index(batch_op.f('ix_concern_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_concern_pupil_id'))
        batch_op.drop_index(batch_op.f('ix_concern_kind'))
        batch_op.drop_index(batch_op.f('ix_concern_handler_id'))
        batch_op.drop_index(batch_op.f('ix_concern_created_at'))

    op.drop_table('concern')
