"""name tiles: every pupil gets a coloured-shape avatar, different within their class

Before, a tile showed one of the twelve password pictures, often repeated in a class and
sometimes one of the pupil's own secret pictures. No schema change: the data is rewritten.

Revision ID: tiles17
Revises: features
Create Date: 2026-12-03 08:00:00

"""

import random

import sqlalchemy as sa
from alembic import op

revision = "tiles17"
down_revision = "features"
branch_labels = None
depends_on = None

#: A copy of esafety/school/avatars.py's keys as they were when this ran (migrations keep their
#: own data so a later change to the app cannot change what this did).
_SHAPES = ("heart", "circle", "square", "triangle", "diamond", "hexagon", "leaf", "drop")
_COLOURS = ("red", "orange", "yellow", "green", "blue", "purple")
_AVATARS = [f"{colour}-{shape}" for shape in _SHAPES for colour in _COLOURS]

pupil = sa.table(
    "pupil",
    sa.column("id", sa.Integer),
    sa.column("class_id", sa.Integer),
    sa.column("avatar", sa.String),
)


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.select(pupil.c.id, pupil.c.class_id).order_by(pupil.c.id)).all()
    by_class: dict[int | None, list[int]] = {}
    for pupil_id, class_id in rows:
        by_class.setdefault(class_id, []).append(pupil_id)
    for class_id, pupil_ids in by_class.items():
        order = _AVATARS[:]
        random.Random(class_id or 0).shuffle(order)  # noqa: S311 - variety, not secrecy
        for n, pupil_id in enumerate(pupil_ids):
            connection.execute(
                pupil.update()
                .where(pupil.c.id == pupil_id)
                .values(avatar=order[n % len(order)])
            )


def downgrade():
    op.execute(pupil.update().values(avatar="star"))
