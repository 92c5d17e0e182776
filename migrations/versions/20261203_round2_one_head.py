"""One head again after the round-2 features' migrations.

Revision ID: round2
Revises: checker2, dslteam, gov18, knowcheck, outbox, revisions, tiles17, trust
Create Date: 2026-12-03
"""

revision = "round2"
down_revision = (
    "checker2",
    "dslteam",
    "gov18",
    "knowcheck",
    "outbox",
    "revisions",
    "tiles17",
    "trust",
)
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
