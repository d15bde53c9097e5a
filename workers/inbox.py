"""The inbound inbox: a Redis list the portals append to, drained into the database by ``record_inbound``.

A portal answers within the platform's 5 s and must not spend a Dramatiq message (and its round trip) on every
callback. It appends the callback's entry to this list in the same round trip that claims the message (see
:mod:`ingress.portals.ledger`), and wakes a drain only when none is pending: ``SET signal NX`` succeeds for the
first entry after a drain started, and that request enqueues ``record_inbound``. So the list is as durable as
any Dramatiq message on the same Redis, and a burst of callbacks costs one message, not one each.

The drainer holds a lock, reads from the head, stores, and only then trims what it stored: a drainer killed
midway leaves its items for the next one, which stores them again harmlessly (records are unique by dedup
key). While it works it keeps the signal up, so callbacks arriving meanwhile wake nobody (it will see their
entries): under a steady flow a long drain is one message, not a new one every signal TTL, each polling for the
lock. Before it lets go, it clears the signal and looks once more, so an entry appended meanwhile is either
seen by it or wakes a new drain.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

import redis

#: The list of entries waiting to be recorded (JSON objects with a ``kind``: ``inbound`` or ``reply``).
INBOX_KEY = "imbridge:inbound:inbox"
#: Present while a drain is scheduled or running; whoever sets it enqueues the drain.
SIGNAL_KEY = "imbridge:inbound:signal"
#: The drainers' mutual exclusion.
LOCK_KEY = "imbridge:inbound:drain-lock"
#: The signal expires on its own, so entries never wait for long on a drain message that was lost.
SIGNAL_TTL_MS = 2000
#: After a failed drain the signal is held this long: an outage costs a drain message a minute, not one every 2 s.
FAILING_SIGNAL_TTL_MS = 60_000
#: A drainer that died lets go of the lock after this long.
LOCK_TTL_MS = 60_000
#: Entries stored per database transaction.
DRAIN_BATCH = 200

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def drain(client: redis.Redis, store: Callable[[list[dict[str, Any]]], None], batch: int = DRAIN_BATCH) -> bool:
    """Store everything in the inbox, ``batch`` entries per ``store`` call. False if another drainer holds it."""
    token = secrets.token_hex(8)
    if not client.set(LOCK_KEY, token, nx=True, px=LOCK_TTL_MS):
        return False
    try:
        while True:
            items = client.lrange(INBOX_KEY, 0, batch - 1)
            if not items:
                client.delete(SIGNAL_KEY)
                if client.llen(INBOX_KEY) == 0:
                    return True
                continue
            try:
                store([json.loads(item) for item in items])
            except Exception:
                # This drain will be retried with back-off; meanwhile callbacks need not send more.
                client.set(SIGNAL_KEY, "1", px=FAILING_SIGNAL_TTL_MS)
                raise
            client.ltrim(INBOX_KEY, len(items), -1)
            client.pexpire(LOCK_KEY, LOCK_TTL_MS)
            client.set(SIGNAL_KEY, "1", px=SIGNAL_TTL_MS)  # still draining: no new drain message needed
    finally:
        client.eval(_RELEASE, 1, LOCK_KEY, token)
