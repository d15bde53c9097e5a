"""How an actor is declared: a plain function of the worker's :class:`~workers.context.ActorContext` and its
message's arguments, under a :class:`core.tasks.Task` (the queue and name producers send to), bound to a broker
only when a worker builds one (:func:`declare`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import dramatiq

from core.tasks import Task

if TYPE_CHECKING:
    from workers.context import ActorContext


@dataclass(frozen=True)
class ActorDef:
    """One actor: the task it runs, its function ``fn(context, *args)``, and Dramatiq's options for it.

    ``ids(*args)`` names the record a message is about (``{"delivery": args[0]}``): every line logged while
    it is processed carries that id (:class:`workers.log_ids.MessageLogIds`).
    """

    task: Task
    fn: Callable[..., None]
    options: Mapping[str, Any] = field(default_factory=dict)
    ids: Callable[..., Mapping[str, object]] | None = None


def declare(broker: dramatiq.Broker, definitions: Iterable[ActorDef],
            context: Callable[[], ActorContext]) -> dict[str, dramatiq.Actor[Any, Any]]:
    """Declare each actor on ``broker``, its function called with ``context()`` first; actors by name."""
    actors = {}
    for definition in definitions:
        actors[definition.task.actor] = dramatiq.actor(
            _with_context(definition.fn, context), broker=broker, actor_name=definition.task.actor,
            queue_name=definition.task.queue, **definition.options)
    return actors


def _with_context(fn: Callable[..., None], context: Callable[[], ActorContext]) -> Callable[..., None]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        fn(context(), *args, **kwargs)

    return run
