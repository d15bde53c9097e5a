"""Webhook subscriptions may name the accounts they hear of (NULL: every account, as before).

Revision ID: webhooks_0001
Revises: inbound_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "webhooks_0001"
down_revision = "inbound_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.add_column(sa.Column("accounts_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions") as batch:
        batch.drop_column("accounts_json")
