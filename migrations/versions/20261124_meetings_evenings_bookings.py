"""meetings: parents' e-safety evenings, bookings, audience year groups and resources

Revision ID: meetings
Revises: foundation
Create Date: 2026-11-24 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'meetings'
down_revision = 'foundation'
branch_labels = None  # the revision id 'meetings' already names this branch
depends_on = None


def upgrade():
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description_source', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('max_places_per_booking', sa.Integer(), nullable=False),
    sa.Column('places_taken', sa.Integer(), nullable=False),
    sa.Column('booking_opens_at', sa.DateTime(), nullable=False),
    sa.Column('booking_closes_at', sa.DateTime(), nullable=False),
    sa.Column('cancellation_deadline', sa.DateTime(), nullable=False),
    sa.Column('audience', sa.Enum('all_parents', 'year_groups', name='audience', native_enum=False, length=19), nullable=False),
    sa.Column('resources_note_source', sa.Text(), nullable=False),
    sa.Column('resources_note_html', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('calendar_sequence', sa.Integer(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_meeting_ends_after_it_starts')),
    sa.CheckConstraint('max_places_per_booking >= 1', name=op.f('ck_meeting_at_least_one_place_per_booking')),
    sa.CheckConstraint('places_taken <= capacity', name=op.f('ck_meeting_places_within_capacity')),
    sa.CheckConstraint('places_taken >= 0', name=op.f('ck_meeting_places_taken_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_meeting_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_starts_at'), ['starts_at'], unique=False)

    op.create_table('meeting_year_group',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('year_group', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_year_group_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'year_group', name=op.f('pk_meeting_year_group'))
    )

    op.create_table('booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('confirmed', 'waitlisted', 'cancelled', name='bookingstatus', native_enum=False, length=18), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('promoted_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('reminder_sent_at', sa.DateTime(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.Column('children_year_groups', sa.String(length=40), nullable=False),
    sa.Column('calendar_sequence', sa.Integer(), nullable=False),
    sa.CheckConstraint('places >= 1', name=op.f('ck_booking_at_least_one_place')),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['user.id'], name=op.f('fk_booking_checked_in_by_id_user')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_booking_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['user.id'], name=op.f('fk_booking_parent_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking'))
    )
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index('ix_booking_meeting_id_status', ['meeting_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_parent_id'), ['parent_id'], unique=False)
        # One active booking per parent per evening: a double click cannot make two.
        batch_op.create_index('uq_booking_one_active_per_parent', ['meeting_id', 'parent_id'], unique=True, sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))

    op.create_table('meeting_resource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('original_filename', sa.String(length=200), nullable=False),
    sa.Column('mimetype', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user.id'], name=op.f('fk_meeting_resource_added_by_id_user')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_resource_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_resource'))
    )
    with op.batch_alter_table('meeting_resource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_resource_meeting_id'), ['meeting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('meeting_resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_resource_meeting_id'))
    op.drop_table('meeting_resource')
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('uq_booking_one_active_per_parent', sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))
        batch_op.drop_index(batch_op.f('ix_booking_parent_id'))
        batch_op.drop_index('ix_booking_meeting_id_status')
    op.drop_table('booking')
    op.drop_table('meeting_year_group')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_starts_at'))
    op.drop_table('meeting')
