"""In-process Dramatiq workers for the suites: a worker on its own broker, running the test's runtime."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dramatiq import Worker

from core.broker import setup_broker
from core.runtime import Runtime


@contextmanager
def running_worker(runtime: Runtime, threads: int = 2, timeout_ms: int = 50) -> Iterator[Worker]:
    """A started worker consuming from ``runtime``'s broker; stopped on exit."""
    broker = setup_broker(runtime.settings)
    worker = Worker(broker, worker_timeout=timeout_ms, worker_threads=threads)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        broker.close()
