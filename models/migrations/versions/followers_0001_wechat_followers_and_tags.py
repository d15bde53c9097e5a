"""WeChat followers and tags, as the platform last answered (written by the followers jobs).

Revision ID: followers_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "followers_0001"
down_revision = "0001"
branch_labels = ("followers",)
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wechat_followers",
        sa.Column("openid", sa.String(64), nullable=False),
        sa.Column("subscribed", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("subscribed_at", _TS, nullable=True),
        sa.Column("unionid", sa.String(64), nullable=True),
        sa.Column("remark", sa.String(30), nullable=False),
        sa.Column("tag_ids", sa.JSON(), nullable=False),
        sa.Column("subscribe_scene", sa.String(64), nullable=True),
        sa.Column("qr_scene", sa.String(64), nullable=True),
        sa.Column("fetched_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("openid", name=op.f("pk_wechat_followers")),
    )
    op.create_table(
        "wechat_tags",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(30), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("synced_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_tags")),
    )


def downgrade() -> None:
    op.drop_table("wechat_tags")
    op.drop_table("wechat_followers")
