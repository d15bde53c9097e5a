"""Heartbeat: shows the scheduler is alive and which instance leads."""

from __future__ import annotations

import time

from core.runtime import Runtime

HEARTBEAT_KEY = "imbridge:scheduler:heartbeat"


def heartbeat(runtime: Runtime, owner: str) -> None:
    """Record the time, the leader and a running count (the count is what tests and operators read)."""
    runtime.redis.hset(HEARTBEAT_KEY, mapping={"at": f"{time.time():.3f}", "owner": owner})
    runtime.redis.hincrby(HEARTBEAT_KEY, "count", 1)
