"""The inbound inbox: a Redis list the portals append to, drained into the database by ``record_inbound``.

Both ends live here: the keys, the entries' format, the append (Lua, for the portal's own scripts) and the drain.

A portal answers within the platform's 5 s and must not spend a Dramatiq message (and its round trip) on every
callback. It appends the callback's entry to this list in the same round trip that claims the message (the
ledger, :mod:`ingress.portals.ledger`, embeds :func:`append_lua` in its claim script), and wakes a drain only
when none is pending: ``SET signal NX`` succeeds for the first entry after a drain started, and that request
enqueues ``record_inbound``. So the list is as durable as any Dramatiq message on the same Redis, and a burst of
callbacks costs one message, not one each.

The drainer holds a lock (redis-py's :class:`~redis.lock.Lock`), reads from the head, stores, and only then trims
what it stored: a drainer killed midway leaves its items for the next one, which stores them again harmlessly
(records are unique by dedup key). While it works it keeps the signal up, so callbacks arriving meanwhile wake
nobody (it will see their entries): under a steady flow a long drain is one message, not a new one every signal
TTL, each polling for the lock. Before it lets go, it clears the signal and looks once more, so an entry appended
meanwhile is either seen by it or wakes a new drain.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import redis
from redis.exceptions import LockNotOwnedError

#: The list of entries waiting to be recorded (JSON objects with a ``kind``: :data:`INBOUND` or :data:`REPLY`).
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

#: An entry's ``kind``: a callback to record.
INBOUND = "inbound"
#: An entry's ``kind``: the reply the portal gave to a recorded callback (the same ``dedup_key``).
REPLY = "reply"


def inbound_entry(*, platform: str, app: str, msg_type: str, event: str | None, event_key: str | None,
                  from_user: str, to_user: str, msg_id: str | None, dedup_key: str, create_time: int,
                  received_at: float, fields: dict[str, Any], encrypted: bool, handler: str | None,
                  account: str = "default") -> dict[str, Any]:
    """A callback as :func:`models.inbound.store_inbound` records it (its reply, if any, follows in a
    :func:`reply_note`)."""
    return {
        "kind": INBOUND, "platform": platform, "app": app, "msg_type": msg_type, "event": event,
        "event_key": event_key, "from_user": from_user, "to_user": to_user, "msg_id": msg_id,
        "dedup_key": dedup_key, "create_time": create_time, "received_at": received_at, "fields": fields,
        "encrypted": encrypted, "handler": handler, "reply": None, "account": account,
    }


def reply_note(dedup_key: str, reply: str | None) -> dict[str, Any]:
    """The reply (a one-line summary) given to the callback recorded under ``dedup_key``."""
    return {"kind": REPLY, "dedup_key": dedup_key, "reply": reply}


def append_lua(*, inbox: int, signal: int, entry: int, signal_ttl: int) -> str:
    """The Lua statements that append an entry and take the signal, for a script of the caller's own (one round
    trip for its work and the append).

    The script passes :data:`INBOX_KEY` and :data:`SIGNAL_KEY` as ``KEYS[inbox]`` and ``KEYS[signal]``, the entry's
    JSON and :data:`SIGNAL_TTL_MS` as ``ARGV[entry]`` and ``ARGV[signal_ttl]``. The statements leave the local
    ``woke``: 1 when this append took the signal (the caller then enqueues a drain), else 0.
    """
    return (f"redis.call('RPUSH', KEYS[{inbox}], ARGV[{entry}])\n"
            f"local woke = redis.call('SET', KEYS[{signal}], '1', 'NX', 'PX', ARGV[{signal_ttl}]) and 1 or 0\n")


def drain(client: redis.Redis, store: Callable[[list[dict[str, Any]]], None], batch: int = DRAIN_BATCH) -> bool:
    """Store everything in the inbox, ``batch`` entries per ``store`` call. False if another drainer holds it.

    :raises LockNotOwnedError: this drain outlived its lock (a batch took over :data:`LOCK_TTL_MS`); it stops, and
        its message is retried like any failed drain.
    """
    lock = client.lock(LOCK_KEY, timeout=LOCK_TTL_MS / 1000, blocking=False)
    if not lock.acquire():
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
            lock.reacquire()
            client.set(SIGNAL_KEY, "1", px=SIGNAL_TTL_MS)  # still draining: no new drain message needed
    finally:
        with contextlib.suppress(LockNotOwnedError):  # it expired: whoever holds it now is left alone
            lock.release()
