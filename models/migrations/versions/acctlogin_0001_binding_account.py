"""Bindings carry the account (Official Account or mini-program) whose app their openid belongs to; existing
bindings are the default account's. ``(platform, account, openid)`` is unique instead of ``(platform, openid)``.

Revision ID: acctlogin_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "acctlogin_0001"
down_revision = "0001"
branch_labels = ("acctlogin",)
depends_on = ("users_0001", "accounts_0006")


def upgrade() -> None:
    with op.batch_alter_table("third_party_bindings") as batch:
        batch.add_column(sa.Column("account", sa.String(32), nullable=False, server_default="default"))
        batch.drop_constraint("uq_third_party_bindings_platform", type_="unique")
        batch.create_unique_constraint("uq_third_party_bindings_platform_account", ["platform", "account", "openid"])


def downgrade() -> None:
    with op.batch_alter_table("third_party_bindings") as batch:
        batch.drop_constraint("uq_third_party_bindings_platform_account", type_="unique")
        batch.create_unique_constraint("uq_third_party_bindings_platform", ["platform", "openid"])
        batch.drop_column("account")
