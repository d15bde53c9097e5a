"""Rate limits shared by every worker through Redis: strict sliding windows, and pauses after a penalty.

The platforms count sends per robot (20 a minute) and per WeCom member (30 a minute) and punish excess (130101
blocks a DingTalk robot for 10 minutes; WeCom drops messages silently). So a delivery asks :meth:`acquire`
right before its send: either it may go now, or it gets a booked slot and sleeps until then (re-enqueued with a
delay: not a failure, not an attempt). The check is exact, in a Lua script on sorted sets (``ratelimit.lua``):
never more than N sends in ANY window, whatever the number of workers.

Example::

    limiter = RateLimiter(runtime.redis)
    decision = limiter.acquire(delivery.id, [Limit("imbridge:notify:rate:dingtalk_robot:ab12", 20, 60)])
    if not decision.go:
        reschedule(delay=decision.wait_seconds)
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import redis

_SCRIPT = (Path(__file__).parent / "ratelimit.lua").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Limit:
    """At most ``count`` sends in any ``window_seconds``, for the thing ``key`` names."""

    key: str
    count: int
    window_seconds: float


@dataclass(frozen=True)
class Decision:
    go: bool
    #: When the send may happen (Redis server time, epoch milliseconds).
    at_ms: int
    #: ``ok``, ``wait`` (a slot is booked at ``at_ms``) or ``paused`` (a penalty runs until ``at_ms``).
    reason: str
    now_ms: int

    @property
    def wait_seconds(self) -> float:
        return max(self.at_ms - self.now_ms, 0) / 1000


class RateLimiter:
    """Sliding-window limits and penalty pauses on Redis.

    :param margin_seconds: added to every window for "may it go now" (covers the time from this decision to
        the platform's clock); twice that for booked slots, so a delivery waking a little late still fits.
    """

    def __init__(self, redis_client: redis.Redis, margin_seconds: float = 2.0) -> None:
        self.redis = redis_client
        self.margin_ms = int(margin_seconds * 1000)
        self._script = redis_client.register_script(_SCRIPT)

    def acquire(self, member: str, limits: Sequence[Limit], pauses: Sequence[str] = ()) -> Decision:
        """Take a send slot now for ``member`` under every limit at once, or book the earliest that fits."""
        args: list[object] = [member, secrets.token_hex(4), len(pauses)]
        for limit in limits:
            window_ms = int(limit.window_seconds * 1000)
            args += [limit.count, window_ms + self.margin_ms, window_ms + 2 * self.margin_ms]
        go, at, reason, now = self._script(keys=[*pauses, *(limit.key for limit in limits)], args=args)
        return Decision(bool(int(go)), int(at), _text(reason), int(now))

    def pause(self, key: str, seconds: float) -> None:
        """Hold every send under ``key`` for ``seconds`` (a penalty the platform announced)."""
        if seconds > 0:
            self.redis.set(key, "1", px=max(int(seconds * 1000), 1))

    def paused_for(self, key: str) -> float:
        ttl = int(self.redis.pttl(key))
        return ttl / 1000 if ttl > 0 else 0.0


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
