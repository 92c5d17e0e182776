"""One head again: the long-wait notices beside the roles, findings and blog-list changes.

Revision ID: round2b
Revises: bloglist, waitnotice
Create Date: 2026-12-03
"""

revision = "round2b"
down_revision = ("bloglist", "waitnotice")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
