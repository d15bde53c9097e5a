"""Announcing a spent quota: the alert in Redis (:mod:`core.alerts`) and, once a window, a webhook event.

The event goes through the outbound webhooks every subscriber already has: it is recorded like an inbound event
(platform ``imbridge``, ``msgType`` ``event``, ``event`` ``quota_exhausted``, ``fields`` naming the platform,
errcode, window and when it ends) and posted, signed, to the subscriptions whose filter wants it (``*``, ``event``
or ``event:quota_exhausted``). Its dedup key is the platform and the window, so a quota announces itself once
however many sends it fails.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from core.alerts import QuotaAlert, raise_quota_alert
from models.base import utcnow
from models.inbound import store_inbound
from models.webhooks import pending_deliveries
from platforms.errors import PlatformError
from workers.actors.webhooks import send_delivery
from workers.context import ActorContext

log = logging.getLogger(f"imbridge.{__name__}")

EVENT = "quota_exhausted"


def announce_quota(context: ActorContext, error: PlatformError) -> None:
    """Raise the alert for ``error`` (a spent quota); the first of its window is posted to webhook subscribers.

    Never raises: the delivery that met the quota is recorded already, and an alert that cannot be sent now is
    not worth failing it over (the banner and the gauge still show the Redis alert, when Redis is up).
    """
    if error.quota is None:
        return
    try:
        alert = raise_quota_alert(context.runtime.redis, error.platform, error.errcode, error.errmsg, error.quota,
                                  utcnow())
        if alert is None:
            return
        log.warning("%s: the %s API quota is spent (errcode %s) until %s", error.platform, error.quota,
                    error.errcode, alert.until)
        for delivery_id in _record_event(context, alert):
            send_delivery(context.tasks, delivery_id)
    except Exception:
        log.exception("could not announce the spent %s quota of %s", error.quota, error.platform)


def _record_event(context: ActorContext, alert: QuotaAlert) -> list[int]:
    now = time.time()
    entry = {
        "platform": "imbridge", "app": alert.platform, "msg_type": "event", "event": EVENT,
        "event_key": f"{alert.platform}:{alert.window}", "from_user": "imbridge", "to_user": alert.platform,
        "dedup_key": f"imbridge:{EVENT}:{alert.platform}:{alert.until}", "create_time": now, "received_at": now,
        "fields": {"platform": alert.platform, "errcode": str(alert.errcode), "errmsg": alert.errmsg,
                   "window": alert.window, "since": alert.since, "until": alert.until,
                   "until_epoch": str(int(datetime.fromisoformat(alert.until).timestamp()))},
    }
    with context.runtime.database.session() as session:
        return pending_deliveries(session, store_inbound(session, entry))
