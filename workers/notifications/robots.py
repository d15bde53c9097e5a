"""Robot credentials for a send, opened once and kept a few seconds per process.

Opening means a database read and two decryptions; at hundreds of sends a second to one robot that is worth
keeping. An operator's change (new token, disabled robot) reaches every worker within ``TTL_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from models import Database
from models.robots import Robot, RobotCredentials, open_credentials
from models.secretbox import SecretBox, SecretUnreadable

#: How long an opened robot is reused before it is read again.
TTL_SECONDS = 5.0


class RobotUnusable(Exception):
    """The robot is gone, disabled or its secrets do not open: the delivery fails (retrying cannot help)."""


class RobotCache:
    def __init__(self, database: Database, box: Callable[[], SecretBox], clock: Callable[[], float] = time.monotonic
                 ) -> None:
        self.database = database
        self.box = box
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[int, tuple[float, RobotCredentials | str]] = {}

    def credentials(self, robot_id: int | None, code: str | None) -> RobotCredentials:
        """The opened credentials of robot ``robot_id``; :class:`RobotUnusable` says why not."""
        if robot_id is None:
            raise RobotUnusable(f"robot '{code}' was deleted")
        now = self.clock()
        with self._lock:
            cached = self._entries.get(robot_id)
        if cached is None or cached[0] < now:
            cached = (now + TTL_SECONDS, self._open(robot_id, code))
            with self._lock:
                self._entries[robot_id] = cached
        if isinstance(cached[1], str):
            raise RobotUnusable(cached[1])
        return cached[1]

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
