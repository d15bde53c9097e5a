"""Once per message across every ingress replica: a Redis claim per dedup key, holding the reply when done.

The platform retries a callback it got no answer to within 5 s (three tries in all), possibly to another
replica. The first delivery claims the key with ``SET NX`` (a *pending* marker, with an expiry) and, once
its handler has answered, stores the reply under the same key. A later delivery finds the key taken:

* reply stored: it answers that same reply, running nothing;
* still pending: it waits a bounded time for the reply (polling with a growing interval), else it answers
  "no reply" so the platform stops retrying. A handler never runs twice.

The claim lives a little longer than the replay window: past it the callback's timestamp is refused anyway.
"""

from __future__ import annotations

import hashlib
import time

import redis

#: Stored while the first delivery's handler runs; no reply XML can start with a NUL byte.
PENDING = b"\x00pending"
#: Dedup keys longer than this are hashed (an EventKey may be a 1 KiB URL).
MAX_KEY_LENGTH = 200
#: Poll intervals while waiting for a pending reply: from the first to the last, doubling.
FIRST_POLL, LAST_POLL = 0.005, 0.05


def namespaced_key(platform: str, app: str, dedup_key: str) -> str:
    """``platform:app:key``, with a long key replaced by its SHA-256, the form stored in Redis and SQL."""
    if len(dedup_key) > MAX_KEY_LENGTH:
        dedup_key = "sha256:" + hashlib.sha256(dedup_key.encode()).hexdigest()
    return f"{platform}:{app}:{dedup_key}"


class ReplyCache:
    """Claims and stored replies under ``imbridge:portal:seen:<platform:app:key>``.

    :param ttl_seconds: how long a claim (and its reply) is remembered.
    :param wait_seconds: how long a redelivery waits for a pending first delivery.
    """

    prefix = "imbridge:portal:seen:"

    def __init__(self, client: redis.Redis, ttl_seconds: int, wait_seconds: float) -> None:
        self.redis = client
        self.ttl_seconds = ttl_seconds
        self.wait_seconds = wait_seconds

    def claim(self, key: str) -> bytes | None:
        """Claim ``key``: None when this delivery is the first, else what the key holds."""
        return self.redis.set(self.prefix + key, PENDING, nx=True, ex=self.ttl_seconds, get=True)

    def complete(self, key: str, reply_xml: str | None) -> None:
        """Store the first delivery's reply ("" for none) for the redeliveries."""
        self.redis.set(self.prefix + key, reply_xml or "", ex=self.ttl_seconds)

    def earlier_reply(self, key: str, held: bytes) -> str | None:
        """The reply a redelivery answers: the stored one, waited for while pending; None for none."""
        deadline = time.monotonic() + self.wait_seconds
        delay = FIRST_POLL
        while held == PENDING:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, LAST_POLL)
            held = self.redis.get(self.prefix + key) or b""
        return held.decode() or None
