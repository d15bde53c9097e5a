"""What actually reached people, as opposed to what the API said.

The platforms' answers and their real effect differ on purpose: WeCom answers errcode 0 and silently drops
messages to a member over its rate, DingTalk answers with a task id and filters users later. The deliveries log
is the sandbox's view of the recipients' phones (``GET /_sandbox/deliveries``), for tests and the demo.
"""

from __future__ import annotations

import itertools
from collections import deque
from typing import Any


class Deliveries:
    """Accepted messages with who got them. Callers hold the state lock."""

    def __init__(self, limit: int = 10000) -> None:
        self._items: deque[dict[str, Any]] = deque(maxlen=limit)
        self._seq = itertools.count(1)

    def record(self, *, time: float, platform: str, channel: str, target: str, msgtype: str | None,
               message: Any, delivered: list[str], dropped: list[str] | None = None) -> dict[str, Any]:
        item = {
            "seq": next(self._seq), "time": time, "platform": platform, "channel": channel,
            "target": target, "msgtype": msgtype, "message": message,
            "delivered": delivered, "dropped": dropped or [],
        }
        self._items.append(item)
        return item

    def resize(self, limit: int) -> None:
        """Keep the newest ``limit`` messages from now on."""
        self._items = deque(self._items, maxlen=limit)

    def list(self, platform: str | None = None, channel: str | None = None) -> list[dict[str, Any]]:
        return [d for d in self._items
                if (platform is None or d["platform"] == platform)
                and (channel is None or d["channel"] == channel)]
