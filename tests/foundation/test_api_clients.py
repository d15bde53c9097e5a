"""API clients on every supported database: keys are stored hashed, revocable, checked by scope."""

from __future__ import annotations

from models import Database, Scope
from models.api_clients import ApiClient, authenticate, create_api_client, revoke_api_client
from models.migrate import current_revisions, head_revisions


def test_migrations_reach_head(database_url):
    assert current_revisions(Database(database_url)) == head_revisions()


def test_key_is_shown_once_and_only_its_hash_is_stored(database_url):
    database = Database(database_url)
    with database.session() as session:
        client, key = create_api_client(session, "billing", Scope.NOTIFY)
    with database.session() as session:
        stored = session.get(ApiClient, client.id)
        assert key not in (stored.key_hash, stored.key_id, stored.name)
        assert authenticate(session, key).name == "billing"
        assert authenticate(session, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
        assert authenticate(session, "imb_nope") is None


def test_revoked_key_no_longer_authenticates(database_url):
    database = Database(database_url)
    with database.session() as session:
        _, key = create_api_client(session, "ops", Scope.ADMIN)
    with database.session() as session:
        assert revoke_api_client(session, "ops") == 1
    with database.session() as session:
        assert authenticate(session, key) is None


def test_admin_scope_includes_notify():
    assert Scope.ADMIN.allows(Scope.NOTIFY)
    assert not Scope.NOTIFY.allows(Scope.ADMIN)
