"""WeChat published articles and drafts, as the last sync listed them.

Revision ID: articles_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "articles_0001"
down_revision = "0001"
branch_labels = ("articles",)
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wechat_articles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("platform_id", sa.String(128), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("articles", sa.JSON(), nullable=False),
        sa.Column("updated_at", _TS, nullable=True),
        sa.Column("synced_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_articles")),
        sa.UniqueConstraint("kind", "platform_id", name=op.f("uq_wechat_articles_kind")),
    )


def downgrade() -> None:
    op.drop_table("wechat_articles")
