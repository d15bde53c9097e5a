"""Follow-ups: work a portal handler hands to a worker, because a handler answers within WeChat's 5 seconds and
never calls a platform itself.

A plugin registers a function under a name with :func:`follow_up`; its handler asks for it with
``context.follow_up(name, **payload)``, which enqueues ``run_follow_up(name, payload)``. The worker runs only
functions registered under that name in its own process (plugins loaded at boot): a message names a function, it
never names code to import.

Example::

    @follow_up("hours.log_question")
    def log_question(runtime, payload):
        runtime.redis.incr(f"hours:asked:{payload['openid']}")
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.runtime import Runtime

FollowUp = Callable[["Runtime", dict[str, Any]], None]

#: Every follow-up registered in this process, by name.
FOLLOW_UPS: dict[str, FollowUp] = {}


def follow_up(name: str) -> Callable[[FollowUp], FollowUp]:
    """Register the decorated ``fn(runtime, payload)`` under ``name`` (a second function under one name is a bug)."""

    def register(fn: FollowUp) -> FollowUp:
        registered = FOLLOW_UPS.get(name)
        if registered is not None and registered is not fn:
            raise ValueError(f"a follow-up is already registered as {name!r}: {registered.__qualname__}")
        FOLLOW_UPS[name] = fn
        return fn

    return register
