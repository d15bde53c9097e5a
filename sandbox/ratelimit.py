"""Sliding-window rate limits, with an optional penalty box.

DingTalk robots accept 20 messages a minute and then refuse everything for 10 minutes (130101); WeCom robots
accept 20 a minute (45009 beyond) with no penalty; WeCom drops app messages to a member beyond about 30 a
minute without telling anyone. All three are this one class with different numbers.

Keys come and go (every WeCom member ever messaged has one), so a bucket that has nothing left to remember -
no hit inside its window, no penalty running - is dropped in a sweep every ``SWEEP_EVERY`` hits.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

#: Hits between two sweeps of the buckets that have nothing left to remember.
SWEEP_EVERY = 1024


@dataclass
class _Bucket:
    hits: deque[float] = field(default_factory=deque)
    penalty_until: float = 0.0
    window: float = 0.0

    def idle(self, now: float) -> bool:
        return now >= self.penalty_until and (not self.hits or self.hits[-1] <= now - self.window)


class SlidingWindowLimiter:
    """Counts accepted hits per key over the last ``window`` seconds. Callers hold the state lock.

    Example::

        limiter = SlidingWindowLimiter()
        if not limiter.hit("robot-1", now, limit=20, window=60, penalty=600):
            raise ErrcodeAnswer(130101, "send too fast, exceed 20 times per minute")
    """

    def __init__(self) -> None:
        self._buckets: dict[str, _Bucket] = {}
        self._hits_since_sweep = 0

    def hit(self, key: str, now: float, *, limit: int | None, window: float, penalty: float = 0.0) -> bool:
        """Record a hit and say whether it is allowed. ``limit=None`` allows everything."""
        if limit is None:
            return True
        self._hits_since_sweep += 1
        if self._hits_since_sweep >= SWEEP_EVERY:
            self._sweep(now)
        bucket = self._buckets.setdefault(key, _Bucket())
        bucket.window = window
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

    def __len__(self) -> int:
        """Keys remembered."""
        return len(self._buckets)

    def _sweep(self, now: float) -> None:
        self._hits_since_sweep = 0
        for key in [key for key, bucket in self._buckets.items() if bucket.idle(now)]:
            del self._buckets[key]
