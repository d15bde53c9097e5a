"""The follower list as a sync walked it (written and dropped by the ``wechat.followers.sync`` job).

Revision ID: followers_0002
Revises: followers_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "followers_0002"
down_revision = "followers_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wechat_follower_listings",
        sa.Column("sync_id", sa.String(36), nullable=False),
        sa.Column("openid", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("sync_id", "openid", name=op.f("pk_wechat_follower_listings")),
    )


def downgrade() -> None:
    op.drop_table("wechat_follower_listings")
