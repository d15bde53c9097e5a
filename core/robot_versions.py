"""A robot's edit count in Redis: how every worker process learns, on its next send, that a robot changed.

Workers keep opened robot credentials a few seconds (:mod:`workers.notifications.robots`). An operator who fixes a
robot's secret and retries at once must not meet the old secret again, so the ingress bumps the robot's version
after each change is committed, and a worker reopens a robot whose version is not the one it opened. One Redis GET
per send; the database read and two decryptions it saves stay saved while nothing changes.
"""

from __future__ import annotations

import redis

KEY = "imbridge:robot:{}:version"


def bump(client: redis.Redis, robot_id: int) -> None:
    """Call after the change is committed: a worker that read the old version before it reopens on the next send."""
    client.incr(KEY.format(robot_id))


def current(client: redis.Redis, robot_id: int) -> int:
    """The robot's version (0 when it was never changed through the API)."""
    value = client.get(KEY.format(robot_id))
    return int(value) if value is not None else 0
