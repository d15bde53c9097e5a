"""``record_inbound``: store what a portal received, then fan it out to the webhooks that want it."""

from __future__ import annotations

import dramatiq

from models.inbound import store_inbound
from models.webhooks import pending_deliveries
from workers import runtime
from workers.actors.webhooks import send_delivery


@dramatiq.actor(queue_name="inbound", max_retries=20)
def record_inbound(entry: dict) -> None:
    """Record one first delivery (idempotent: a retried actor finds the row by its dedup key)."""
    current = runtime.current()
    with current.database.session() as session:
        record = store_inbound(session, entry)
        delivery_ids = pending_deliveries(session, record)
    for delivery_id in delivery_ids:
        send_delivery(current.settings, delivery_id)
