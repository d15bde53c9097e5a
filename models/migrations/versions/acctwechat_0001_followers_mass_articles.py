"""WeChat followers, tags, follower listings, mass sends and articles carry their account: openids, tag ids,
msg_ids and article ids are each Official Account's own, so followers are keyed by (account, openid), tags by
(account, id), and an article by (account, kind, id). Existing rows are the default account's.

Revision ID: acctwechat_0001
Revises: followers_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "acctwechat_0001"
down_revision = "followers_0002"
branch_labels = ("acctwechat",)
depends_on = ("mass_0001", "articles_0001")


def _account() -> sa.Column:
    return sa.Column("account", sa.String(32), nullable=False, server_default="default")


def upgrade() -> None:
    for table, key in (("wechat_followers", "openid"), ("wechat_tags", "id")):
        with op.batch_alter_table(table) as batch:
            batch.add_column(_account())
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", ["account", key])
    with op.batch_alter_table("wechat_follower_listings") as batch:
        batch.add_column(_account())
    with op.batch_alter_table("wechat_mass_sends") as batch:
        batch.add_column(_account())
    with op.batch_alter_table("wechat_articles") as batch:
        batch.add_column(_account())
        batch.drop_constraint("uq_wechat_articles_kind", type_="unique")
        batch.create_unique_constraint("uq_wechat_articles_account", ["account", "kind", "platform_id"])


def downgrade() -> None:
    """Keeps the default account's rows only: others' keys would collide with them."""
    for table in ("wechat_followers", "wechat_tags", "wechat_follower_listings", "wechat_mass_sends",
                  "wechat_articles"):
        op.execute(sa.text(f"DELETE FROM {table} WHERE account <> 'default'"))  # fixed names
    with op.batch_alter_table("wechat_articles") as batch:
        batch.drop_constraint("uq_wechat_articles_account", type_="unique")
        batch.create_unique_constraint("uq_wechat_articles_kind", ["kind", "platform_id"])
        batch.drop_column("account")
    for table in ("wechat_mass_sends", "wechat_follower_listings"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("account")
    for table, key in (("wechat_followers", "openid"), ("wechat_tags", "id")):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", [key])
            batch.drop_column("account")
