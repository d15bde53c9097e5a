"""Notifications carry the account that sends them; those accepted before are the default account's.

Revision ID: accounts_0003
Revises: accounts_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0003"
down_revision = "accounts_0002"
branch_labels = None
depends_on = ("notifications_0001",)


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("account", sa.String(32), nullable=False, server_default="default"))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("account")
