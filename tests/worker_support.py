"""In-process Dramatiq workers for the suites: a worker on its own broker, running the test's runtime."""

from __future__ import annotations

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
