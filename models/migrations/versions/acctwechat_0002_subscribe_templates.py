"""WeChat subscription templates carry their account: what was ``account`` (``oa`` or ``applet``, the kind of
app) is now ``app``, and ``account`` is the account's code; a template id is unique per (account, app), a code per
account. Existing rows are the default account's.

Revision ID: acctwechat_0002
Revises: acctwechat_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "acctwechat_0002"
down_revision = "acctwechat_0001"
branch_labels = None
depends_on = ("subscribe_0001",)

TABLE = "wechat_subscribe_templates"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint("uq_wechat_subscribe_templates_account", type_="unique")
        batch.drop_constraint("uq_wechat_subscribe_templates_code", type_="unique")
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("account", new_column_name="app", existing_type=sa.String(16), existing_nullable=False)
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("account", sa.String(32), nullable=False, server_default="default"))
        batch.create_unique_constraint("uq_wechat_subscribe_templates_account_app", ["account", "app", "template_id"])
        batch.create_unique_constraint("uq_wechat_subscribe_templates_account_code", ["account", "code"])


def downgrade() -> None:
    """Keeps the default account's rows only: others' ids and codes would collide with them."""
    op.execute(sa.text(f"DELETE FROM {TABLE} WHERE account <> 'default'"))
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint("uq_wechat_subscribe_templates_account_code", type_="unique")
        batch.drop_constraint("uq_wechat_subscribe_templates_account_app", type_="unique")
        batch.drop_column("account")
    with op.batch_alter_table(TABLE) as batch:
        batch.alter_column("app", new_column_name="account", existing_type=sa.String(16), existing_nullable=False)
    with op.batch_alter_table(TABLE) as batch:
        batch.create_unique_constraint("uq_wechat_subscribe_templates_account", ["account", "template_id"])
        batch.create_unique_constraint("uq_wechat_subscribe_templates_code", ["code"])
