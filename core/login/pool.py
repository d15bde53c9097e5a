"""The pool: login QR codes minted ahead, so handing one out is a Redis pop, never a call to WeChat.

A Redis list ``imbridge:qr:pool`` of codes, oldest first. The ``mint_login_codes`` actor appends codes
(asking WeChat for each), the scheduler drops codes close to their end and tops the pool up, and
``applyQrCode`` takes the oldest code still fresh enough and opens its key in the same script, so the key
expires exactly when its QR code does. Times are the Redis server's clock (``TIME``), which every process
shares, so a worker's clock and an ingress's clock never disagree about a code's age.

When the pool is empty, the request asks for a mint and waits on the list with ``BLPOP`` (no polling) for a
bounded time. A marker key with an expiry makes sure only one mint is queued at a time however many
requests or scheduler ticks ask for one.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

import redis

from core.login.sessions import SESSION_PREFIX, QrSessions
from core.tasks import Tasks

#: The list of pooled codes (JSON), oldest first.
POOL_KEY = "imbridge:qr:pool"
#: Present while a mint is queued or running.
MINTING_KEY = "imbridge:qr:minting"
#: A mint lost on the way (worker killed) stops blocking new ones after this long.
MINTING_TTL_SECONDS = 30

# Pops codes until one has at least ARGV[1] seconds left (worn ones are dropped), opens its key, and
# answers {code, seconds left, pool size}; {'', 0, pool size} when the pool holds nothing fresh.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
while true do
  local raw = redis.call('LPOP', KEYS[1])
  if not raw then return {'', '0', redis.call('LLEN', KEYS[1])} end
  local code = cjson.decode(raw)
  local remaining = code.expires_at - now
  if remaining >= tonumber(ARGV[1]) then
    local key = ARGV[2] .. code.key
    redis.call('HSET', key, 'status', 'wait', 'url', code.url)
    redis.call('PEXPIRE', key, math.floor(remaining * 1000))
    return {raw, tostring(remaining), redis.call('LLEN', KEYS[1])}
  end
end
"""


@dataclass(frozen=True)
class PooledCode:
    """One minted code: its key (the scene is ``login_<key>``), WeChat's ticket and url, its end (Redis clock)."""

    key: str
    ticket: str
    url: str
    expires_at: float

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: bytes | str) -> PooledCode:
        data = json.loads(raw)
        return cls(str(data["key"]), str(data["ticket"]), str(data["url"]), float(data["expires_at"]))


@dataclass(frozen=True)
class TakenCode:
    """A code handed out: its key is open and lives ``remaining_seconds``; ``pool_size`` codes are left."""

    code: PooledCode
    remaining_seconds: float
    pool_size: int


class QrPool:
    """The pool on ``client``.

    :param min_remaining_seconds: a code with less life left is never handed out (nor kept by :meth:`prune`).
    """

    def __init__(self, client: redis.Redis, min_remaining_seconds: float) -> None:
        self.redis = client
        self.min_remaining_seconds = min_remaining_seconds
        self.sessions = QrSessions(client)
        self._take = client.register_script(_TAKE)

    def now(self) -> float:
        """The Redis server's clock, in seconds since the epoch."""
        seconds, micros = self.redis.time()
        return seconds + micros / 1_000_000

    def add(self, code: PooledCode) -> int:
        """Append a freshly minted code; returns the pool's size."""
        return int(self.redis.rpush(POOL_KEY, code.to_json()))

    def size(self) -> int:
        return int(self.redis.llen(POOL_KEY))

    def take(self) -> TakenCode | None:
        """The oldest fresh code, its key opened; None when the pool holds none (one round trip)."""
        raw, remaining, size = self._take(keys=[POOL_KEY], args=[self.min_remaining_seconds, SESSION_PREFIX])
        if not raw:
            return None
        return TakenCode(PooledCode.from_json(raw), float(remaining), int(size))

    def wait_take(self, timeout: float) -> TakenCode | None:
        """Like :meth:`take`, but wait up to ``timeout`` seconds for a code to arrive (``BLPOP``)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            popped = self.redis.blpop([POOL_KEY], timeout=max(left, 0.01))
            if popped is None:
                return None
            code = PooledCode.from_json(popped[1])
            remaining = code.expires_at - self.now()
            if remaining >= self.min_remaining_seconds:
                self.sessions.open(code.key, code.url, remaining)
                return TakenCode(code, remaining, self.size())
        return None

    def prune(self) -> int:
        """Drop the codes with less than ``min_remaining_seconds`` left; returns how many."""
        now = self.now()
        dropped = 0
        for raw in self.redis.lrange(POOL_KEY, 0, -1):
            try:
                worn = PooledCode.from_json(raw).expires_at - now < self.min_remaining_seconds
            except (ValueError, KeyError, TypeError):
                worn = True  # unreadable: it can never be handed out
            if worn:
                dropped += int(self.redis.lrem(POOL_KEY, 1, raw))
        return dropped

    def claim_minting(self) -> bool:
        """True when no mint is under way and the caller should queue one (it holds the marker now)."""
        return bool(self.redis.set(MINTING_KEY, "1", nx=True, ex=MINTING_TTL_SECONDS))

    def minting_done(self) -> None:
        self.redis.delete(MINTING_KEY)


def request_mint(pool: QrPool, tasks: Tasks, count: int) -> bool:
    """Queue one mint of ``count`` codes unless one is queued or running; True when this call queued it.

    :raises Exception: the broker refused the message (the marker is released, so the next caller retries).
    """
    if not pool.claim_minting():
        return False
    try:
        tasks.mint_login_codes(max(1, count))
    except Exception:
        pool.minting_done()
        raise
    return True
