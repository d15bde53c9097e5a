"""Every imbridge actor, declared on the broker a worker process builds (:func:`declare_actors`).

Each module lists its actors as :class:`~workers.actors.declaration.ActorDef`: a :class:`core.tasks.Task` (the
queue and name producers send to), a plain function of the worker's context and the message's arguments, and its
Dramatiq options. Nothing is bound to a broker at import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dramatiq

from workers.actors import follow_ups, inbound, jobs, login, notifications, ping, webhooks
from workers.actors.declaration import ActorDef, declare
from workers.context import ActorContext

#: Every actor, each under its task's name.
ACTORS: list[ActorDef] = [*ping.ACTORS, *inbound.ACTORS, *webhooks.ACTORS, *login.ACTORS, *notifications.ACTORS,
                          *jobs.ACTORS, *follow_ups.ACTORS]


def declare_actors(broker: dramatiq.Broker, context: Callable[[], ActorContext]) -> dict[str, dramatiq.Actor[Any, Any]]:
    """Declare every imbridge actor on ``broker``; each is called with ``context()`` (the booted worker's)."""
    return declare(broker, ACTORS, context)


__all__ = ["ACTORS", "ActorDef", "declare_actors"]
