"""Outcome callbacks: webhook deliveries of a notification's final status, and subscriptions an API client owns.

Revision ID: inbound_0002
Revises: inbound_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "inbound_0002"
down_revision = "inbound_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.alter_column("inbound_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("notification_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(16), nullable=True))
        batch.create_index("ix_webhook_deliveries_notification_id", ["notification_id"])
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.add_column(sa.Column("client_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_webhook_subscriptions_client_id_api_clients"), "api_clients",
                                 ["client_id"], ["id"], ondelete="CASCADE")


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.drop_constraint(op.f("fk_webhook_subscriptions_client_id_api_clients"), type_="foreignkey")
        batch.drop_column("client_id")
    op.execute("DELETE FROM webhook_deliveries WHERE inbound_id IS NULL")
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_index("ix_webhook_deliveries_notification_id")
        batch.drop_column("outcome")
        batch.drop_column("notification_id")
        batch.alter_column("inbound_id", existing_type=sa.Integer(), nullable=False)
