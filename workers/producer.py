"""Putting a notification on the broker without REST: for Python systems that share imbridge's broker.

The message is an ordinary Dramatiq message for the actor ``submit_notification`` on the queue
``notifications``; its one argument is the REST request body plus an ``id`` (a UUID the producer chooses: the
delivery record gets it, so ``GET /api/v1/notifications/<id>`` shows the outcome, and sending the same id twice
sends once). The worker validates it exactly as REST would; an invalid one is recorded as ``failed`` with the
reasons.

Example::

    import dramatiq
    from dramatiq.brokers.redis import RedisBroker
    from workers.producer import send_notification

    broker = RedisBroker(url="redis://127.0.0.1:6379/0", namespace="imbridge-dramatiq")
    delivery_id = send_notification(broker, {
        "channel": "dingtalk_robot", "robot": "ops",
        "message": {"msgtype": "text", "text": {"content": "deploy done"}},
    })

Producers in other languages write the same message themselves (see :func:`raw_message` and the README).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import dramatiq

from core.tasks import SUBMIT_NOTIFICATION

#: The queue and actor every producer targets; part of imbridge's contract.
QUEUE = SUBMIT_NOTIFICATION.queue
SUBMIT_ACTOR = SUBMIT_NOTIFICATION.actor


def notification_message(request: dict[str, Any], delivery_id: str | None = None) -> dramatiq.Message[Any]:
    """The Dramatiq message for ``request`` (the REST body), with ``id`` set."""
    delivery_id = str(uuid.UUID(delivery_id)) if delivery_id else str(uuid.uuid4())
    return dramatiq.Message(queue_name=QUEUE, actor_name=SUBMIT_ACTOR, args=({**request, "id": delivery_id},),
                            kwargs={}, options={})


def send_notification(broker: dramatiq.Broker, request: dict[str, Any], delivery_id: str | None = None) -> str:
    """Enqueue ``request`` on ``broker``; returns the delivery id to look the outcome up with."""
    message = notification_message(request, delivery_id)
    broker.enqueue(message)
    return str(message.args[0]["id"])


def raw_message(request: dict[str, Any], delivery_id: str) -> str:
    """The JSON a producer without Dramatiq puts on the broker (Redis: see the README for the two commands)."""
    return json.dumps({
        "queue_name": QUEUE, "actor_name": SUBMIT_ACTOR, "args": [{**request, "id": delivery_id}], "kwargs": {},
        "options": {}, "message_id": str(uuid.uuid4()), "message_timestamp": int(time.time() * 1000),
    }, ensure_ascii=False)
