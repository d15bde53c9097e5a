"""``record_inbound``: drain the inbound inbox into the database, then fan out to the webhooks that want it."""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from sqlalchemy.exc import DataError

from models.inbound import note_reply, store_inbound
from models.webhooks import pending_deliveries
from workers import runtime
from workers.actors.webhooks import send_delivery
from workers.inbox import drain

log = logging.getLogger(__name__)

#: When another drainer holds the inbox, look again after this long (milliseconds).
BUSY_RETRY_MS = 500


@dramatiq.actor(queue_name="inbound", max_retries=20, min_backoff=1000)
def record_inbound() -> None:
    """Store every entry the portals left in the inbox (idempotent: records are unique by dedup key)."""
    current = runtime.current()

    def store(entries: list[dict[str, Any]]) -> None:
        delivery_ids: list[int] = []
        with current.database.session(immediate=True) as session:  # one transaction a batch, never "locked"
            for entry in entries:
                try:
                    with session.begin_nested():
                        if entry.get("kind") == "reply":
                            note_reply(session, entry["dedup_key"], entry.get("reply"))
                        else:
                            delivery_ids += pending_deliveries(session, store_inbound(session, entry))
                except (KeyError, TypeError, ValueError, DataError) as exc:
                    # One malformed entry must not block the inbox for every later one.
                    log.error("inbound entry dropped (%s): %.500s", exc, entry)
        for delivery_id in delivery_ids:
            send_delivery(current.settings, delivery_id)

    if not drain(current.redis, store):
        record_inbound.send_with_options(delay=BUSY_RETRY_MS)
