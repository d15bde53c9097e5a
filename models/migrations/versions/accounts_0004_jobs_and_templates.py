"""Admin jobs and WeChat private templates carry their account; a template id and a code are unique per account.
Existing rows are the default account's.

Revision ID: accounts_0004
Revises: accounts_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "accounts_0004"
down_revision = "accounts_0003"
branch_labels = None
depends_on = ("wechat_0001",)


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("account", sa.String(32), nullable=False, server_default="default"))
    with op.batch_alter_table("wechat_templates") as batch:
        batch.add_column(sa.Column("account", sa.String(32), nullable=False, server_default="default"))
        batch.drop_constraint("uq_wechat_templates_template_id", type_="unique")
        batch.drop_constraint("uq_wechat_templates_code", type_="unique")
        batch.create_unique_constraint("uq_wechat_templates_account_template_id", ["account", "template_id"])
        batch.create_unique_constraint("uq_wechat_templates_account_code", ["account", "code"])


def downgrade() -> None:
    with op.batch_alter_table("wechat_templates") as batch:
        batch.drop_constraint("uq_wechat_templates_account_code", type_="unique")
        batch.drop_constraint("uq_wechat_templates_account_template_id", type_="unique")
        batch.create_unique_constraint("uq_wechat_templates_code", ["code"])
        batch.create_unique_constraint("uq_wechat_templates_template_id", ["template_id"])
        batch.drop_column("account")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("account")
