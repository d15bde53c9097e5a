"""``run_follow_up``: the work a portal handler handed over (see :mod:`core.follow_ups`)."""

from __future__ import annotations

import logging
from typing import Any

from core import tasks
from core.follow_ups import FOLLOW_UPS
from workers.actors.declaration import ActorDef
from workers.context import ActorContext

log = logging.getLogger(f"imbridge.{__name__}")


def run_follow_up(context: ActorContext, name: str, payload: dict[str, Any]) -> None:
    """Run the follow-up registered as ``name``; a name no plugin of this worker registered is logged and dropped
    (retrying cannot make it appear)."""
    fn = FOLLOW_UPS.get(name)
    if fn is None:
        log.error("no follow-up is registered as %r in this worker (is its plugin installed here?); dropped", name)
        return
    fn(context.runtime, payload)


ACTORS = [ActorDef(tasks.RUN_FOLLOW_UP, run_follow_up, {"max_retries": 3})]
