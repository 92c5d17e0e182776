"""one head for all features

Revision ID: features
Revises: induction, lessons, meetings, records, safeguarding, sandbox
Create Date: 2026-11-24 05:57:12.406223

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'features'
down_revision = ('induction', 'lessons', 'meetings', 'records', 'safeguarding', 'sandbox')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
