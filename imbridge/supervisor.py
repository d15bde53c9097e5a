"""Child processes for ``imbridge up``: start, watch, restart once in a while, stop without orphans.

Each child runs in its own session (process group), so stopping it signals the whole group: gunicorn's and
dramatiq's own worker processes included. SIGTERM first, SIGKILL after a grace period.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

#: Seconds a child gets to exit after SIGTERM before its group is killed.
STOP_GRACE_SECONDS = 8.0
#: A child that crashes more often than this within ``RESTART_WINDOW_SECONDS`` takes ``up`` down with it.
MAX_RESTARTS = 3
RESTART_WINDOW_SECONDS = 60.0


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(self.argv, env=env, start_new_session=True)
        log.info("started %s (pid %d)", self.name, self.process.pid)

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def signal_group(self, signum: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


class Supervisor:
    def __init__(self, children: list[Child], env: dict[str, str]) -> None:
        self.children = children
        self.env = env
        self._stopping = False

    def start(self) -> None:
        for child in self.children:
            child.start(self.env)

    def request_stop(self, *_: object) -> None:
        self._stopping = True

    def watch(self, interval: float = 0.5) -> int:
        """Block until asked to stop (returns 0) or a child keeps crashing (returns 1)."""
        while not self._stopping:
            for child in self.children:
                code = child.exited()
                if code is None:
                    continue
                now = time.monotonic()
                child.restarts = [t for t in child.restarts if now - t < RESTART_WINDOW_SECONDS] + [now]
                print(f"imbridge up: {child.name} exited with code {code}", file=sys.stderr, flush=True)
                # What the crashed leader leaves behind (gunicorn's or dramatiq's workers) must not serve on beside
                # its successor, nor hold its port.
                child.signal_group(signal.SIGKILL)
                if len(child.restarts) > MAX_RESTARTS:
                    print(f"imbridge up: {child.name} keeps failing; stopping everything", file=sys.stderr)
                    return 1
                child.start(self.env)
            time.sleep(interval)
        return 0

    def stop(self) -> None:
        for child in reversed(self.children):
            if child.exited() is None:
                child.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in time; killing it", child.name)
            # Whatever the leader did, nothing of its group may outlive us.
            child.signal_group(signal.SIGKILL)
            child.process.wait()
