"""WeChat media carry their account (a platform media_id is unique within its account); existing rows are the
default account's.

Revision ID: accounts_0006
Revises: accounts_0005
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0006"
down_revision = "accounts_0005"
branch_labels = None
depends_on = ("wechat_0001",)


def upgrade() -> None:
    with op.batch_alter_table("wechat_media") as batch:
        batch.add_column(sa.Column("account", sa.String(32), nullable=False, server_default="default"))
        batch.drop_constraint("uq_wechat_media_media_id", type_="unique")
        batch.create_unique_constraint("uq_wechat_media_account_media_id", ["account", "media_id"])


def downgrade() -> None:
    with op.batch_alter_table("wechat_media") as batch:
        batch.drop_constraint("uq_wechat_media_account_media_id", type_="unique")
        batch.create_unique_constraint("uq_wechat_media_media_id", ["media_id"])
        batch.drop_column("account")
