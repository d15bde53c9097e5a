"""The ping's answer in Redis: a worker that ran ``ping`` notes when it did; the ingress reads the note back."""

from __future__ import annotations

import time

import redis

#: How long a ping's answer stays readable.
PING_TTL_SECONDS = 3600


def ping_key(ping_id: str) -> str:
    return f"imbridge:ping:{ping_id}"


def note_ping_queued(client: redis.Redis, ping_id: str) -> None:
    """Record that the ingress queued this ping, so that reading it back can tell "waiting" from "never queued"."""
    client.set(ping_key(ping_id), b"", ex=PING_TTL_SECONDS, nx=True)


def note_ping(client: redis.Redis, ping_id: str) -> None:
    """Record that a worker saw this ping, with the time it did."""
    client.set(ping_key(ping_id), f"{time.time():.6f}", ex=PING_TTL_SECONDS)


def ping_seen(client: redis.Redis, ping_id: str) -> float | None:
    """When a worker saw this ping (epoch seconds); None while it waits, or if it is unknown."""
    seen = client.get(ping_key(ping_id))
    return float(seen) if seen else None


def ping_known(client: redis.Redis, ping_id: str) -> bool:
    """Whether this ping was queued (or seen) within the last ``PING_TTL_SECONDS``."""
    return bool(client.exists(ping_key(ping_id)))
