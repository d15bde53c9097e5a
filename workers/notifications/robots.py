"""Robot credentials for a send, opened once and kept a few seconds per process.

Opening means a database read and two decryptions; at hundreds of sends a second to one robot that is worth
keeping. An operator's change made through the API (new token, new secret, disabled robot) reaches every worker on
its next send: the ingress bumps the robot's version in Redis (:mod:`core.robot_versions`) and a cached entry of
another version is opened again. A change made around the API (straight in the database) is seen within
``TTL_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import redis

from core import robot_versions
from models import Database
from models.robots import Robot, RobotCredentials, open_credentials
from models.secretbox import SecretBox, SecretUnreadable

#: How long an opened robot is reused before it is read again.
TTL_SECONDS = 5.0


class RobotUnusable(Exception):
    """The robot is gone, disabled or its secrets do not open: the delivery fails (retrying cannot help)."""


class RobotCache:
    """Opened robots of this process, each kept until ``TTL_SECONDS`` pass or its version in Redis changes.

    :param redis_client: where the ingress counts robot edits; None keeps entries for the TTL alone.
    """

    def __init__(self, database: Database, box: Callable[[], SecretBox], redis_client: redis.Redis | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.database = database
        self.box = box
        self.redis = redis_client
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[int, tuple[float, int, RobotCredentials | str]] = {}

    def credentials(self, robot_id: int | None, code: str | None) -> RobotCredentials:
        """The opened credentials of robot ``robot_id``; :class:`RobotUnusable` says why not."""
        if robot_id is None:
            raise RobotUnusable(f"robot '{code}' was deleted")
        now = self.clock()
        # Read the version before the robot: an edit committed in between is opened now and reopened next time.
        version = robot_versions.current(self.redis, robot_id) if self.redis is not None else 0
        with self._lock:
            cached = self._entries.get(robot_id)
        if cached is None or cached[0] < now or cached[1] != version:
            cached = (now + TTL_SECONDS, version, self._open(robot_id, code))
            with self._lock:
                self._entries[robot_id] = cached
        if isinstance(cached[2], str):
            raise RobotUnusable(cached[2])
        return cached[2]

    def _open(self, robot_id: int, code: str | None) -> RobotCredentials | str:
        with self.database.session() as session:
            robot = session.get(Robot, robot_id)
            if robot is None:
                return f"robot '{code}' was deleted"
            if not robot.enabled:
                return f"robot '{robot.code}' is disabled"
            try:
                return open_credentials(robot, self.box())
            except SecretUnreadable as exc:
                return f"robot '{robot.code}': {exc}"
