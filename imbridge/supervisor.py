"""Child processes for ``imbridge up``: start, watch, restart once in a while, stop without orphans.

Each child runs in its own session (process group), so stopping it signals the whole group: granian's and
dramatiq's own worker processes included. SIGTERM first, SIGKILL after a grace period.

``imbridge up`` prepares everything and then becomes this module (``exec``, the same pid), handing it a
:class:`Plan`: what to start, with what environment, what to print, and the embedded Valkey's keeper to stop last.
It imports only the standard library, so the one process that stays up to watch the others stays small.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

#: Under var/: the plan ``up`` hands over (read and deleted at once: the environment in it holds the Redis URL).
PLAN_FILE = "up-plan.json"
#: Seconds the embedded Valkey's keeper gets to stop the server (an AOF fsync) before it is killed.
KEEPER_GRACE_SECONDS = 15.0
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

    @property
    def stopping(self) -> bool:
        return self._stopping

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
                # What the crashed leader leaves behind (granian's or dramatiq's workers) must not serve on beside
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


@dataclass
class Plan:
    """What ``up`` prepared: the children (name, argv) in start order, their environment, the banner to print once
    they are started, and what to stop and remove at the end."""

    children: list[tuple[str, list[str]]]
    env: dict[str, str]
    banner: str
    warnings: list[str]
    keeper_pid: int | None
    leftovers: list[str]
    #: Answered once the ingress listens: the banner waits for it, so its addresses work when it shows.
    ready_url: str | None = None

    def dumps(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def load(cls, path: Path) -> Plan:
        data = json.loads(path.read_text(encoding="utf-8"))
        path.unlink()
        data["children"] = [(name, argv) for name, argv in data["children"]]
        return cls(**data)


def stop_keeper(pid: int) -> None:
    """SIGTERM to the embedded Valkey's keeper (our child since before the exec), SIGKILL after the grace."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + KEEPER_GRACE_SECONDS
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


#: How long the banner waits for the ingress to answer before it shows anyway (with a warning).
READY_WAIT_SECONDS = 60.0


def wait_until_answering(url: str, supervisor: Supervisor, timeout: float = READY_WAIT_SECONDS) -> bool:
    """Whether ``url`` answered before ``timeout`` (False as soon as a child has exited or a stop was asked)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not supervisor.stopping and \
            all(child.exited() is None for child in supervisor.children):
        try:
            with urllib.request.urlopen(url, timeout=1):
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    return False


def run(plan: Plan) -> int:
    supervisor = Supervisor([Child(name, argv) for name, argv in plan.children], plan.env)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    signal.signal(signal.SIGINT, supervisor.request_stop)
    code = 1
    try:
        supervisor.start()
        if plan.ready_url and not wait_until_answering(plan.ready_url, supervisor) and not supervisor.stopping:
            print(f"imbridge up: warning: the ingress does not answer at {plan.ready_url} yet", file=sys.stderr,
                  flush=True)
        print(plan.banner, flush=True)
        for warning in plan.warnings:
            print(warning, file=sys.stderr, flush=True)
        code = supervisor.watch()
    finally:
        supervisor.stop()
        if plan.keeper_pid is not None:
            stop_keeper(plan.keeper_pid)
        for leftover in plan.leftovers:
            Path(leftover).unlink(missing_ok=True)
        print("imbridge up: stopped", flush=True)
    return code


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(run(Plan.load(Path(sys.argv[1]))))
