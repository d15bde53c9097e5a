"""Deliveries: the platform's msgid, indexed, so WeChat's TEMPLATESENDJOBFINISH report finds its record.

Revision ID: notifications_0002
Revises: notifications_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "notifications_0002"
down_revision = "notifications_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("platform_msgid", sa.String(64), nullable=True))
    op.create_index("ix_deliveries_platform_msgid", "deliveries", ["platform_msgid"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_platform_msgid", table_name="deliveries")
    op.drop_column("deliveries", "platform_msgid")
