"""WeChat menus carry their account, and each account has at most one published menu; existing rows are the
default account's.

Revision ID: accounts_0005
Revises: accounts_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0005"
down_revision = "accounts_0004"
branch_labels = None
depends_on = ("wechat_0001",)


def upgrade() -> None:
    op.drop_index("uq_wechat_menus_published", table_name="wechat_menus")
    with op.batch_alter_table("wechat_menus") as batch:
        batch.add_column(sa.Column("account", sa.String(32), nullable=False, server_default="default"))
    op.create_index("uq_wechat_menus_account_published", "wechat_menus", ["account", "published"], unique=True,
                    sqlite_where=sa.text("published"), postgresql_where=sa.text("published"))


def downgrade() -> None:
    op.drop_index("uq_wechat_menus_account_published", table_name="wechat_menus")
    with op.batch_alter_table("wechat_menus") as batch:
        batch.drop_column("account")
    op.create_index("uq_wechat_menus_published", "wechat_menus", ["published"], unique=True,
                    sqlite_where=sa.text("published"), postgresql_where=sa.text("published"))
