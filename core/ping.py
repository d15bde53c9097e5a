"""The ping's answer in Redis: a worker that ran ``ping`` notes when it did; the ingress reads the note back."""

from __future__ import annotations

import time

import redis

#: How long a ping's answer stays readable.
PING_TTL_SECONDS = 3600


def ping_key(ping_id: str) -> str:
    return f"imbridge:ping:{ping_id}"


def note_ping(client: redis.Redis, ping_id: str) -> None:
    """Record that a worker saw this ping, with the time it did."""
    client.set(ping_key(ping_id), f"{time.time():.6f}", ex=PING_TTL_SECONDS)


def ping_seen(client: redis.Redis, ping_id: str) -> float | None:
    """When a worker saw this ping (epoch seconds); None while it waits (or after its answer expired)."""
    seen = client.get(ping_key(ping_id))
    return float(seen) if seen else None
