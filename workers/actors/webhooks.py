"""``deliver_webhook``: POST one inbound record (or a notification's outcome) to one subscriber, with bounded
retries and back-off.

The attempt count lives in the delivery row, so the bound holds however the message is redelivered. A 2xx
delivers; a 5xx, 408/425/429 or no answer is retried until ``webhooks.max-attempts``, after the back-off of
:meth:`RetryPolicy.for_webhooks <core.retry.RetryPolicy.for_webhooks>` (doubling from ``webhooks.min-backoff-ms``),
by enqueueing the delivery again; any other status fails at once.
The subscriber is reached through the runtime's :class:`~core.egress.Egress`: only public addresses or
those in ``webhooks.allow-networks``, no redirects, one deadline for the whole exchange.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.retry import RetryPolicy
from core.tasks import DELIVER_WEBHOOK, Tasks
from models import Database
from models.base import utcnow
from models.deliveries import Delivery
from models.inbound import InboundRecord
from models.notifications.views import outcome_view
from models.secretbox import SecretBox, SecretKeyMissing, SecretUnreadable
from models.webhooks import SECRET_PURPOSE, DeliveryState, WebhookDelivery, WebhookSubscription, outcome_deliveries
from workers.actors.declaration import ActorDef
from workers.context import ActorContext
from workers.webhooks import Attempt, post

log = logging.getLogger(f"imbridge.{__name__}")


#: Dramatiq's retries of a delivery that failed before reaching the subscriber (database down, say).
MAX_INTERNAL_RETRIES = 5


def send_delivery(tasks: Tasks, delivery_id: int, delay_seconds: float = 0.0) -> None:
    """Enqueue a delivery (again after ``delay_seconds``); its retries are bounded by the row."""
    delay = delay_seconds if delay_seconds > 0 else None  # a delay of 0 still takes the delay queue
    tasks.send(DELIVER_WEBHOOK, delivery_id, delay_seconds=delay)


def deliver_webhook(context: ActorContext, delivery_id: int) -> None:
    current = context.runtime
    hooks = current.settings.webhooks
    with current.database.session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.state != DeliveryState.PENDING:
            return
        subscription = session.get(WebhookSubscription, delivery.subscription_id)
        body = _body(session, delivery)
        if subscription is None or body is None or not subscription.enabled:
            delivery.state, delivery.last_error = DeliveryState.FAILED, "subscription disabled or deleted"
            return
        try:
            secret = SecretBox(current.settings.security.secret_key or "", SECRET_PURPOSE).open(
                subscription.secret_sealed)
        except (SecretUnreadable, SecretKeyMissing) as exc:
            delivery.state, delivery.last_error = DeliveryState.FAILED, str(exc)
            return
        url = subscription.url

    attempt = post(current.egress, url, body, secret, delivery_id, hooks.timeout_seconds)
    retry_in = _settle(current.database, delivery_id, attempt, RetryPolicy.for_webhooks(hooks))
    if retry_in is not None:
        send_delivery(context.tasks, delivery_id, retry_in)


def _body(session: Session, delivery: WebhookDelivery) -> bytes | None:
    """What the delivery posts: the inbound record, or the notification's outcome; None when that is gone."""
    if delivery.inbound_id is not None:
        record = session.get(InboundRecord, delivery.inbound_id)
        return json.dumps(record.public(), ensure_ascii=False).encode() if record is not None else None
    notification = session.get(Delivery, delivery.notification_id) if delivery.notification_id else None
    if notification is None or delivery.outcome is None:
        return None
    return json.dumps(outcome_view(notification, delivery.outcome), ensure_ascii=False).encode()


def send_outcome(context: ActorContext, notification_id: str, status: str) -> None:
    """Post a notification's final ``status`` to the subscriptions that want it (its client's and operators')."""
    with context.runtime.database.session() as session:
        client_id = session.scalar(select(Delivery.client_id).where(Delivery.id == notification_id))
        delivery_ids = outcome_deliveries(session, notification_id, status, client_id)
    for delivery_id in delivery_ids:
        send_delivery(context.tasks, delivery_id)


def _settle(database: Database, delivery_id: int, attempt: Attempt, policy: RetryPolicy) -> float | None:
    """Record the attempt; the seconds until the next one, or None when none should follow."""
    with database.session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.last_status, delivery.last_error = attempt.status, attempt.error
        delivery.last_attempt_at = utcnow()
        if attempt.delivered:
            delivery.state, delivery.delivered_at = DeliveryState.DELIVERED, delivery.last_attempt_at
            return None
        if attempt.retryable and not policy.give_up(delivery.attempts):
            log.warning("webhook delivery %s attempt %s: %s; will retry", delivery_id, delivery.attempts,
                        attempt.error)
            return policy.delay(delivery.attempts)
        delivery.state = DeliveryState.FAILED
        return None


ACTORS = [ActorDef(DELIVER_WEBHOOK, deliver_webhook, {"max_retries": MAX_INTERNAL_RETRIES})]
