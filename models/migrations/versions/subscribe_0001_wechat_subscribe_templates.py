"""WeChat subscription-message templates (Official Account and mini-program), synced plus local fields.

Revision ID: subscribe_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "subscribe_0001"
down_revision = "0001"
branch_labels = ("subscribe",)
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "wechat_subscribe_templates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account", sa.String(16), nullable=False),
        sa.Column("template_id", sa.String(128), nullable=False),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("example", sa.Text(), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        sa.Column("keys", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("synced_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_subscribe_templates")),
        sa.UniqueConstraint("account", "template_id", name=op.f("uq_wechat_subscribe_templates_account")),
        sa.UniqueConstraint("code", name=op.f("uq_wechat_subscribe_templates_code")),
    )


def downgrade() -> None:
    op.drop_table("wechat_subscribe_templates")
