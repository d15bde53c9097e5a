"""WeChat Official Account management: jobs, private templates, menu drafts, media.

Revision ID: wechat_0001
Revises: 0001
Depends on: notifications_0001 (media rows point at blobs)
"""

import sqlalchemy as sa
from alembic import op

revision = "wechat_0001"
down_revision = "0001"
branch_labels = ("wechat",)
depends_on = ("notifications_0001",)

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("errcode", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("enqueued_at", _TS, nullable=True),
        sa.Column("next_attempt_at", _TS, nullable=True),
        sa.Column("lease_until", _TS, nullable=True),
        sa.Column("budget_started_at", _TS, nullable=False),
        sa.Column("started_at", _TS, nullable=True),
        sa.Column("finished_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index("ix_jobs_status_next_attempt_at", "jobs", ["status", "next_attempt_at"])
    op.create_index("ix_jobs_created_at", "jobs", ["created_at"])
    op.create_index("ix_jobs_kind", "jobs", ["kind"])
    op.create_table(
        "wechat_templates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("template_id", sa.String(128), nullable=False),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("primary_industry", sa.String(100), nullable=False),
        sa.Column("deputy_industry", sa.String(100), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("example", sa.Text(), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("synced_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_templates")),
        sa.UniqueConstraint("template_id", name=op.f("uq_wechat_templates_template_id")),
        sa.UniqueConstraint("code", name=op.f("uq_wechat_templates_code")),
    )
    op.create_table(
        "wechat_menus",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("remark", sa.Text(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("published_at", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_menus")),
    )
    op.create_index("uq_wechat_menus_published", "wechat_menus", ["published"], unique=True,
                    sqlite_where=sa.text("published"), postgresql_where=sa.text("published"))
    op.create_table(
        "wechat_media",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column("type", sa.String(8), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("media_id", sa.String(128), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("title", sa.String(64), nullable=True),
        sa.Column("introduction", sa.Text(), nullable=True),
        sa.Column("blob_id", sa.String(64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(100), nullable=True),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("job_id", sa.String(36), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("errcode", sa.Integer(), nullable=True),
        sa.Column("remote_update_time", sa.Integer(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("uploaded_at", _TS, nullable=True),
        sa.Column("expires_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_media")),
        sa.ForeignKeyConstraint(["blob_id"], ["blobs.id"], name=op.f("fk_wechat_media_blob_id_blobs")),
        sa.UniqueConstraint("media_id", name=op.f("uq_wechat_media_media_id")),
    )


def downgrade() -> None:
    op.drop_table("wechat_media")
    op.drop_index("uq_wechat_menus_published", table_name="wechat_menus")
    op.drop_table("wechat_menus")
    op.drop_table("wechat_templates")
    op.drop_index("ix_jobs_kind", table_name="jobs")
    op.drop_index("ix_jobs_created_at", table_name="jobs")
    op.drop_index("ix_jobs_status_next_attempt_at", table_name="jobs")
    op.drop_table("jobs")
