"""Login depends on Redis for everything; Redis being away is a 503 to retry, not a 500 bug."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import falcon
import redis

from ingress.errors import ApiError

log = logging.getLogger(f"imbridge.{__name__}")


@contextmanager
def redis_available() -> Iterator[None]:
    """Turn a Redis failure inside the block into ``503 redis_unavailable`` with ``Retry-After``."""
    try:
        yield
    except redis.RedisError as exc:
        log.error("login: Redis unavailable: %s", exc)
        raise ApiError(falcon.HTTP_503, "the session store is unavailable; retry shortly", code="redis_unavailable",
                       headers={"Retry-After": "1"}) from None
