"""Accounts added through the admin API (more Official Accounts, mini-programs, WeCom and DingTalk apps).

Revision ID: accounts_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0001"
down_revision = "0001"
branch_labels = ("accounts",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("secrets_sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("platform", "code", name="uq_accounts_platform_code"),
    )


def downgrade() -> None:
    op.drop_table("accounts")
