"""Verified API keys are remembered briefly: revocation here is immediate, elsewhere within the TTL."""

from __future__ import annotations

from ingress.keycache import ApiKeyCache
from models import ApiClient, Database, Scope
from models.api_clients import create_api_client, revoke_api_client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_revoked_elsewhere_stops_working_within_the_ttl(database_url):
    database, clock = Database(database_url), Clock()
    with database.session() as session:
        _, key = create_api_client(session, "crm", Scope.NOTIFY)
    cache = ApiKeyCache(database, ttl=5.0, clock=clock)
    assert cache.lookup(key).name == "crm"
    with database.session() as session:  # another replica, or `imbridge apikey revoke`
        revoke_api_client(session, "crm")
    clock.now += 4.9
    assert cache.lookup(key) is not None
    clock.now += 0.2
    assert cache.lookup(key) is None


def test_a_key_revoked_here_is_forgotten_at_once(database_url):
    database = Database(database_url)
    with database.session() as session:
        client, key = create_api_client(session, "crm", Scope.NOTIFY)
    cache = ApiKeyCache(database)
    assert cache.lookup(key) is not None
    with database.session() as session:
        revoke_api_client(session, "crm")
    cache.forget(client.key_id)
    assert cache.lookup(key) is None


def test_a_wrong_key_with_a_right_prefix_is_refused_though_the_right_one_is_cached(database_url):
    database = Database(database_url)
    with database.session() as session:
        _, key = create_api_client(session, "crm", Scope.NOTIFY)
    cache = ApiKeyCache(database)
    assert cache.lookup(key) is not None
    assert cache.lookup(key[:-1] + ("A" if key[-1] != "A" else "B")) is None


def test_use_is_recorded(database_url):
    database = Database(database_url)
    with database.session() as session:
        client, key = create_api_client(session, "crm", Scope.NOTIFY)
    ApiKeyCache(database).lookup(key)
    with database.session() as session:
        assert session.get(ApiClient, client.id).last_used_at is not None
