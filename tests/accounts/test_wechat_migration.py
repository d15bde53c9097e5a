"""The migration that gives followers, tags, follower listings, mass sends and articles their account: rows made
before it are the default account's, the same openid or tag id can then be another account's too, and the tables
are what the models say (SQLite, and PostgreSQL when ``$DATABASE_URL`` is set)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from models import Base, Database
from models.migrate import _alembic_config, upgrade

TABLES = ("wechat_followers", "wechat_tags", "wechat_follower_listings", "wechat_mass_sends", "wechat_articles",
          "wechat_subscribe_templates")
NOW = "2026-12-01 10:00:00+00:00"


def _downgrade_branch(database: Database) -> None:
    config = _alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "followers_0002")  # only what stands on it: this branch


def test_rows_made_before_are_the_default_accounts_and_keys_are_per_account(database_url):
    database = Database(database_url)
    try:
        _downgrade_branch(database)
        with database.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO wechat_followers (openid, subscribed, remark, tag_ids, fetched_at) "
                "VALUES ('oBefore', true, 'VIP', '[100]', :now)"), {"now": NOW})
            connection.execute(text(
                "INSERT INTO wechat_tags (id, name, count, synced_at) VALUES (100, 'VIP', 1, :now)"), {"now": NOW})
            connection.execute(text("INSERT INTO wechat_follower_listings (sync_id, openid) VALUES ('s1', 'oBefore')"))
            connection.execute(text(
                "INSERT INTO wechat_mass_sends (status, audience, openids, msgtype, message, send_ignore_reprint, "
                "created_at, updated_at) VALUES ('draft', 'all', '[]', 'text', '{}', false, :now, :now)"), {"now": NOW})
            connection.execute(text(
                "INSERT INTO wechat_articles (kind, platform_id, title, articles, synced_at) "
                "VALUES ('published', 'a1', 't', '[]', :now)"), {"now": NOW})
            connection.execute(text(
                "INSERT INTO wechat_subscribe_templates (account, template_id, code, name, enabled, title, content, "
                "example, kind, keys, created_at, updated_at, synced_at) VALUES ('applet', 't1', 'order', 'n', true, "
                "'', '', '', 2, '[]', :now, :now, :now)"), {"now": NOW})
        upgrade(database)
        with database.engine.begin() as connection:
            for table in TABLES:
                assert connection.execute(text(f"SELECT account FROM {table}")).scalars().all() == ["default"], table
            # The same keys in another account are other rows.
            connection.execute(text(
                "INSERT INTO wechat_followers (account, openid, subscribed, remark, tag_ids, fetched_at) "
                "VALUES ('sales', 'oBefore', true, '', '[]', :now)"), {"now": NOW})
            connection.execute(text(
                "INSERT INTO wechat_tags (account, id, name, count, synced_at) VALUES ('sales', 100, 'VIP', 0, :now)"),
                {"now": NOW})
            connection.execute(text(
                "INSERT INTO wechat_articles (account, kind, platform_id, title, articles, synced_at) "
                "VALUES ('sales', 'published', 'a1', 't', '[]', :now)"), {"now": NOW})
            assert connection.execute(text("SELECT count(*) FROM wechat_followers")).scalar() == 2
            # What was the subscription template's account is its app now; the same id and code in another account.
            assert connection.execute(text("SELECT app FROM wechat_subscribe_templates")).scalar() == "applet"
            connection.execute(text(
                "INSERT INTO wechat_subscribe_templates (account, app, template_id, code, name, enabled, title, "
                "content, example, kind, keys, created_at, updated_at, synced_at) VALUES ('sales', 'applet', 't1', "
                "'order', 'n', true, '', '', '', 2, '[]', :now, :now, :now)"), {"now": NOW})
    finally:
        database.dispose()


def test_the_tables_are_what_the_models_say(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        database.dispose()
    assert [d for d in differences if any(table in str(d) for table in TABLES)] == []


def test_the_branch_goes_down_and_up_again(database_url):
    database = Database(database_url)
    try:
        with database.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO wechat_tags (account, id, name, count, synced_at) "
                "VALUES ('default', 100, 'VIP', 0, :now), ('sales', 100, 'VIP', 0, :now)"), {"now": NOW})
        _downgrade_branch(database)  # the default account's rows stay, others' would collide with them
        with database.engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM wechat_tags")).scalar() == 1
        upgrade(database)
    finally:
        database.dispose()
