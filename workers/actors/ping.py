"""``ping``: proves the loop ingress -> broker -> worker works, end to end."""

from __future__ import annotations

import dramatiq

from core import runtime
from core.ping import note_ping


@dramatiq.actor(queue_name="default", max_retries=3)
def ping(ping_id: str) -> None:
    """Record that a worker saw this ping, with the time it did."""
    note_ping(runtime.current().redis, ping_id)
