"""``ping``: proves the loop ingress -> broker -> worker works, end to end."""

from __future__ import annotations

import time

import dramatiq

from core import runtime

#: How long a ping's answer stays readable.
PING_TTL_SECONDS = 3600


def ping_key(ping_id: str) -> str:
    return f"imbridge:ping:{ping_id}"


@dramatiq.actor(queue_name="default", max_retries=3)
def ping(ping_id: str) -> None:
    """Record that a worker saw this ping, with the time it did."""
    runtime.current().redis.set(ping_key(ping_id), f"{time.time():.6f}", ex=PING_TTL_SECONDS)
