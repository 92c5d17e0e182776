"""sandbox: class blogs, moderation, reports, pictures, the public news feed

Revision ID: sandbox
Revises: foundation
Create Date: 2026-11-24 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "sandbox"
down_revision = "foundation"
branch_labels = None  # the revision id 'sandbox' already names this branch
depends_on = None


def upgrade():
    op.create_table(
        "news_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft", "published", "withdrawn", name="newsstate", native_enum=False, length=17
            ),
            nullable=False,
        ),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("no_pupils_in_photos", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_news_item_author_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["user.id"], name=op.f("fk_news_item_published_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_item")),
    )
    with op.batch_alter_table("news_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_news_item_published_at"), ["published_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_news_item_state"), ["state"], unique=False)
    op.create_table(
        "news_publisher",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["user.id"], name=op.f("fk_news_publisher_approved_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_news_publisher_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_news_publisher")),
    )
    op.create_table(
        "blog_post",
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("no_pupils_in_photos", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "pending",
                "approved",
                "returned",
                "hidden",
                "removed",
                name="itemstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_blog_post_author_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["school_class.id"], name=op.f("fk_blog_post_class_id_school_class")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_blog_post_decided_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_post")),
    )
    with op.batch_alter_table("blog_post", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blog_post_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_blog_post_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_blog_post_state"), ["state"], unique=False)
    op.create_table(
        "posting_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closes_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"], ["school_class.id"], name=op.f("fk_posting_window_class_id_school_class")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["user.id"], name=op.f("fk_posting_window_closed_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["user.id"], name=op.f("fk_posting_window_opened_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posting_window")),
    )
    with op.batch_alter_table("posting_window", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_posting_window_class_id"), ["class_id"], unique=False)
    op.create_table(
        "blog_comment",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "pending",
                "approved",
                "returned",
                "hidden",
                "removed",
                name="itemstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_blog_comment_author_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_blog_comment_decided_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["blog_post.id"], name=op.f("fk_blog_comment_post_id_blog_post")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_comment")),
    )
    with op.batch_alter_table("blog_comment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blog_comment_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_blog_comment_post_id"), ["post_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_blog_comment_state"), ["state"], unique=False)
    op.create_table(
        "blog_image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("news_item_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("photo", "drawing", name="imagekind", native_enum=False, length=15),
            nullable=False,
        ),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(post_id IS NULL) <> (news_item_id IS NULL)", name=op.f("ck_blog_image_one_owner")
        ),
        sa.ForeignKeyConstraint(
            ["news_item_id"],
            ["news_item.id"],
            name=op.f("fk_blog_image_news_item_id_news_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["blog_post.id"],
            name=op.f("fk_blog_image_post_id_blog_post"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["user.id"], name=op.f("fk_blog_image_uploaded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_image")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_blog_image_stored_name")),
    )
    with op.batch_alter_table("blog_image", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blog_image_news_item_id"), ["news_item_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_blog_image_post_id"), ["post_id"], unique=False)
    op.create_table(
        "blog_post_pupil",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("tagged_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["blog_post.id"],
            name=op.f("fk_blog_post_pupil_post_id_blog_post"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"],
            ["pupil.id"],
            name=op.f("fk_blog_post_pupil_pupil_id_pupil"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tagged_by_id"], ["user.id"], name=op.f("fk_blog_post_pupil_tagged_by_id_user")
        ),
        sa.PrimaryKeyConstraint("post_id", "pupil_id", name=op.f("pk_blog_post_pupil")),
    )
    op.create_table(
        "news_item_pupil",
        sa.Column("news_item_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("tagged_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["news_item_id"],
            ["news_item.id"],
            name=op.f("fk_news_item_pupil_news_item_id_news_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"],
            ["pupil.id"],
            name=op.f("fk_news_item_pupil_pupil_id_pupil"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tagged_by_id"], ["user.id"], name=op.f("fk_news_item_pupil_tagged_by_id_user")
        ),
        sa.PrimaryKeyConstraint("news_item_id", "pupil_id", name=op.f("pk_news_item_pupil")),
    )
    op.create_table(
        "blog_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "unkind",
                "personal_information",
                "worries_me",
                "something_else",
                name="reportreason",
                native_enum=False,
                length=28,
            ),
            nullable=False,
        ),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("reported_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open", "upheld", "dismissed", name="reportstate", native_enum=False, length=17
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("passed_on_at", sa.DateTime(), nullable=True),
        sa.Column("passed_on_by_id", sa.Integer(), nullable=True),
        sa.Column("concern_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(post_id IS NULL) <> (comment_id IS NULL)", name=op.f("ck_blog_report_one_item")
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["school_class.id"], name=op.f("fk_blog_report_class_id_school_class")
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["blog_comment.id"], name=op.f("fk_blog_report_comment_id_blog_comment")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_blog_report_decided_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["passed_on_by_id"], ["user.id"], name=op.f("fk_blog_report_passed_on_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["blog_post.id"], name=op.f("fk_blog_report_post_id_blog_post")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["user.id"], name=op.f("fk_blog_report_reporter_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blog_report")),
    )
    with op.batch_alter_table("blog_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blog_report_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_blog_report_comment_id"), ["comment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_blog_report_post_id"), ["post_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_blog_report_reporter_id"), ["reporter_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_blog_report_state"), ["state"], unique=False)


def downgrade():
    op.drop_table("blog_report")
    op.drop_table("news_item_pupil")
    op.drop_table("blog_post_pupil")
    op.drop_table("blog_image")
    op.drop_table("blog_comment")
    op.drop_table("posting_window")
    op.drop_table("blog_post")
    op.drop_table("news_publisher")
    op.drop_table("news_item")
