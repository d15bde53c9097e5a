"""Retention: webhook deliveries indexed by age, so the prune reads no more rows than it deletes, and by inbound
message, so deleting a message finds its deliveries (``ON DELETE CASCADE``) without reading the whole table.

(Deliveries, jobs and inbound messages have their age index already; attempts their delivery's.)

Revision ID: retention_0001
Revises: inbound_0001
"""

from alembic import op

revision = "retention_0001"
down_revision = "inbound_0001"
branch_labels = ("retention",)
depends_on = None


def upgrade() -> None:
    op.create_index("ix_webhook_deliveries_created_at", "webhook_deliveries", ["created_at"])
    op.create_index("ix_webhook_deliveries_inbound_id", "webhook_deliveries", ["inbound_id"])


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_inbound_id", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_created_at", table_name="webhook_deliveries")
