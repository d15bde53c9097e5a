"""Once per message across every ingress replica, in as few Redis round trips as possible.

The platform retries a callback it got no answer to within 5 s (three tries in all), possibly to another
replica. The first delivery claims the message's key with ``SET NX`` and, in the same round trip (a Lua
script), appends its entry to the inbound inbox and, if no drain is pending, takes the signal to wake one (the
inbox's own Lua, :func:`core.inbox.append_lua`, embedded in the claim's script). Only then does its handler
run. A reply, or a handler's failure, costs a second round trip: the reply is stored under the key and a note of
it joins the inbox. A message answered with nothing costs one round trip in all.

A later delivery finds the key taken and answers like the first: the stored reply; or, while the first is
still within ``wait_seconds`` of its claim, it polls for that reply; past that, "no reply". A handler never
runs twice. Claims live a little longer than the replay window: past it the timestamp is refused anyway.

The same script, before anything else, binds the callback's signed ``(timestamp, nonce)`` to the SHA-256 of its
body until that timestamp leaves the replay window. A platform's retry repeats both and goes on to the claim;
the pair with another body (a plaintext body no signature covers, replayed under a logged query) is refused
with nothing claimed or queued. The binding costs no round trip of its own.

Each request thread talks to Redis over its own connection, made by the runtime's connection pool (so the same
server, TLS and credentials) and driven by its own send and read calls (:mod:`ingress.portals.wire`): no pool
checkout, no lock, none of the client's per-command layers, which cost more than the round trip's own work.
A connection that broke is reconnected once, at once.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any

import orjson
import redis
from redis.exceptions import NoScriptError

from core.inbox import INBOX_KEY, SIGNAL_KEY, SIGNAL_TTL_MS, append_lua
from ingress.portals.wire import Link

#: Start of the value a claim holds until a reply is stored; then the claim time in milliseconds.
PENDING = b"\x00pending:"
#: Where each signed ``(timestamp, nonce)`` is bound to the digest of the one body it came with.
STAMP_PREFIX = "imbridge:portal:stamp:"
#: Dedup keys longer than this are hashed (an EventKey may be a 1 KiB URL); the column holds 255.
MAX_KEY_LENGTH = 200
#: A Redis that does not answer within this long fails the request (503) well inside the platform's 5 s.
SOCKET_TIMEOUT = 2.0
#: Poll intervals while waiting for a pending reply: from the first to the last, doubling.
FIRST_POLL, LAST_POLL = 0.005, 0.05

# KEYS: claim, inbox, signal, stamp; ARGV: pending, ttl, entry, signal ttl, digest, stamp ttl.
_CLAIM = """
local bound = redis.call('SET', KEYS[4], ARGV[5], 'NX', 'GET', 'EX', ARGV[6])
if bound and bound ~= ARGV[5] then return {-1, '', 0} end
local held = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'GET', 'EX', ARGV[2])
if held then return {0, held, 0} end
""" + append_lua(inbox=2, signal=3, entry=3, signal_ttl=4) + """return {1, '', woke}
"""

# KEYS: claim, inbox, signal; ARGV: reply, ttl, note, signal ttl.
_COMPLETE = """
if ARGV[1] ~= '' then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
""" + append_lua(inbox=2, signal=3, entry=3, signal_ttl=4) + """return woke
"""

#: Each script's SHA-1, the name ``EVALSHA`` runs it by.
SCRIPT_SHA = {script: hashlib.sha1(script.encode()).hexdigest() for script in (_CLAIM, _COMPLETE)}
#: The claim's, which every callback runs.
CLAIM_SHA = SCRIPT_SHA[_CLAIM]


def namespaced_key(platform: str, app: str, dedup_key: str) -> str:
    """``platform:app:key``, or ``platform:sha256:<hex of it>`` when long: the form stored in Redis and SQL."""
    key = f"{platform}:{app}:{dedup_key}"
    if len(key) > MAX_KEY_LENGTH:
        key = f"{platform}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return key


def stamp_key(platform: str, app: str, timestamp: str, nonce: str) -> str:
    """Where the body digest of one signed ``(timestamp, nonce)`` of an app is kept."""
    return STAMP_PREFIX + namespaced_key(platform, app, f"{timestamp}:{nonce}")


class Seen:
    """What the ledger had seen of a callback (:meth:`Ledger.claim`): ``first``, else what the key held; ``wake``
    a drain if asked; ``stamp_reused``: the ``(timestamp, nonce)`` came with another body, nothing was claimed."""

    __slots__ = ("first", "held", "stamp_reused", "wake")

    def __init__(self, status: int, held: bytes, wake: bool) -> None:
        self.first, self.held, self.wake, self.stamp_reused = status == 1, held, wake, status == -1


class Ledger:
    """Claims, stored replies and inbox entries under ``imbridge:portal:seen:<platform:app:key>``.

    :param connections: the runtime's Redis connection pool; it makes each request thread's own connection (which
        never goes back to it).
    :param ttl_seconds: how long a claim (and its reply) is remembered.
    :param wait_seconds: how long after a claim a redelivery may wait for its reply.
    """

    prefix = "imbridge:portal:seen:"

    def __init__(self, connections: redis.ConnectionPool, ttl_seconds: int, wait_seconds: float) -> None:
        self.connections = connections
        self.ttl_seconds = ttl_seconds
        self.wait_seconds = wait_seconds
        self._local = threading.local()

    def _link(self) -> Link:
        """This thread's own connection (connected on first use, and again after it failed)."""
        link = getattr(self._local, "link", None)
        if link is None:
            connection = self.connections.make_connection()
            connection.socket_timeout = connection.socket_connect_timeout = SOCKET_TIMEOUT
            link = self._local.link = Link(connection)
        return link

    def execute(self, *command: Any) -> Any:
        """One command on this thread's connection; a connection error is retried once on a new connection.

        Usually the connection went stale (Redis restarted since this thread's last request). Should the first
        try have run after all, the second finds the claim taken and answers like a redelivery: the message is
        recorded once and handled at most once. A timeout is not retried: the platform's 5 s are better spent
        on its own retry.
        """
        try:
            return self._link().call(*command)
        except redis.ConnectionError:  # (redis.TimeoutError is not one)
            self._local.link = None
            return self._link().call(*command)
        except redis.TimeoutError:
            self._local.link = None  # redis-py closed it: a late reply must not answer the next command
            raise

    def _run(self, script: str, keys: list[str], args: list[Any]) -> Any:
        try:
            return self.execute("EVALSHA", SCRIPT_SHA[script], len(keys), *keys, *args)
        except NoScriptError:  # a new or flushed Redis: load it and run it by its source this once
            return self.execute("EVAL", script, len(keys), *keys, *args)

    def claim(self, key: str, entry: dict[str, Any], stamp: str, digest: bytes, stamp_ttl: int) -> Seen:
        """Bind ``stamp`` (see :func:`stamp_key`) to ``digest`` for ``stamp_ttl`` seconds unless it is bound
        already; if it is bound to ``digest``, claim ``key`` and, if first, put ``entry`` in the inbox.
        One round trip."""
        pending = PENDING + str(int(time.time() * 1000)).encode()
        status, held, wake = self._run(_CLAIM, [self.prefix + key, INBOX_KEY, SIGNAL_KEY, stamp],
                                       [pending, self.ttl_seconds, _dumps(entry), SIGNAL_TTL_MS, digest, stamp_ttl])
        return Seen(status, held, bool(wake))

    def complete(self, key: str, reply_xml: str | None, note: dict[str, Any]) -> bool:
        """Store the reply for redeliveries and note it in the inbox; True: wake a drain."""
        return bool(self._run(_COMPLETE, [self.prefix + key, INBOX_KEY, SIGNAL_KEY],
                              [reply_xml or "", self.ttl_seconds, _dumps(note), SIGNAL_TTL_MS]))

    def earlier_reply(self, key: str, held: bytes) -> str | None:
        """The reply a redelivery answers: the stored one, waited for while recent; None for none."""
        delay = FIRST_POLL
        while held.startswith(PENDING):
            try:
                claimed_at = int(held[len(PENDING):]) / 1000
            except ValueError:
                return None
            remaining = claimed_at + self.wait_seconds - time.time()
            if remaining <= 0:
                return None
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, LAST_POLL)
            held = self.execute("GET", self.prefix + key) or b""
        return held.decode() or None


def _dumps(value: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON; orjson is ten times faster than json here, which takes the integers it cannot."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:  # e.g. a CreateTime past 64 bits
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
