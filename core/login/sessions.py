"""A handed-out login QR code's key: ``wait``, then ``ok`` with the scanner's openid, then gone.

The key lives in a Redis hash ``imbridge:qr:key:<key>`` whose expiry is the QR code's remaining life, set once
when the code is handed out. Every later change goes through a script that first checks the hash still
exists and then only edits fields, which keeps that expiry (the seed system's ``SET`` dropped it, so a
scanned key lived for ever); a scan arriving after the expiry finds nothing and changes nothing.

A key is used once: :meth:`QrSessions.consume` deletes it in the same step that checks it, so two logins
racing with one key cannot both succeed. Unknown, expired and used keys all read as ``expired``.

A key belongs to the Official Account whose pool handed it out (field ``account``; a key opened before accounts
existed has none and is the default's). Its code was minted by that account, so its scan arrives at that
account's portal: a scan reported by another account's portal finds no such key there (``expired``) and changes
nothing.
"""

from __future__ import annotations

import enum
import re
import time

import redis

from config.settings import DEFAULT_ACCOUNT

#: Where a key's state lives.
SESSION_PREFIX = "imbridge:qr:key:"
#: Published with the key whenever a key's status changes (the long-polls listen here).
CHANNEL = "imbridge:qr:changed"
#: What a key looks like (``secrets.token_urlsafe``); anything else is unknown, so ``expired``.
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,48}")


class QrStatus(enum.StrEnum):
    WAIT = "wait"
    OK = "ok"
    EXPIRED = "expired"


class ScanResult(enum.StrEnum):
    #: The key was waiting and is now ``ok`` with this openid.
    CONFIRMED = "confirmed"
    #: The same person scanned the same code again.
    REPEATED = "repeated"
    #: Someone else scanned it first; the first scan stands.
    TAKEN = "taken"
    #: Expired, used, or never handed out.
    EXPIRED = "expired"


_SCANNED = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'expired' end
local owner = redis.call('HGET', KEYS[1], 'account')
if not owner then owner = 'default' end
if owner ~= ARGV[5] then return 'expired' end
if status ~= 'wait' then
  if redis.call('HGET', KEYS[1], 'openid') == ARGV[1] then return 'repeated' end
  return 'taken'
end
redis.call('HSET', KEYS[1], 'status', 'ok', 'openid', ARGV[1], 'scanned_at', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 'confirmed'
"""

_CONSUME = """
if redis.call('HGET', KEYS[1], 'status') == 'ok' and redis.call('HGET', KEYS[1], 'openid') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""


def session_key(key: str) -> str:
    return SESSION_PREFIX + key


def valid_key(key: str | None) -> bool:
    return bool(key) and KEY_PATTERN.fullmatch(key or "") is not None


class QrSessions:
    """The login keys handed out, on ``client``."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._scanned = client.register_script(_SCANNED)
        self._consume = client.register_script(_CONSUME)

    def open(self, key: str, url: str, remaining_seconds: float, account: str = DEFAULT_ACCOUNT) -> None:
        """Start ``key`` (of ``account``'s pool) as ``wait``, to expire with its QR code."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(session_key(key), mapping={"status": QrStatus.WAIT.value, "url": url, "account": account})
        pipe.pexpire(session_key(key), max(1, int(remaining_seconds * 1000)))
        pipe.execute()

    def status(self, key: str) -> QrStatus:
        return self.status_and_ttl(key)[0]

    def status_and_ttl(self, key: str) -> tuple[QrStatus, float]:
        """The status and the seconds the key has left (0 when expired, infinity when it never expires)."""
        if not valid_key(key):
            return QrStatus.EXPIRED, 0.0
        pipe = self.redis.pipeline(transaction=False)
        pipe.hget(session_key(key), "status")
        pipe.pttl(session_key(key))
        status, ttl_ms = pipe.execute()
        if status is None or ttl_ms == -2:
            return QrStatus.EXPIRED, 0.0
        # -1 (no expiry) cannot happen for keys opened here; treat it as "no end in sight", never as 0.
        return QrStatus(status.decode()), float("inf") if ttl_ms == -1 else max(ttl_ms, 0) / 1000

    def url(self, key: str) -> str | None:
        """What the key's QR code encodes, while the key lives."""
        if not valid_key(key):
            return None
        value = self.redis.hget(session_key(key), "url")
        return value.decode() if value else None

    def scan_of(self, key: str) -> tuple[str, str] | None:
        """The openid that scanned ``key`` and the account it is a follower of, when the key is ``ok``."""
        if not valid_key(key):
            return None
        status, openid, account = self.redis.hmget(session_key(key), "status", "openid", "account")
        if status != QrStatus.OK.value.encode() or not openid:
            return None
        return openid.decode(), account.decode() if account else DEFAULT_ACCOUNT

    def scanned(self, key: str, openid: str, account: str = DEFAULT_ACCOUNT) -> ScanResult:
        """Record that ``openid``, a follower of ``account`` (the portal the scan arrived at), scanned the code of
        ``key`` (the portal's scan handler calls this); a key of another account's pool is ``expired`` here."""
        if not valid_key(key):
            return ScanResult.EXPIRED
        result = self._scanned(keys=[session_key(key)], args=[openid, f"{time.time():.3f}", CHANNEL, key, account])
        return ScanResult(result.decode() if isinstance(result, bytes) else result)

    def consume(self, key: str, openid: str) -> bool:
        """Use ``key`` up if it is ``ok`` for ``openid``; False when it is not (or someone used it first)."""
        if not valid_key(key):
            return False
        return bool(self._consume(keys=[session_key(key)], args=[openid]))
