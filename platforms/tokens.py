"""Access tokens: where clients get them, and where they are kept.

Three small pieces:

* :class:`TokenSource` is what :class:`~platforms.transport.Transport` needs: ``get()`` a token and
  ``invalidate()`` the one the platform just rejected.
* :class:`TokenStore` keeps tokens for many apps, fetching each at most once at a time (a second
  concurrent fetch would invalidate the first token on WeChat's classic endpoint). Production uses the
  Redis store in ``workers.tokens``; :class:`MemoryTokenStore` serves unit tests and scripts.
* :class:`StoreTokenSource` adapts one app's slot in a store to a :class:`TokenSource`.

Example::

    store = MemoryTokenStore()
    source = StoreTokenSource(store, "wechat:wx123", client.fetch_token)
    transport.request("GET", "/cgi-bin/menu/get", token=source)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

#: Tokens are treated as expired this many seconds before the platform's ``expires_in`` runs out.
DEFAULT_MARGIN_SECONDS = 300


@dataclass(frozen=True)
class TokenGrant:
    """A token as the platform issued it: the value and its lifetime in seconds."""

    access_token: str
    expires_in: int

    def __repr__(self) -> str:
        # Tokens end up in logs through reprs; show only enough to tell two apart.
        return f"TokenGrant(access_token='{self.access_token[:6]}...', expires_in={self.expires_in})"


@runtime_checkable
class TokenSource(Protocol):
    """One app's current access token, as the transport sees it."""

    def get(self) -> str:
        """The current token, fetching one if there is none."""
        ...

    def invalidate(self, token: str) -> None:
        """Forget ``token`` because the platform rejected it (a newer token is left alone)."""
        ...


@runtime_checkable
class TokenStore(Protocol):
    """Tokens for many apps, keyed by an app key such as ``"wechat:<appid>"``."""

    def token(self, app_key: str, fetch: Callable[[], TokenGrant]) -> str:
        """The cached token, or the result of ``fetch`` called once however many callers wait."""
        ...

    def expire_if(self, app_key: str, token: str) -> None:
        """Drop the cached token only if it is still ``token`` (compare-and-delete)."""
        ...


class StoreTokenSource:
    """Adapt one app's slot in a :class:`TokenStore` to the :class:`TokenSource` protocol.

    :param store: where tokens are kept.
    :param app_key: the slot, e.g. ``"dingtalk:<appkey>"``.
    :param fetch: asks the platform for a new token; called by the store, at most once at a time.
    """

    def __init__(self, store: TokenStore, app_key: str, fetch: Callable[[], TokenGrant]) -> None:
        self.store = store
        self.app_key = app_key
        self.fetch = fetch

    def get(self) -> str:
        return self.store.token(self.app_key, self.fetch)

    def invalidate(self, token: str) -> None:
        self.store.expire_if(self.app_key, token)

    def __repr__(self) -> str:
        return f"StoreTokenSource({self.app_key!r})"


class MemoryTokenStore:
    """A process-local :class:`TokenStore`: thread safe, one fetch per app at a time.

    :param margin_seconds: how long before ``expires_in`` a token counts as expired.
    :param clock: seconds since some epoch; tests pass a fake one.
    """

    def __init__(
        self, margin_seconds: int = DEFAULT_MARGIN_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.margin_seconds = margin_seconds
        self.clock = clock
        self.fetch_count: dict[str, int] = {}
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._fetch_locks: dict[str, threading.Lock] = {}

    def token(self, app_key: str, fetch: Callable[[], TokenGrant]) -> str:
        cached = self._cached(app_key)
        if cached is not None:
            return cached
        with self._fetch_lock(app_key):
            # Whoever held the lock before us may have fetched already.
            cached = self._cached(app_key)
            if cached is not None:
                return cached
            return self._fetch(app_key, fetch)

    def refresh(self, app_key: str, fetch: Callable[[], TokenGrant], force: bool = False) -> str:
        """Fetch a new token when none is cached or it is within its margin (or always, with ``force``)."""
        with self._fetch_lock(app_key):
            cached = None if force else self._cached(app_key)
            return cached if cached is not None else self._fetch(app_key, fetch)

    def expire_if(self, app_key: str, token: str) -> None:
        with self._lock:
            entry = self._tokens.get(app_key)
            if entry is not None and entry[0] == token:
                del self._tokens[app_key]

    def _cached(self, app_key: str) -> str | None:
        with self._lock:
            entry = self._tokens.get(app_key)
        if entry is None or entry[1] <= self.clock():
            return None
        return entry[0]

    def _fetch(self, app_key: str, fetch: Callable[[], TokenGrant]) -> str:
        grant = fetch()
        lifetime = max(grant.expires_in - self.margin_seconds, 1)
        with self._lock:
            self._tokens[app_key] = (grant.access_token, self.clock() + lifetime)
            self.fetch_count[app_key] = self.fetch_count.get(app_key, 0) + 1
        return grant.access_token

    def _fetch_lock(self, app_key: str) -> threading.Lock:
        with self._lock:
            return self._fetch_locks.setdefault(app_key, threading.Lock())
