"""``imbridge worker --processes 1``: the Dramatiq worker in the command's own process, without a leader.

Dramatiq's command line forks every worker process from a leader that only watches it and relays its logs
(:mod:`workers.leader`, 14 MB of PSS for one child in ``bench/memory.py``). With one process, what ``imbridge up``
runs, there is nothing to watch: :func:`run_worker` does in this process what Dramatiq's command line does in a
worker process it forks (``process_boot``, a :class:`dramatiq.Worker` started and stopped within the shutdown
timeout, the broker closed), and what its leader does for the whole (the signals, the exit codes). A supervisor
(``imbridge up``, systemd, a container engine) replaces this process when it dies, as it would the leader.

Signals, as under Dramatiq's leader: SIGTERM or SIGINT stops the worker, giving running jobs the shutdown timeout;
a second one stops at once (exit 1). SIGHUP stops the same way and starts the same command again in this process
(``exec``: new code, the same pid).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from types import FrameType

import dramatiq
from dramatiq.errors import ConnectionError as BrokerConnectionError

from config import Settings
from workers.boot import worker_broker

log = logging.getLogger(f"imbridge.{__name__}")

#: Exit codes, Dramatiq's command line's: stopped, killed by a second signal, the broker unreachable at start.
RET_OK, RET_KILLED, RET_CONNECT = 0, 1, 3


class _Stop:
    """What the signals asked: stop (the first), at once (the second), and whether to start again (SIGHUP)."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.restart = False

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.requested.is_set():
            log.warning("Killing worker process...")
            sys.exit(RET_KILLED)
        log.info("Stopping worker process (%s)...", signal.Signals(signum).name)
        self.restart = signum == signal.SIGHUP
        self.requested.set()


def run_worker(settings: Settings, *, threads: int, shutdown_timeout_ms: int) -> int:
    """Run one worker of every imbridge actor until a signal stops it; returns the exit code (after SIGHUP, starts
    the same command again instead of returning)."""
    stop = _Stop()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, stop.handle)
    broker = worker_broker(settings)
    broker.emit_after("process_boot")
    worker = dramatiq.Worker(broker, worker_threads=threads)
    try:
        worker.start()
    except BrokerConnectionError:
        log.exception("Broker connection failed.")
        return RET_CONNECT
    log.info("Worker process is ready for action (%d threads).", threads)
    stop.requested.wait()
    worker.stop(timeout=shutdown_timeout_ms)
    broker.close()
    if stop.restart:
        _start_again()
    return RET_OK


def _start_again() -> None:
    """``exec`` the command this process was started with (``imbridge worker ...`` or ``python -m imbridge worker
    ...``: the same arguments either way)."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os.execv(sys.executable, [sys.executable, "-m", "imbridge", *sys.argv[1:]])
