"""Every line logged while a message is processed carries the ids of the record it is about (a delivery, a job, a
webhook delivery), Dramatiq's own lines included: its "Failed to process message", the retry it schedules, an
age limit it enforces.

A middleware rather than a wrapper around each actor, because Dramatiq logs those lines outside the actor's call;
placed first on the broker, its ``before`` hook runs before every other middleware's and its ``after`` hooks after.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import dramatiq

from core.log_context import bind_ids, clear_ids
from workers.actors.declaration import ActorDef

log = logging.getLogger(f"imbridge.{__name__}")

#: What a message is about, from its arguments: ``{"delivery": args[0]}``.
IdsOf = Callable[..., Mapping[str, object]]


class MessageLogIds(dramatiq.Middleware):
    """Binds each message's ids (each :class:`ActorDef`'s ``ids``) in the worker thread that processes it."""

    def __init__(self, definitions: Iterable[ActorDef]) -> None:
        self.ids_of: dict[str, IdsOf] = {d.task.actor: d.ids for d in definitions if d.ids is not None}

    def before_process_message(self, broker: dramatiq.Broker, message: dramatiq.Message[Any]) -> None:
        ids_of = self.ids_of.get(message.actor_name)
        if ids_of is None:
            clear_ids()
            return
        try:
            bind_ids(**ids_of(*message.args, **message.kwargs))
        except Exception:  # arguments of the wrong shape: the actor will say so; its lines just carry no id
            clear_ids()

    def after_process_message(self, broker: dramatiq.Broker, message: dramatiq.Message[Any], *,
                              result: Any = None, exception: BaseException | None = None) -> None:
        clear_ids()

    def after_skip_message(self, broker: dramatiq.Broker, message: dramatiq.Message[Any]) -> None:
        clear_ids()


def add_message_log_ids(broker: dramatiq.Broker, definitions: Iterable[ActorDef]) -> None:
    """Put :class:`MessageLogIds` first on ``broker``."""
    middleware = MessageLogIds(definitions)
    if broker.middleware:
        broker.add_middleware(middleware, before=type(broker.middleware[0]))
    else:
        broker.add_middleware(middleware)
