import threading
import time

import pytest

from platforms.tokens import MemoryTokenStore, StoreTokenSource, TokenGrant


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Fetcher:
    def __init__(self, expires_in: int = 7200, delay: float = 0.0) -> None:
        self.calls = 0
        self.expires_in = expires_in
        self.delay = delay
        self._lock = threading.Lock()

    def __call__(self) -> TokenGrant:
        with self._lock:
            self.calls += 1
            n = self.calls
        time.sleep(self.delay)
        return TokenGrant(f"token-{n}", self.expires_in)


def test_caches_until_margin_before_expiry():
    clock, fetch = Clock(), Fetcher(expires_in=7200)
    store = MemoryTokenStore(margin_seconds=300, clock=clock)
    assert store.token("k", fetch) == "token-1"
    clock.now += 7200 - 301
    assert store.token("k", fetch) == "token-1"
    clock.now += 2
    assert store.token("k", fetch) == "token-2"
    assert fetch.calls == 2


def test_single_flight_across_threads():
    store, fetch = MemoryTokenStore(), Fetcher(delay=0.05)
    barrier = threading.Barrier(16)
    results: list[str] = []

    def ask() -> None:
        barrier.wait()
        results.append(store.token("k", fetch))

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fetch.calls == 1
    assert results == ["token-1"] * 16


def test_expire_if_leaves_a_newer_token_alone():
    store, fetch = MemoryTokenStore(), Fetcher()
    old = store.token("k", fetch)
    store.expire_if("k", old)
    new = store.token("k", fetch)
    store.expire_if("k", old)  # a slow worker reporting the token it used
    assert store.token("k", fetch) == new
    assert fetch.calls == 2


def test_fetch_failure_raises_and_caches_nothing():
    store = MemoryTokenStore()

    def broken() -> TokenGrant:
        raise RuntimeError("40164 invalid ip")

    with pytest.raises(RuntimeError):
        store.token("k", broken)
    assert store.token("k", Fetcher()) == "token-1"


def test_refresh_fetches_only_when_needed_or_forced():
    store, fetch = MemoryTokenStore(), Fetcher()
    store.token("k", fetch)
    assert store.refresh("k", fetch) == "token-1"
    assert store.refresh("k", fetch, force=True) == "token-2"


def test_store_token_source_adapts_one_slot():
    store, fetch = MemoryTokenStore(), Fetcher()
    source = StoreTokenSource(store, "wechat:wx1", fetch)
    token = source.get()
    source.invalidate(token)
    assert source.get() == "token-2"
    assert store.fetch_count == {"wechat:wx1": 2}


def test_grant_repr_hides_the_token():
    assert "abcdefghijkl" not in repr(TokenGrant("abcdefghijkl", 7200))
