"""In-process Dramatiq workers for the suites: a worker on its own broker, running the test's runtime."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from dramatiq import Worker

from core.runtime import Runtime
from workers.boot import worker_broker


@contextmanager
def running_worker(runtime: Runtime, threads: int = 2, timeout_ms: int = 50) -> Iterator[Worker]:
    """A started worker on a broker of ``runtime``'s settings, its actors using ``runtime``; stopped on exit."""
    broker = worker_broker(runtime.settings, runtime)
    worker = Worker(broker, worker_timeout=timeout_ms, worker_threads=threads)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        broker.close()


def wait_until_idle(runtime: Runtime, timeout: float = 20.0) -> None:
    """Until no queue of ``runtime``'s broker holds a message: neither waiting, delayed, nor taken and not yet
    acknowledged (Redis counts all three). After it, "nothing more happens" can be asserted without a sleep.

    Joined twice over every queue: a task finishing on one queue may have sent one to a queue already joined.
    """
    from core.tasks import Tasks

    tasks = Tasks.from_settings(runtime.settings)
    deadline = time.monotonic() + timeout
    try:
        for _ in range(2):
            for queue in sorted(tasks.broker.get_declared_queues()):
                left_ms = max(1, int((deadline - time.monotonic()) * 1000))
                tasks.broker.join(queue, interval=20, timeout=left_ms)
    finally:
        tasks.close()
