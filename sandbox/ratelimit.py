"""Sliding-window rate limits, with an optional penalty box.

DingTalk robots accept 20 messages a minute and then refuse everything for 10 minutes (130101); WeCom robots
accept 20 a minute (45009 beyond) with no penalty; WeCom drops app messages to a member beyond about 30 a
minute without telling anyone. All three are this one class with different numbers.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class _Bucket:
    hits: deque[float] = field(default_factory=deque)
    penalty_until: float = 0.0


class SlidingWindowLimiter:
    """Counts accepted hits per key over the last ``window`` seconds. Callers hold the state lock.

    Example::

        limiter = SlidingWindowLimiter()
        if not limiter.hit("robot-1", now, limit=20, window=60, penalty=600):
            raise PlatformError(130101, "send too fast, exceed 20 times per minute")
    """

    def __init__(self) -> None:
        self._buckets: dict[str, _Bucket] = {}

    def hit(self, key: str, now: float, *, limit: int | None, window: float, penalty: float = 0.0) -> bool:
        """Record a hit and say whether it is allowed. ``limit=None`` allows everything."""
        if limit is None:
            return True
        bucket = self._buckets.setdefault(key, _Bucket())
        if now < bucket.penalty_until:
            return False
        while bucket.hits and bucket.hits[0] <= now - window:
            bucket.hits.popleft()
        if len(bucket.hits) >= limit:
            if penalty:
                bucket.penalty_until = now + penalty
            return False
        bucket.hits.append(now)
        return True

    def clear(self) -> None:
        self._buckets.clear()
