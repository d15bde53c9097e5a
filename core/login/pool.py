"""The pool: login QR codes minted ahead, so handing one out is a Redis pop, never a call to WeChat.

A Redis list ``imbridge:qr:pool`` of codes, oldest first. The ``mint_login_codes`` actor appends codes
(asking WeChat for each), the scheduler drops codes close to their end and tops the pool up, and
``applyQrCode`` takes the oldest code still fresh enough and opens its key in the same script, so the key
expires no later than its QR code does. Times are the Redis server's clock (``TIME``), which every process
shares, so a worker's clock and an ingress's clock never disagree about a code's age (a bench may hand in
a simulated clock instead).

The pool follows demand (:mod:`core.login.demand`): every apply, served or not, is counted in
``imbridge:qr:applies`` and every mint in ``imbridge:qr:minted`` (sorted sets scored by time, trimmed as
they are written), and the target size comes from those counts.

When the pool is empty, the request takes one of ``login.pool-max-concurrent-mints`` on-demand slots, asks
for a mint of one code and waits on the list with ``BLPOP`` (no polling) for a bounded time; with no slot
free it is told "busy" at once. A marker key with an expiry makes sure only one top-up mint is queued at a
time however many requests or scheduler ticks ask for one.

Each Official Account with QR login has a pool of its own (:mod:`core.login.accounts`): its keys, its codes
minted with its token, and a handed-out key that remembers the account, so only a scan at that account's portal
can confirm it (:class:`core.login.sessions.QrSessions`).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import redis

from config.settings import DEFAULT_ACCOUNT, LoginSettings
from core.login.accounts import PoolKeys
from core.login.sessions import SESSION_PREFIX, QrSessions
from core.tasks import Tasks

#: The default account's list of pooled codes (JSON), oldest first (another account's: :class:`PoolKeys`).
POOL_KEY = PoolKeys.of(None).pool
#: Present while a top-up mint of the default account's pool is queued or running.
MINTING_KEY = PoolKeys.of(None).minting
#: A mint lost on the way (worker killed) stops blocking new ones after this long.
MINTING_TTL_SECONDS = 30
#: Applies (served or not) by time, for the demand count (kept for the demand window only).
APPLIES_KEY = PoolKeys.of(None).applies
#: Codes minted, by time, for the idle budget.
MINTED_KEY = PoolKeys.of(None).minted
#: On-demand mint slots in use (member: slot token, score: when it lapses if never released).
ON_DEMAND_KEY = PoolKeys.of(None).on_demand
#: The mint ledger keeps this much history (the idle budget looks back one hour).
LEDGER_SECONDS = 3600
#: A slot whose request died lapses after this long.
ON_DEMAND_SLOT_SECONDS = 30

# The clock of every script: ARGV[1] when given (a simulated clock), else the Redis server's.
_NOW = """
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
"""

# Counts the apply (KEYS[2], trimmed to ARGV[5] seconds), then pops codes until one has at least ARGV[2]
# seconds left (worn ones are dropped), opens its key (for account ARGV[7]) for at most ARGV[4] seconds, and answers
# {code, key life, pool size, applies in the last ARGV[6] seconds}; {'', 0, ...} when nothing is fresh.
_TAKE = _NOW + """
redis.call('ZADD', KEYS[2], now, redis.call('INCR', KEYS[2] .. ':seq'))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[5]))
redis.call('EXPIRE', KEYS[2], math.ceil(tonumber(ARGV[5])))
local recent = redis.call('ZCOUNT', KEYS[2], now - tonumber(ARGV[6]), '+inf')
while true do
  local raw = redis.call('LPOP', KEYS[1])
  if not raw then return {'', '0', redis.call('LLEN', KEYS[1]), recent} end
  local code = cjson.decode(raw)
  local remaining = code.expires_at - now
  if remaining >= tonumber(ARGV[2]) then
    local life = math.min(remaining, tonumber(ARGV[4]))
    local key = ARGV[3] .. code.key
    redis.call('HSET', key, 'status', 'wait', 'url', code.url, 'account', ARGV[7])
    redis.call('PEXPIRE', key, math.floor(life * 1000))
    return {raw, tostring(life), redis.call('LLEN', KEYS[1]), recent}
  end
end
"""

# Appends a code and counts the mint (KEYS[2], trimmed to ARGV[3] seconds); answers the pool's size.
_ADD = _NOW + """
redis.call('ZADD', KEYS[2], now, redis.call('INCR', KEYS[2] .. ':seq'))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]))
redis.call('EXPIRE', KEYS[2], math.ceil(tonumber(ARGV[3])))
return redis.call('RPUSH', KEYS[1], ARGV[2])
"""

# Takes an on-demand slot (ARGV[2] the token, ARGV[3] its lapse, ARGV[4] the limit): 1 if taken, else 0.
_CLAIM_SLOT = _NOW + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3])))
return 1
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
    """A code handed out: its key is open and lives ``remaining_seconds``; ``pool_size`` codes are left, and
    ``recent_applies`` applies (this one included) were counted in the demand window."""

    code: PooledCode
    remaining_seconds: float
    pool_size: int
    recent_applies: int = 0


@dataclass(frozen=True)
class Missed:
    """No fresh code was pooled for this apply; ``recent_applies`` counts it too."""

    recent_applies: int


class QrPool:
    """The pool on ``client``.

    :param min_remaining_seconds: a code with less life left is never handed out (nor kept by :meth:`prune`).
    :param key_lifetime_seconds: a handed-out key lives at most this long (``login.qr-lifetime-seconds``).
    :param demand_window_seconds: :meth:`take` reports the applies counted in this many seconds.
    :param clock: seconds since the epoch; None (the default) is the Redis server's clock, shared by every process.
    :param account: the Official Account whose pool this is (None: the default).
    """

    def __init__(self, client: redis.Redis, min_remaining_seconds: float, *,
                 key_lifetime_seconds: float = 2_592_000, demand_window_seconds: float = 300,
                 clock: Callable[[], float] | None = None, account: str | None = None) -> None:
        self.redis = client
        self.account = account or DEFAULT_ACCOUNT
        self.keys = PoolKeys.of(self.account)
        self.min_remaining_seconds = min_remaining_seconds
        self.key_lifetime_seconds = key_lifetime_seconds
        self.demand_window_seconds = demand_window_seconds
        self.clock = clock
        self.sessions = QrSessions(client)
        self._take = client.register_script(_TAKE)
        self._add = client.register_script(_ADD)
        self._claim_slot = client.register_script(_CLAIM_SLOT)

    @classmethod
    def from_settings(cls, client: redis.Redis, login: LoginSettings,
                      clock: Callable[[], float] | None = None, account: str | None = None) -> QrPool:
        return cls(client, login.pool_min_remaining_seconds, key_lifetime_seconds=login.qr_lifetime_seconds,
                   demand_window_seconds=login.pool_demand_window_seconds, clock=clock, account=account)

    def _now_arg(self) -> str:
        return "" if self.clock is None else repr(self.clock())

    def now(self) -> float:
        """The pool's clock (the Redis server's unless a clock was given), in seconds since the epoch."""
        if self.clock is not None:
            return self.clock()
        seconds, micros = self.redis.time()
        return seconds + micros / 1_000_000

    def add(self, code: PooledCode) -> int:
        """Append a freshly minted code and count the mint; returns the pool's size."""
        return int(self._add(keys=[self.keys.pool, self.keys.minted],
                             args=[self._now_arg(), code.to_json(), LEDGER_SECONDS]))

    def size(self) -> int:
        return int(self.redis.llen(self.keys.pool))

    def take(self) -> TakenCode | Missed:
        """Count this apply and hand out the oldest fresh code, its key opened (one round trip)."""
        raw, remaining, size, recent = self._take(
            keys=[self.keys.pool, self.keys.applies],
            args=[self._now_arg(), self.min_remaining_seconds, SESSION_PREFIX, self.key_lifetime_seconds,
                  self.demand_window_seconds, self.demand_window_seconds, self.account])
        if not raw:
            return Missed(int(recent))
        return TakenCode(PooledCode.from_json(raw), float(remaining), int(size), int(recent))

    def wait_take(self, timeout: float) -> TakenCode | None:
        """Wait up to ``timeout`` seconds for a code to arrive (``BLPOP``) and hand it out (not counted again)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            popped = self.redis.blpop([self.keys.pool], timeout=max(left, 0.01))
            if popped is None:
                return None
            code = PooledCode.from_json(popped[1])
            remaining = code.expires_at - self.now()
            if remaining >= self.min_remaining_seconds:
                life = min(remaining, self.key_lifetime_seconds)
                self.sessions.open(code.key, code.url, life, self.account)
                return TakenCode(code, life, self.size())
        return None

    def recent_applies(self) -> int:
        """Applies counted in the demand window."""
        return int(self.redis.zcount(self.keys.applies, self.now() - self.demand_window_seconds, "+inf"))

    def minted_since(self, seconds: float) -> int:
        """Codes minted in the last ``seconds`` (at most :data:`LEDGER_SECONDS` back)."""
        return int(self.redis.zcount(self.keys.minted, self.now() - seconds, "+inf"))

    def prune(self) -> int:
        """Drop the codes with less than ``min_remaining_seconds`` left; returns how many."""
        now = self.now()
        dropped = 0
        for raw in self.redis.lrange(self.keys.pool, 0, -1):
            try:
                worn = PooledCode.from_json(raw).expires_at - now < self.min_remaining_seconds
            except (ValueError, KeyError, TypeError):
                worn = True  # unreadable: it can never be handed out
            if worn:
                dropped += int(self.redis.lrem(self.keys.pool, 1, raw))
        return dropped

    def claim_minting(self) -> bool:
        """True when no top-up mint is under way and the caller should queue one (it holds the marker now)."""
        return bool(self.redis.set(self.keys.minting, "1", nx=True, ex=MINTING_TTL_SECONDS))

    def minting_done(self) -> None:
        self.redis.delete(self.keys.minting)

    def claim_on_demand_slot(self, limit: int) -> str | None:
        """One of ``limit`` on-demand mint slots shared by every ingress: its token, or None when all are taken."""
        token = secrets.token_hex(8)
        taken = self._claim_slot(keys=[self.keys.on_demand],
                                 args=[self._now_arg(), token, ON_DEMAND_SLOT_SECONDS, limit])
        return token if int(taken) else None

    def release_on_demand_slot(self, token: str) -> None:
        self.redis.zrem(self.keys.on_demand, token)


def request_mint(pool: QrPool, tasks: Tasks, count: int) -> bool:
    """Queue one mint of ``count`` codes unless one is queued or running; True when this call queued it.

    :raises Exception: the broker refused the message (the marker is released, so the next caller retries).
    """
    if not pool.claim_minting():
        return False
    try:
        tasks.mint_login_codes(max(1, count), account=pool.account)
    except Exception:
        pool.minting_done()
        raise
    return True


def request_on_demand_mint(tasks: Tasks, wait_seconds: float, account: str | None = None) -> None:
    """Queue a mint of one code (for ``account``'s pool) for a request that found the pool empty and waits
    ``wait_seconds`` for it.

    :raises Exception: the broker refused the message.
    """
    tasks.mint_login_codes(1, time.time() + wait_seconds, account=account)
