"""Enqueue from a request: a broker that cannot take the message is a 503 the caller can retry; many messages
in one round trip."""

from __future__ import annotations

import uuid
from typing import Any

import dramatiq
import falcon
from dramatiq.brokers.redis import RedisBroker

from ingress.errors import ApiError


def enqueue(actor: dramatiq.Actor, *args: Any, **kwargs: Any) -> dramatiq.Message:
    try:
        return actor.send(*args, **kwargs)
    except Exception as exc:  # redis/pika connection errors differ; all mean "broker unavailable"
        raise ApiError(falcon.HTTP_503, "the message broker is unavailable; retry shortly",
                       code="broker_unavailable", headers={"Retry-After": "5"}) from exc


def send_many(actor: dramatiq.Actor, argument_lists: list[tuple[Any, ...]]) -> None:
    """Enqueue one message of ``actor`` per argument tuple; raises if the broker did not take them all.

    On Redis, in one round trip (MULTI/EXEC: all or none) instead of one script call each: the message layout is
    the one the README documents for producers without Dramatiq (``HSET <ns>:<queue>.msgs RID <json>``, then
    ``RPUSH <ns>:<queue> RID``), which Dramatiq's own enqueue writes too. Other brokers get one send each.
    """
    broker = actor.broker
    if not isinstance(broker, RedisBroker):
        for arguments in argument_lists:
            actor.send(*arguments)
        return
    messages = [actor.message(*arguments).copy(options={"redis_message_id": str(uuid.uuid4())})
                for arguments in argument_lists]
    if not messages:
        return
    queue = f"{broker.namespace}:{actor.queue_name}"
    for message in messages:
        broker.emit_before("enqueue", message, None)
    with broker.client.pipeline(transaction=True) as pipeline:
        pipeline.hset(f"{queue}.msgs", mapping={m.options["redis_message_id"]: m.encode() for m in messages})
        pipeline.rpush(queue, *(m.options["redis_message_id"] for m in messages))
        pipeline.execute()
    for message in messages:
        broker.emit_after("enqueue", message, None)
