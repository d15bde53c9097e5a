"""The sandbox's notion of "now".

Token lifetimes, grace periods, penalties and media expiry are hours long on the real platforms. Tests and demos
cannot wait that long, so the clock can be moved forward (``POST /_sandbox/clock {"advance": 7200}``) without
touching the real time that injected latency and timeouts sleep on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Clock:
    """Wall-clock time plus an offset that only grows.

    :param source: where real time comes from (``time.time`` by default).

    Example::

        clock = Clock()
        clock.advance(7201)   # every token issued before now is expired
    """

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Seconds since the epoch, as the sandbox sees them."""
        return self._source() + self._offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> float:
        """Move the sandbox's time forward by ``seconds``; returns the new now."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
