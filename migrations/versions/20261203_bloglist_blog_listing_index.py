"""blog listing index: a page of a class's blog read from an index in order

Revision ID: bloglist
Revises: findings
Create Date: 2026-12-03 12:00:00

"""

from alembic import op

revision = "bloglist"
down_revision = "findings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_blog_post_class_listing", "blog_post", ["class_id", "state", "decided_at", "id"]
    )


def downgrade():
    op.drop_index("ix_blog_post_class_listing", table_name="blog_post")
