"""Website sign-in (WeChat open platform, WeCom web login, DingTalk): a ``state`` bound to one browser, used once.

Starting a sign-in makes a random ``state`` and a random browser nonce; the nonce goes to the browser in an
HttpOnly cookie and only its SHA-256 is stored, with the state, in ``imbridge:web:state:<state>`` (expiring
after ``login.web-login-seconds``). The provider sends the browser back with ``code`` and ``state``:

* :meth:`WebLogins.claim` accepts the state once, and only with the cookie of the browser that started it
  (``new`` -> ``exchanging``), in one Lua step, so two callbacks racing with one state cannot both pass;
* a worker exchanges the code and records the account (``ok``) or the provider's refusal (``refused``);
  every change is published on the QR login's channel, so the waiting page's long-poll wakes at once;
* :meth:`WebLogins.consume` hands the account to ``/token/login`` once, again only to the same browser.

A state from another browser, a forged or unknown one, an expired or used one: each is refused, nothing
changes. Unknown, expired and used states read alike (``expired``).
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass

import redis

from core.login.sessions import CHANNEL, KEY_PATTERN

PREFIX = "imbridge:web:state:"


class Provider(enum.StrEnum):
    WECHAT_OPEN = "wechat-open"
    WECOM = "wecom"
    DINGTALK = "dingtalk"


class WebStatus(enum.StrEnum):
    #: Started; the provider has not sent the browser back yet.
    NEW = "new"
    #: The callback came; a worker is exchanging the code.
    EXCHANGING = "exchanging"
    OK = "ok"
    REFUSED = "refused"
    EXPIRED = "expired"


class Claim(enum.StrEnum):
    CLAIMED = "claimed"
    #: Unknown, forged, expired, or of another provider.
    UNKNOWN = "unknown"
    #: Known, but the request does not carry the cookie of the browser that started it.
    OTHER_BROWSER = "other_browser"
    #: Its callback came already.
    USED = "used"


@dataclass(frozen=True)
class WebAccount:
    provider: Provider
    #: The openid (WeChat), the userid (WeCom; the openid for someone outside the corp) or the unionId (DingTalk).
    account: str
    unionid: str | None = None


_CLAIM = """
local provider, browser, status = unpack(redis.call('HMGET', KEYS[1], 'provider', 'browser', 'status'))
if not status or provider ~= ARGV[1] then return 'unknown' end
if browser ~= ARGV[2] then return 'other_browser' end
if status ~= 'new' then return 'used' end
redis.call('HSET', KEYS[1], 'status', 'exchanging')
return 'claimed'
"""

_ANSWER = """
if redis.call('HGET', KEYS[1], 'status') ~= 'exchanging' then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1
"""

_CONSUME = """
local values = redis.call('HMGET', KEYS[1], 'status', 'browser', 'provider', 'account', 'unionid')
if values[1] ~= 'ok' or values[2] ~= ARGV[1] then return false end
redis.call('DEL', KEYS[1])
return {values[3], values[4], values[5] or ''}
"""


def browser_hash(nonce: str | None) -> str:
    """What is stored of a browser's nonce: a leaked Redis never yields a cookie."""
    return hashlib.sha256((nonce or "").encode()).hexdigest() if nonce else ""


def valid_state(state: str | None) -> bool:
    return bool(state) and KEY_PATTERN.fullmatch(state or "") is not None


class WebLogins:
    """Website sign-in states on ``client``."""

    def __init__(self, client: redis.Redis, lifetime_seconds: int) -> None:
        self.redis = client
        self.lifetime_seconds = lifetime_seconds
        self._claim = client.register_script(_CLAIM)
        self._answer = client.register_script(_ANSWER)
        self._consume = client.register_script(_CONSUME)

    def start(self, provider: Provider) -> tuple[str, str]:
        """A new ``(state, browser nonce)``; the nonce is the browser's cookie, never stored as it is."""
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(32)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(PREFIX + state, mapping={"provider": provider.value, "browser": browser_hash(nonce),
                                           "status": WebStatus.NEW.value})
        pipe.expire(PREFIX + state, self.lifetime_seconds)
        pipe.execute()
        return state, nonce

    def claim(self, provider: Provider, state: str | None, nonce: str | None) -> Claim:
        """Accept the provider's callback for ``state`` once, from the browser holding ``nonce``."""
        if not valid_state(state):
            return Claim.UNKNOWN
        result = self._claim(keys=[PREFIX + str(state)], args=[provider.value, browser_hash(nonce) or "-"])
        return Claim(result.decode() if isinstance(result, bytes) else result)

    def succeeded(self, state: str, account: str, unionid: str | None) -> bool:
        return self._set(state, status=WebStatus.OK.value, account=account, unionid=unionid or "")

    def refused(self, state: str, reason: str) -> bool:
        return self._set(state, status=WebStatus.REFUSED.value, reason=reason[:200])

    def _set(self, state: str, **fields: str) -> bool:
        pairs = [item for pair in fields.items() for item in pair]
        return bool(self._answer(keys=[PREFIX + state], args=[CHANNEL, state, *pairs]))

    def status_and_ttl(self, state: str | None) -> tuple[WebStatus, float]:
        if not valid_state(state):
            return WebStatus.EXPIRED, 0.0
        pipe = self.redis.pipeline(transaction=False)
        pipe.hget(PREFIX + str(state), "status")
        pipe.pttl(PREFIX + str(state))
        status, ttl_ms = pipe.execute()
        if status is None or ttl_ms == -2:
            return WebStatus.EXPIRED, 0.0
        return WebStatus(status.decode()), max(ttl_ms, 0) / 1000

    def status(self, state: str | None) -> WebStatus:
        return self.status_and_ttl(state)[0]

    def reason(self, state: str) -> str:
        value = self.redis.hget(PREFIX + state, "reason") if valid_state(state) else None
        return value.decode() if value else ""

    def peek(self, state: str | None, nonce: str | None) -> WebAccount | None:
        """The signed-in account, when the state is ``ok`` and ``nonce`` is its browser's; changes nothing."""
        if not valid_state(state) or not nonce:
            return None
        values = self.redis.hmget(PREFIX + str(state), "status", "browser", "provider", "account", "unionid")
        status, browser, provider, account, unionid = (v.decode() if v else "" for v in values)
        if status != WebStatus.OK.value or browser != browser_hash(nonce):
            return None
        return WebAccount(Provider(provider), account, unionid or None)

    def consume(self, state: str | None, nonce: str | None) -> WebAccount | None:
        """The signed-in account, once, to the browser that started the sign-in; None otherwise."""
        if not valid_state(state) or not nonce:
            return None
        found = self._consume(keys=[PREFIX + str(state)], args=[browser_hash(nonce)])
        if not found:
            return None
        provider, account, unionid = (value.decode() if isinstance(value, bytes) else value for value in found)
        return WebAccount(Provider(provider), account, unionid or None)
