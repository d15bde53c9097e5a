"""The worker module ``bench/dispatch.py`` runs: imbridge's own worker, plus a no-op actor for the baseline.

The same processes and threads serve both, so the notifications' throughput is measured against exactly what
Dramatiq alone achieves on this machine.
"""

import dramatiq

from workers.main import broker
from workers.producer import QUEUE


@dramatiq.actor(queue_name=QUEUE, broker=broker, max_retries=0)
def bench_noop() -> None:
    """Nothing at all: the cost of a Dramatiq message round trip."""
