"""Notification actors, all on the ``notifications`` queue.

* ``submit_notification(request)`` - the producers' entry (see :mod:`workers.producer`): accepts the request
  (creating the record, idempotent on its ``id``) and delivers it.
* ``deliver_notification(delivery_id)`` - one delivery step of an accepted record; REST enqueues this.
* ``collect_send_result(delivery_id, check)`` - reads a DingTalk work notification's result back later.
* ``recall_notification(delivery_id, attempt)`` - withdraws a sent work notification.

Each is a thin shell over :mod:`workers.notifications`: it runs the step and enqueues what comes next.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

import dramatiq

from core import runtime as runtime_module
from models.base import utcnow
from models.deliveries import Delivery, DeliveryStatus
from models.notifications import IntakeRules, RequestInvalid, accept
from workers.notifications.delivery import Deliverer, Result
from workers.notifications.followup import collect_send_result as collect_step
from workers.notifications.followup import recall as recall_step
from workers.producer import QUEUE, SUBMIT_ACTOR

log = logging.getLogger("imbridge.notifications")

#: Exceptions of ours (database or Redis down before a record was claimed) are retried by Dramatiq this often.
MAX_RETRIES = 5

_deliverer: tuple[runtime_module.Runtime, Deliverer] | None = None
_deliverer_lock = threading.Lock()


def deliverer() -> Deliverer:
    """This process's :class:`Deliverer`, rebuilt when the installed runtime changes (tests swap it)."""
    global _deliverer
    runtime = runtime_module.current()
    with _deliverer_lock:
        if _deliverer is None or _deliverer[0] is not runtime:
            _deliverer = (runtime, Deliverer(runtime))
        return _deliverer[1]


def _later(actor: dramatiq.Actor, seconds: float, *args: Any) -> None:
    """Enqueue with a delay; if the broker is down the record's ``next_attempt_at`` lets the outbox sweep do it."""
    try:
        actor.send_with_options(args=args, delay=max(int(seconds * 1000), 0))
    except Exception as exc:  # redis/pika errors differ; the record is safe either way
        log.warning("could not enqueue %s%r (%s); the outbox sweep will", actor.actor_name, args, exc)


def follow(delivery_id: str, result: Result) -> Result:
    log.debug("delivery %s: %s %s", delivery_id, result.outcome, result.detail)
    if result.retry_in is not None:
        _later(deliver_notification, result.retry_in, delivery_id)
    if result.collect_result_in is not None:
        _later(collect_send_result, result.collect_result_in, delivery_id, 1)
    return result


@dramatiq.actor(queue_name=QUEUE, max_retries=MAX_RETRIES)
def deliver_notification(delivery_id: str) -> None:
    """Send one accepted notification (or schedule it for later); a final record is left alone."""
    follow(delivery_id, deliverer().deliver(delivery_id))


@dramatiq.actor(queue_name=QUEUE, actor_name=SUBMIT_ACTOR, max_retries=MAX_RETRIES)
def submit_notification(request: dict[str, Any]) -> None:
    """A producer's notification: the REST body plus its ``id``. Invalid ones are recorded as ``failed``."""
    data = dict(request) if isinstance(request, dict) else {}
    delivery_id = _valid_id(data.pop("id", None))
    runtime = runtime_module.current()
    with runtime.database.session() as session:
        try:
            accept(session, data, IntakeRules.from_settings(runtime.settings), delivery_id=delivery_id,
                   source="broker", enqueued_at=utcnow())
        except RequestInvalid as exc:
            log.warning("producer notification %s is invalid: %s", delivery_id, exc)
            _record_invalid(session, delivery_id, data, exc)
            return
    follow(delivery_id, deliverer().deliver(delivery_id))


def _valid_id(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(uuid.uuid4())


def _record_invalid(session: Any, delivery_id: str, data: dict[str, Any], exc: RequestInvalid) -> None:
    if session.get(Delivery, delivery_id) is not None:
        return
    channel = data.get("channel") if isinstance(data.get("channel"), str) else "unknown"
    message = data.get("message") if isinstance(data.get("message"), dict) else {}
    now = utcnow()
    session.add(Delivery(
        id=delivery_id, channel=channel[:20], target=str(data.get("robot") or "")[:255],
        msgtype=str(message.get("msgtype") or "unknown")[:32], payload={"problems": exc.problems},
        status=DeliveryStatus.FAILED.value, last_error=f"invalid request: {exc}"[:2000], source="broker",
        enqueued_at=now, finished_at=now))


@dramatiq.actor(queue_name=QUEUE, max_retries=MAX_RETRIES)
def collect_send_result(delivery_id: str, check: int = 1) -> None:
    """Complete a DingTalk work notification's record from getsendresult."""
    step = collect_step(runtime_module.current(), delivery_id, check)
    if step.again_in is not None:
        _later(collect_send_result, step.again_in, delivery_id, check + 1)


@dramatiq.actor(queue_name=QUEUE, max_retries=MAX_RETRIES)
def recall_notification(delivery_id: str, attempt: int = 1) -> None:
    """Withdraw a sent DingTalk work notification or WeCom app message."""
    step = recall_step(runtime_module.current(), delivery_id, attempt)
    if step.again_in is not None:
        _later(recall_notification, step.again_in, delivery_id, attempt + 1)
