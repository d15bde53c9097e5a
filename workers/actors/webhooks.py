"""``deliver_webhook``: POST one inbound record to one subscriber, with bounded retries and back-off.

The attempt count lives in the delivery row, so the bound holds however the message is redelivered; Dramatiq's
retry middleware only provides the back-off (doubling from ``webhooks.min-backoff-ms``). A 2xx delivers; a 5xx,
408/425/429 or no answer is retried until ``webhooks.max-attempts``; any other status fails at once.
The subscriber is reached through the runtime's :class:`~core.egress.Egress`: only public addresses or
those in ``webhooks.allow-networks``, no redirects, one deadline for the whole exchange.
"""

from __future__ import annotations

import json
import logging

from config import Settings
from core.tasks import DELIVER_WEBHOOK, Tasks
from models import Database
from models.base import utcnow
from models.inbound import InboundRecord
from models.secretbox import SecretBox, SecretKeyMissing, SecretUnreadable
from models.webhooks import SECRET_PURPOSE, DeliveryState, WebhookDelivery, WebhookSubscription
from workers.actors.declaration import ActorDef
from workers.context import ActorContext
from workers.webhooks import Attempt, post

log = logging.getLogger(__name__)


#: Retries of a delivery that failed before reaching the subscriber (database down, say).
MAX_INTERNAL_RETRIES = 5


class RetryDelivery(Exception):
    """Raised to have Dramatiq retry the delivery after its back-off."""


def _retry_when(retries: int, exc: BaseException) -> bool:
    return isinstance(exc, RetryDelivery) or retries < MAX_INTERNAL_RETRIES


def send_delivery(tasks: Tasks, settings: Settings, delivery_id: int) -> None:
    """Enqueue a delivery with the configured back-off; retries are bounded by the row, not by Dramatiq."""
    hooks = settings.webhooks
    tasks.send(DELIVER_WEBHOOK, delivery_id, min_backoff=hooks.min_backoff_ms, max_backoff=hooks.max_backoff_ms)


def deliver_webhook(context: ActorContext, delivery_id: int) -> None:
    current = context.runtime
    hooks = current.settings.webhooks
    with current.database.session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.state != DeliveryState.PENDING:
            return
        subscription = session.get(WebhookSubscription, delivery.subscription_id)
        record = session.get(InboundRecord, delivery.inbound_id)
        if subscription is None or record is None or not subscription.enabled:
            delivery.state, delivery.last_error = DeliveryState.FAILED, "subscription disabled or deleted"
            return
        try:
            secret = SecretBox(current.settings.security.secret_key or "", SECRET_PURPOSE).open(
                subscription.secret_sealed)
        except (SecretUnreadable, SecretKeyMissing) as exc:
            delivery.state, delivery.last_error = DeliveryState.FAILED, str(exc)
            return
        url = subscription.url
        body = json.dumps(record.public(), ensure_ascii=False).encode()

    attempt = post(current.egress, url, body, secret, delivery_id, hooks.timeout_seconds)
    if _settle(current.database, delivery_id, attempt, hooks.max_attempts):
        raise RetryDelivery(f"delivery {delivery_id}: {attempt.error}")


def _settle(database: Database, delivery_id: int, attempt: Attempt, max_attempts: int) -> bool:
    """Record the attempt; True when another one should follow."""
    with database.session() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            return False
        delivery.attempts += 1
        delivery.last_status, delivery.last_error = attempt.status, attempt.error
        delivery.last_attempt_at = utcnow()
        if attempt.delivered:
            delivery.state, delivery.delivered_at = DeliveryState.DELIVERED, delivery.last_attempt_at
            return False
        if attempt.retryable and delivery.attempts < max_attempts:
            log.warning("webhook delivery %s attempt %s: %s; will retry", delivery_id, delivery.attempts,
                        attempt.error)
            return True
        delivery.state = DeliveryState.FAILED
        return False


ACTORS = [ActorDef(DELIVER_WEBHOOK, deliver_webhook, {"retry_when": _retry_when})]
