"""``ping``: proves the loop ingress -> broker -> worker works, end to end."""

from __future__ import annotations

from core import tasks
from core.ping import note_ping
from workers.actors.declaration import ActorDef
from workers.context import ActorContext


def ping(context: ActorContext, ping_id: str) -> None:
    """Record that a worker saw this ping, with the time it did."""
    note_ping(context.runtime.redis, ping_id)


ACTORS = [ActorDef(tasks.PING, ping, {"max_retries": 3})]
