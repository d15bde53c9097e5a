"""The Redis token store, against a real Redis (``REDIS_URL`` or the embedded server)."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from core.tokens import RedisTokenStore
from platforms.errors import PermanentError, RetryLaterError
from platforms.tokens import StoreTokenSource, TokenGrant
from tests.platforms.fakes import FakePlatform

APP = "wechat:wx-test"


class Fetcher:
    """Counts calls; each returns a new token. ``delay`` widens the race window."""

    def __init__(self, expires_in: int = 7200, delay: float = 0.0, error: Exception | None = None) -> None:
        self.calls = 0
        self.expires_in = expires_in
        self.delay = delay
        self.error = error
        self._lock = threading.Lock()

    def __call__(self) -> TokenGrant:
        with self._lock:
            self.calls += 1
            n = self.calls
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return TokenGrant(f"token-{n}", self.expires_in)


@pytest.fixture
def store(redis_client: redis.Redis) -> RedisTokenStore:
    return RedisTokenStore(redis_client, margin_seconds=300)


def test_caches_under_the_documented_key_with_ttl_short_of_expiry(store, redis_client):
    fetch = Fetcher(expires_in=7200)
    assert store.token(APP, fetch) == "token-1"
    assert store.token(APP, fetch) == "token-1"
    assert fetch.calls == 1
    assert redis_client.get(f"imbridge:token:{APP}") == b"token-1"
    assert 6890 <= redis_client.ttl(f"imbridge:token:{APP}") <= 6900


def test_records_fetch_count_and_time(store, redis_client):
    before = time.time()
    store.token(APP, Fetcher())
    store.expire_if(APP, "token-1")
    store.token(APP, Fetcher())
    meta = redis_client.hgetall(f"imbridge:token-meta:{APP}")
    assert int(meta[b"fetch_count"]) == 2
    assert float(meta[b"last_fetch_at"]) >= before
    assert store.meta(APP)["fetch_count"] == "2"


def test_single_flight_across_threads(store):
    fetch = Fetcher(delay=0.2)
    barrier = threading.Barrier(16)
    results: list[str] = []

    def ask() -> None:
        barrier.wait()
        results.append(store.token(APP, fetch))

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fetch.calls == 1
    assert results == ["token-1"] * 16


def test_single_flight_across_processes(redis_url):
    # Separate clients and stores stand in for separate worker processes: only Redis is shared.
    fetch = Fetcher(delay=0.2)
    clients = [redis.Redis.from_url(redis_url) for _ in range(4)]
    stores = [RedisTokenStore(c) for c in clients]
    barrier = threading.Barrier(len(stores))
    results: list[str] = []

    def ask(s: RedisTokenStore) -> None:
        barrier.wait()
        results.append(s.token(APP + ":procs", fetch))

    threads = [threading.Thread(target=ask, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.delete(f"imbridge:token:{APP}:procs", f"imbridge:token-meta:{APP}:procs")
        c.close()
    assert fetch.calls == 1 and results == ["token-1"] * 4


def test_expire_if_leaves_a_newer_token_alone(store):
    fetch = Fetcher()
    old = store.token(APP, fetch)
    store.expire_if(APP, old)
    assert store.peek(APP) is None
    new = store.token(APP, fetch)
    store.expire_if(APP, old)  # a slow worker reporting the token it used
    assert store.peek(APP) == new == "token-2"


def test_fetch_failure_raises_once_and_caches_nothing(store):
    fetch = Fetcher(error=PermanentError("wechat", 40164, "invalid ip"))
    with pytest.raises(PermanentError):
        store.token(APP, fetch)
    assert fetch.calls == 1
    assert store.peek(APP) is None
    meta = store.meta(APP)
    assert meta["error_count"] == "1" and "40164" in meta["last_error"]


def test_refresh_only_when_close_to_expiry_unless_forced(store, redis_client):
    fetch = Fetcher()
    store.token(APP, fetch)
    assert store.refresh(APP, fetch) == "token-1"
    redis_client.expire(f"imbridge:token:{APP}", 299)  # less than the margin left
    assert store.refresh(APP, fetch) == "token-2"
    assert store.refresh(APP, fetch, force=True) == "token-3"
    assert fetch.calls == 3


def test_refresh_fills_an_empty_cache(store):
    assert store.refresh(APP, Fetcher()) == "token-1"


def test_token_near_its_end_is_kept_briefly(store):
    # WeChat's stable endpoint reports the remaining life, which may be under the margin.
    store.token(APP, Fetcher(expires_in=200))
    assert 1 <= store.ttl(APP) <= 100


def test_waiting_too_long_for_another_fetcher_is_retry_later(redis_client):
    store = RedisTokenStore(redis_client, lock_wait=0.2)
    held = redis_client.lock(f"imbridge:token-lock:{APP}", timeout=5)
    assert held.acquire()
    try:
        with pytest.raises(RetryLaterError):
            store.token(APP, Fetcher())
    finally:
        held.release()


def test_works_with_decoded_responses(redis_url):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    store = RedisTokenStore(client)
    key = APP + ":decoded"
    try:
        token = store.token(key, Fetcher())
        store.expire_if(key, token)
        assert store.peek(key) is None
        assert store.meta(key)["fetch_count"] == "1"
    finally:
        client.delete(f"imbridge:token:{key}", f"imbridge:token-meta:{key}")
        client.close()


def test_transport_refresh_goes_through_the_store(store):
    # The platform rejects the cached token once: the worker expires exactly that token and retries.
    fake = FakePlatform({"errcode": 40001, "errmsg": "invalid credential"}, {"errcode": 0, "msgid": 1})
    fetch = Fetcher()
    source = StoreTokenSource(store, APP, fetch)
    fake.transport("wechat").request("POST", "/cgi-bin/message/template/send", json={}, token=source)
    assert [r.url.params["access_token"] for r in fake.requests] == ["token-1", "token-2"]
    assert store.peek(APP) == "token-2"
