"""Fan-out groups: one request to several targets, one delivery record each.

Revision ID: notifications_0004
Revises: notifications_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "notifications_0004"
down_revision = "notifications_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_groups",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_groups")),
        sa.ForeignKeyConstraint(["client_id"], ["api_clients.id"], ondelete="SET NULL",
                                name=op.f("fk_notification_groups_client_id_api_clients")),
        sa.UniqueConstraint("client_id", "idempotency_key", name="uq_notification_groups_client_id_idempotency_key"),
    )
    op.add_column("deliveries", sa.Column("group_id", sa.String(36), nullable=True))
    op.create_index("ix_deliveries_group_id", "deliveries", ["group_id"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_group_id", table_name="deliveries")
    op.drop_column("deliveries", "group_id")
    op.drop_table("notification_groups")
