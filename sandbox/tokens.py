"""Access tokens with each platform's refresh semantics.

* WeChat classic ``/cgi-bin/token``: every fetch issues a new token; the previous one keeps working only for a
  grace period (5 minutes), which is why exactly one refresher may exist.
* WeChat ``/cgi-bin/stable_token``: the same token for its whole life, a successor issued shortly before expiry
  (both valid meanwhile); ``force_refresh`` revokes the old one at once and is rationed.
* WeCom ``gettoken``: the same token until it expires.
* DingTalk ``gettoken``: the same token, its life extended by every fetch.

A token past its life answers "expired" (42001); a token the platform has never issued or has revoked answers
"invalid" (40001 on WeChat, 40014 on WeCom and DingTalk).
"""

from __future__ import annotations

import math
import secrets
from collections import deque
from dataclasses import dataclass

from sandbox.clock import Clock
from sandbox.errors import ErrcodeAnswer

#: (missing, invalid, expired) answers per platform.
TOKEN_ERRORS: dict[str, tuple[tuple[int, str], tuple[int, str], tuple[int, str]]] = {
    "wechat": (
        (41001, "access_token missing"),
        (40001, "invalid credential, access_token is invalid or not latest"),
        (42001, "access_token expired"),
    ),
    "wecom": (
        (41001, "access_token missing"),
        (40014, "invalid access_token"),
        (42001, "access_token expired"),
    ),
    "dingtalk": (
        (40014, "不合法的access_token"),
        (40014, "不合法的access_token"),
        (42001, "access_token超时"),
    ),
}

#: Above this many remembered tokens, long-dead ones are forgotten.
_PRUNE_ABOVE = 10000


@dataclass
class TokenRecord:
    platform: str
    app: str
    kind: str
    issued_at: float
    expires_at: float
    revoked: bool = False


class TokenRegistry:
    """Issues and checks access tokens. Not thread-safe by itself: callers hold the state lock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._tokens: dict[str, TokenRecord] = {}
        self._current: dict[tuple[str, str, str], str] = {}
        self._force_refreshes: dict[str, deque[float]] = {}

    def _new(self, platform: str, app: str, kind: str, lifetime: float) -> str:
        now = self._clock.now()
        if len(self._tokens) > _PRUNE_ABOVE:
            self._prune(now)
        token = secrets.token_urlsafe(96)
        self._tokens[token] = TokenRecord(platform, app, kind, now, now + lifetime)
        self._current[(platform, app, kind)] = token
        return token

    def _live_current(self, platform: str, app: str, kind: str) -> TokenRecord | None:
        token = self._current.get((platform, app, kind))
        record = self._tokens.get(token) if token else None
        if record is None or record.revoked or record.expires_at <= self._clock.now():
            return None
        return record

    def _answer(self, platform: str, app: str, kind: str) -> tuple[str, int]:
        token = self._current[(platform, app, kind)]
        remaining = self._tokens[token].expires_at - self._clock.now()
        return token, max(math.ceil(remaining), 0)

    def issue_classic(self, platform: str, app: str, lifetime: float, grace: float) -> tuple[str, int]:
        """A new token; the previous one dies ``grace`` seconds from now (or sooner, at its own expiry)."""
        previous = self._live_current(platform, app, "classic")
        if previous is not None:
            previous.expires_at = min(previous.expires_at, self._clock.now() + grace)
            previous.kind = "superseded"
        self._new(platform, app, "classic", lifetime)
        return self._answer(platform, app, "classic")

    def issue_stable(self, app: str, lifetime: float, overlap: float) -> tuple[str, int]:
        """The current stable token, or a successor when it is gone or within ``overlap`` of its end."""
        current = self._live_current("wechat", app, "stable")
        if current is None or (lifetime > overlap and current.expires_at - self._clock.now() <= overlap):
            self._new("wechat", app, "stable", lifetime)
        return self._answer("wechat", app, "stable")

    def force_refresh_stable(self, app: str, lifetime: float, per_day: int, interval: float) -> tuple[str, int]:
        """A fresh stable token that revokes the old one at once; rationed like the platform does."""
        now = self._clock.now()
        used = self._force_refreshes.setdefault(app, deque())
        while used and used[0] <= now - 86400:
            used.popleft()
        if len(used) >= per_day:
            raise ErrcodeAnswer(45009, "reach max api daily quota limit")
        if used and now - used[-1] < interval:
            raise ErrcodeAnswer(45011, "api minute-quota reach limit  mustslower  retry next minute")
        used.append(now)
        current = self._live_current("wechat", app, "stable")
        if current is not None:
            current.revoked = True
        self._new("wechat", app, "stable", lifetime)
        return self._answer("wechat", app, "stable")

    def issue_reusable(self, platform: str, app: str, lifetime: float, *, extend: bool) -> tuple[str, int]:
        """WeCom/DingTalk: the live token again (DingTalk also renews its life), or a new one."""
        current = self._live_current(platform, app, "reusable")
        if current is None:
            self._new(platform, app, "reusable", lifetime)
        elif extend:
            current.expires_at = self._clock.now() + lifetime
        return self._answer(platform, app, "reusable")

    def check(self, platform: str, token: str | None) -> TokenRecord:
        """The record behind ``token``, or the platform's missing / invalid / expired error."""
        missing, invalid, expired = TOKEN_ERRORS[platform]
        if not token:
            raise ErrcodeAnswer(*missing)
        record = self._tokens.get(token)
        if record is None or record.platform != platform or record.revoked:
            raise ErrcodeAnswer(*invalid)
        if record.expires_at <= self._clock.now():
            # A superseded classic token is "not latest" rather than expired.
            raise ErrcodeAnswer(*(invalid if record.kind == "superseded" else expired))
        return record

    def _prune(self, now: float) -> None:
        # Benchmarks fetch many tokens; forget those dead for a day (they then answer "invalid").
        for token, record in list(self._tokens.items()):
            if record.expires_at < now - 86400 or record.revoked:
                del self._tokens[token]

    def revoke(self, platform: str | None = None) -> int:
        """Invalidate every token (of ``platform``); returns how many."""
        count = 0
        for record in self._tokens.values():
            if (platform is None or record.platform == platform) and not record.revoked:
                record.revoked = True
                count += 1
        return count
