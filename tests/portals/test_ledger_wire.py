"""The ledger's own Redis connection per thread: replies, error replies, timeouts and broken connections behave as
through redis-py's client, and a connection is never left answering the wrong command."""

from __future__ import annotations

import pytest
import redis

from ingress.portals import ledger as ledger_module
from ingress.portals.ledger import Ledger


@pytest.fixture
def ledger(redis_client):
    return Ledger(redis_client.connection_pool, 60, 1.0)


def test_replies_come_back_as_redis_py_returns_them(ledger, redis_client):
    redis_client.rpush("list", "a", "b")
    assert ledger.execute("LRANGE", "list", 0, -1) == [b"a", b"b"]
    assert ledger.execute("GET", "missing") is None
    assert ledger.execute("INCRBY", "n", 5) == 5
    assert ledger.execute("SET", "k", b"\x00binary\xff") == b"OK"
    assert redis_client.get("k") == b"\x00binary\xff"
    big = "x" * 200_000  # larger than one read
    ledger.execute("SET", "big", big)
    assert ledger.execute("GET", "big") == big.encode()


def test_an_error_reply_is_raised_and_the_connection_goes_on(ledger, redis_client):
    redis_client.set("text", "not a number")
    connection_id = ledger.execute("CLIENT", "ID")
    with pytest.raises(redis.ResponseError, match="not an integer"):
        ledger.execute("INCR", "text")
    with pytest.raises(redis.exceptions.NoScriptError):
        ledger.execute("EVALSHA", "0" * 40, 0)
    assert ledger.execute("CLIENT", "ID") == connection_id


def test_a_timeout_is_raised_not_retried_and_the_late_reply_answers_nothing(ledger, redis_client, monkeypatch):
    monkeypatch.setattr(ledger_module, "SOCKET_TIMEOUT", 0.2)
    first_id = ledger.execute("CLIENT", "ID")
    with pytest.raises(redis.TimeoutError):
        ledger.execute("BLPOP", "queue", 0)  # blocks: Redis has nothing to say within the timeout
    redis_client.rpush("queue", "late")
    assert ledger.execute("ECHO", "mine") == b"mine"  # a new connection, not the BLPOP's answer
    assert ledger.execute("CLIENT", "ID") != first_id
    assert redis_client.lrange("queue", 0, -1) == [b"late"]  # the abandoned BLPOP took nothing


def test_a_killed_connection_is_replaced_once_at_once(ledger, redis_client):
    first_id = ledger.execute("CLIENT", "ID")
    redis_client.client_kill_filter(_id=first_id)
    assert ledger.execute("ECHO", "again") == b"again"
    assert ledger.execute("CLIENT", "ID") != first_id


def test_no_redis_is_a_connection_error():
    ledger = Ledger(redis.ConnectionPool.from_url("redis://127.0.0.1:1/0"), 60, 1.0)
    with pytest.raises(redis.ConnectionError):
        ledger.execute("PING")


def test_the_portals_use_the_redis_of_the_runtime_they_are_given(portal_settings, redis_client):
    """The ledger's connections come from the runtime's pool: a callback is claimed and queued there even when the
    settings' own ``redis.url`` leads nowhere."""
    import time

    import falcon.testing

    from core.inbox import INBOX_KEY
    from core.runtime import Runtime
    from core.tasks import Tasks
    from ingress import create_app
    from models import Database
    from sandbox import callbacks
    from tests.portals.conftest import post_wechat

    settings = portal_settings()
    nowhere = settings.model_copy(update={"redis": settings.redis.model_copy(update={"url": "redis://127.0.0.1:1/0"})})
    database = Database.from_settings(settings)
    try:
        app = create_app(nowhere, Runtime(nowhere, redis_client, database), Tasks.from_settings(settings))
        fields = {"ToUserName": callbacks.original_id(settings), "FromUserName": "oLedger01",
                  "CreateTime": int(time.time()), "MsgType": "text", "Content": "hello", "MsgId": 4242}
        assert post_wechat(falcon.testing.TestClient(app), settings, fields).status_code == 200
        assert redis_client.llen(INBOX_KEY) == 1
    finally:
        database.dispose()
