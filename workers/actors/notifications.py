"""Notification actors, all on the ``notifications`` queue.

* ``submit_notification(request)`` - the producers' entry (see :mod:`workers.producer`): accepts the request
  (creating the record, idempotent on its ``id``) and delivers it.
* ``deliver_notification(delivery_id)`` - one delivery step of an accepted record; REST enqueues this.
* ``collect_send_result(delivery_id, check)`` - reads a DingTalk work notification's result back later.
* ``recall_notification(delivery_id, attempt)`` - withdraws a sent work notification.
* ``update_status_bar(delivery_id, value, color, attempt)`` - sets a sent DingTalk OA message's status bar.

Each is a thin shell over :mod:`workers.notifications`: it runs the step and enqueues what comes next.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from core.tasks import (
    COLLECT_SEND_RESULT,
    DELIVER_NOTIFICATION,
    RECALL_NOTIFICATION,
    SUBMIT_NOTIFICATION,
    UPDATE_STATUS_BAR,
    Task,
)
from models.base import utcnow
from models.deliveries import Delivery, DeliveryStatus
from models.notifications import IntakeRules, RequestInvalid, accept
from workers.actors.declaration import ActorDef
from workers.actors.webhooks import send_delivery, send_outcome
from workers.alerts import announce_quota
from workers.context import ActorContext
from workers.notifications.delivery import Result
from workers.notifications.followup import collect_send_result as collect_step
from workers.notifications.followup import recall as recall_step
from workers.notifications.followup import update_status_bar as status_bar_step

log = logging.getLogger(f"imbridge.{__name__}")

#: Exceptions of ours (database or Redis down before a record was claimed) are retried by Dramatiq this often.
MAX_RETRIES = 5

def _later(context: ActorContext, task: Task, seconds: float, *args: Any) -> None:
    """Enqueue with a delay; if the broker is down the record's ``next_attempt_at`` lets the outbox sweep do it."""
    try:
        context.tasks.send(task, *args, delay_seconds=seconds)
    except Exception as exc:  # redis/pika errors differ; the record is safe either way
        log.warning("could not enqueue %s%r (%s); the outbox sweep will", task.actor, args, exc)


def follow(context: ActorContext, delivery_id: str, result: Result) -> Result:
    log.debug("delivery %s: %s %s", delivery_id, result.outcome, result.detail)
    for callback in result.callbacks:
        try:
            send_delivery(context.tasks, callback)
        except Exception:  # recorded with the outcome; an outage of the broker must not resend the message
            log.exception("delivery %s: outcome callback %s not enqueued", delivery_id, callback)
    if result.retry_in is not None:
        _later(context, DELIVER_NOTIFICATION, result.retry_in, delivery_id)
    if result.collect_result_in is not None:
        _later(context, COLLECT_SEND_RESULT, result.collect_result_in, delivery_id, 1)
    if result.alert is not None:
        announce_quota(context, result.alert)
    return result


def deliver_notification(context: ActorContext, delivery_id: str) -> None:
    """Send one accepted notification (or schedule it for later); a final record is left alone."""
    follow(context, delivery_id, context.deliverer.deliver(delivery_id))


def submit_notification(context: ActorContext, request: dict[str, Any]) -> None:
    """A producer's notification: the REST body plus its ``id``. Invalid ones are recorded as ``failed``."""
    data = dict(request) if isinstance(request, dict) else {}
    delivery_id = _valid_id(data.pop("id", None))
    runtime = context.runtime
    with runtime.database.session() as session:
        try:
            rules = IntakeRules.from_settings(runtime.settings, runtime.accounts.settings_of)
            accept(session, data, rules, delivery_id=delivery_id, source="broker", enqueued_at=utcnow())
        except RequestInvalid as exc:
            log.warning("producer notification %s is invalid: %s", delivery_id, exc)
            recorded = _record_invalid(session, delivery_id, data, exc)
        else:
            recorded = None
    if recorded is not None:
        if recorded:
            send_outcome(context, delivery_id, DeliveryStatus.FAILED.value)
        return
    follow(context, delivery_id, context.deliverer.deliver(delivery_id))


def _valid_id(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(uuid.uuid4())


def _record_invalid(session: Any, delivery_id: str, data: dict[str, Any], exc: RequestInvalid) -> bool:
    """Record an invalid producer request as ``failed``; False when its id was recorded before."""
    if session.get(Delivery, delivery_id) is not None:
        return False
    channel = data.get("channel") if isinstance(data.get("channel"), str) else "unknown"
    message = data.get("message") if isinstance(data.get("message"), dict) else {}
    now = utcnow()
    session.add(Delivery(
        id=delivery_id, channel=channel[:20], target=str(data.get("robot") or "")[:255],
        msgtype=str(message.get("msgtype") or "unknown")[:32], payload={"problems": exc.problems},
        status=DeliveryStatus.FAILED.value, last_error=f"invalid request: {exc}"[:2000], source="broker",
        enqueued_at=now, finished_at=now))
    session.flush()
    return True


def collect_send_result(context: ActorContext, delivery_id: str, check: int = 1) -> None:
    """Complete a DingTalk work notification's record from getsendresult."""
    step = collect_step(context.runtime, delivery_id, check)
    if step.again_in is not None:
        _later(context, COLLECT_SEND_RESULT, step.again_in, delivery_id, check + 1)


def recall_notification(context: ActorContext, delivery_id: str, attempt: int = 1) -> None:
    """Withdraw a sent DingTalk work notification or WeCom app message."""
    step = recall_step(context.runtime, delivery_id, attempt)
    if step.again_in is not None:
        _later(context, RECALL_NOTIFICATION, step.again_in, delivery_id, attempt + 1)


def update_status_bar(context: ActorContext, delivery_id: str, value: str, color: str | None,
                      attempt: int = 1) -> None:
    """Set a sent DingTalk OA message's status bar."""
    step = status_bar_step(context.runtime, delivery_id, value, color, attempt)
    if step.again_in is not None:
        _later(context, UPDATE_STATUS_BAR, step.again_in, delivery_id, value, color, attempt + 1)


def _delivery(delivery_id: object, *_: object, **__: object) -> dict[str, object]:
    return {"delivery": delivery_id}


def _submitted(request: object, *_: object, **__: object) -> dict[str, object]:
    return {"delivery": request.get("id") if isinstance(request, dict) else None}


ACTORS = [ActorDef(task, fn, {"max_retries": MAX_RETRIES}, ids) for task, fn, ids in (
    (DELIVER_NOTIFICATION, deliver_notification, _delivery),
    (SUBMIT_NOTIFICATION, submit_notification, _submitted),
    (COLLECT_SEND_RESULT, collect_send_result, _delivery),
    (RECALL_NOTIFICATION, recall_notification, _delivery),
    (UPDATE_STATUS_BAR, update_status_bar, _delivery),
)]
