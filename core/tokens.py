"""Access tokens in Redis, shared by every worker and the scheduler.

Each app has one token at a time (``imbridge:token:<app_key>``), with a TTL ``margin_seconds`` shorter
than the platform's ``expires_in`` so nobody uses a token in its last minutes. Fetching is single flight
across threads *and* processes: a Redis lock per app, with the cache re-checked inside it, because on
WeChat's classic endpoint every fetch retires the previous token and concurrent fetchers would keep
invalidating each other.

A worker whose token was rejected calls :meth:`RedisTokenStore.expire_if` with the token *it used*; the
compare-and-delete leaves a newer token (fetched meanwhile by someone else) alone. The scheduler calls
:meth:`RedisTokenStore.refresh` ahead of expiry so workers rarely meet an empty cache.

Example::

    store = RedisTokenStore(runtime.redis)
    client = WeChatClient(app_id, app_secret, store)
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import redis
from redis.exceptions import LockError

from core.metrics import TOKEN_REFRESHES
from platforms.errors import RetryLaterError
from platforms.tokens import DEFAULT_MARGIN_SECONDS, TokenGrant

TOKEN_KEY = "imbridge:token:{}"
LOCK_KEY = "imbridge:token-lock:{}"
META_KEY = "imbridge:token-meta:{}"

#: How long a fetch may hold the lock before Redis frees it (a fetch is one HTTP call with a 10 s timeout).
LOCK_TIMEOUT_SECONDS = 30.0
#: How long a caller waits for someone else's fetch before giving up with RetryLaterError.
LOCK_WAIT_SECONDS = 35.0
#: The shortest TTL a token is stored with; below it the scheduler's next pass fetches again.
MIN_TTL_SECONDS = 1

log = logging.getLogger(f"imbridge.{__name__}")

# Delete the key only if it still holds the token the caller used.
_EXPIRE_IF_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisTokenStore:
    """A :class:`platforms.tokens.TokenStore` on Redis.

    :param redis_client: any ``redis.Redis`` (bytes or decoded responses).
    :param margin_seconds: how long before the platform's expiry a token stops being handed out.
    :param lock_timeout: seconds after which a fetcher's lock is released even if it died holding it.
    :param lock_wait: seconds a caller waits for another fetcher before raising RetryLaterError.
    """

    def __init__(
        self,
        redis_client: redis.Redis,
        margin_seconds: int = DEFAULT_MARGIN_SECONDS,
        lock_timeout: float = LOCK_TIMEOUT_SECONDS,
        lock_wait: float = LOCK_WAIT_SECONDS,
    ) -> None:
        self.redis = redis_client
        self.margin_seconds = margin_seconds
        self.lock_timeout = lock_timeout
        self.lock_wait = lock_wait
        self._expire_if = redis_client.register_script(_EXPIRE_IF_SCRIPT)

    def token(self, app_key: str, fetch: Callable[[], TokenGrant]) -> str:
        """The cached token, else one fetched under the app's lock (once, however many callers wait)."""
        cached = self.peek(app_key)
        if cached is not None:
            return cached
        with self._locked(app_key):
            cached = self.peek(app_key)
            if cached is not None:
                return cached
            return self._fetch(app_key, fetch)

    def expire_if(self, app_key: str, token: str) -> None:
        """Drop the cached token only if it is still ``token``."""
        self._expire_if(keys=[TOKEN_KEY.format(app_key)], args=[token])

    def refresh(self, app_key: str, fetch: Callable[[], TokenGrant], force: bool = False) -> str:
        """For the scheduler: fetch when the token is missing or has less than ``margin_seconds`` left.

        ``force`` fetches regardless (mind WeChat's limits on forced stable-token refreshes).
        """
        if not force and self._fresh(app_key):
            return self.peek(app_key) or self.token(app_key, fetch)
        with self._locked(app_key):
            if not force and self._fresh(app_key):
                cached = self.peek(app_key)
                if cached is not None:
                    return cached
            return self._fetch(app_key, fetch)

    def peek(self, app_key: str) -> str | None:
        """The cached token, without fetching."""
        return _text(self.redis.get(TOKEN_KEY.format(app_key)))

    def ttl(self, app_key: str) -> int | None:
        """Seconds the cached token has left in the cache, or None when there is none."""
        ttl = int(self.redis.ttl(TOKEN_KEY.format(app_key)))
        return ttl if ttl >= 0 else None

    def meta(self, app_key: str) -> dict[str, str]:
        """Fetch bookkeeping for the admin page: ``fetch_count``, ``last_fetch_at``, ``expires_in``,
        ``error_count``, ``last_error``, ``last_error_at``."""
        raw: dict[Any, Any] = self.redis.hgetall(META_KEY.format(app_key))
        return {_text(k) or "": _text(v) or "" for k, v in raw.items()}

    def _fresh(self, app_key: str) -> bool:
        ttl = self.ttl(app_key)
        return ttl is not None and ttl >= self.margin_seconds

    def _fetch(self, app_key: str, fetch: Callable[[], TokenGrant]) -> str:
        meta_key = META_KEY.format(app_key)
        try:
            grant = fetch()
        except Exception as exc:
            TOKEN_REFRESHES.labels(*platform_and_app(app_key), "error").inc()
            self.redis.hset(
                meta_key, mapping={"last_error": f"{type(exc).__name__}: {exc}", "last_error_at": time.time()}
            )
            self.redis.hincrby(meta_key, "error_count", 1)
            raise
        pipe = self.redis.pipeline()
        pipe.set(TOKEN_KEY.format(app_key), grant.access_token, ex=self._ttl_for(grant.expires_in))
        pipe.hincrby(meta_key, "fetch_count", 1)
        pipe.hset(meta_key, mapping={"last_fetch_at": time.time(), "expires_in": grant.expires_in})
        pipe.execute()
        TOKEN_REFRESHES.labels(*platform_and_app(app_key), "fetched").inc()
        log.info("fetched a token for %s (expires_in %s)", app_key, grant.expires_in)
        return grant.access_token

    def _ttl_for(self, expires_in: int) -> int:
        ttl = expires_in - self.margin_seconds
        if ttl >= MIN_TTL_SECONDS:
            return ttl
        # A token already near its end (WeChat's stable endpoint reports the remaining life): keep it
        # for half of what is left, so the next fetch comes when the platform has a new one.
        return max(expires_in // 2, MIN_TTL_SECONDS)

    @contextmanager
    def _locked(self, app_key: str) -> Iterator[None]:
        lock = self.redis.lock(
            LOCK_KEY.format(app_key),
            timeout=self.lock_timeout,
            blocking=True,
            blocking_timeout=self.lock_wait,
            sleep=0.05,
        )
        if not lock.acquire():
            platform = app_key.split(":", 1)[0]
            raise RetryLaterError(platform, None, f"token fetch for {app_key} is taking too long elsewhere")
        try:
            yield
        finally:
            try:
                lock.release()
            except LockError:
                # Our fetch outlived the lock timeout; someone else may hold it now, which is fine.
                log.warning("token lock for %s expired before release", app_key)


def _text(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else value


def platform_and_app(app_key: str) -> tuple[str, str]:
    """``wechat:wx123`` as ``("wechat", "wx123")`` (a WeCom key keeps its agent: ``wecom``, ``corp:agent``)."""
    platform, _, app = app_key.partition(":")
    return (platform, app) if app else ("", platform)
