"""Inbound messages, webhook subscriptions and deliveries.

Revision ID: inbound_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "inbound_0001"
down_revision = "0001"
branch_labels = ("inbound",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("app", sa.String(64), nullable=False),
        sa.Column("msg_type", sa.String(32), nullable=False),
        sa.Column("event", sa.String(64), nullable=True),
        sa.Column("event_key", sa.String(1024), nullable=True),
        sa.Column("from_user", sa.String(128), nullable=False),
        sa.Column("to_user", sa.String(128), nullable=False),
        sa.Column("msg_id", sa.String(64), nullable=True),
        sa.Column("dedup_key", sa.String(255), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("handler", sa.String(100), nullable=True),
        sa.Column("reply", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_inbound_messages_dedup_key")),
    )
    op.create_index("ix_inbound_messages_received_at", "inbound_messages", ["received_at"])
    op.create_index("ix_inbound_messages_from_user", "inbound_messages", ["from_user"])
    op.create_index("ix_inbound_messages_msg_type_event", "inbound_messages", ["msg_type", "event"])

    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("events_json", sa.Text(), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("inbound_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["subscription_id"], ["webhook_subscriptions.id"], ondelete="CASCADE",
                                name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions")),
        sa.ForeignKeyConstraint(["inbound_id"], ["inbound_messages.id"], ondelete="CASCADE",
                                name=op.f("fk_webhook_deliveries_inbound_id_inbound_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("subscription_id", "inbound_id", name=op.f("uq_webhook_deliveries_subscription_id")),
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")
    op.drop_index("ix_inbound_messages_msg_type_event", table_name="inbound_messages")
    op.drop_index("ix_inbound_messages_from_user", table_name="inbound_messages")
    op.drop_index("ix_inbound_messages_received_at", table_name="inbound_messages")
    op.drop_table("inbound_messages")
