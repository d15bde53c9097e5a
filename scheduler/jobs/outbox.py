"""The outbox sweep: deliveries whose broker message never arrived, or got lost, are enqueued again.

A delivery record is committed before its message is enqueued, so a broker outage at that moment leaves a
record with ``enqueued_at`` unset (the REST call still answered 202). A message can also be lost later (a
worker holding delayed messages killed, Redis restored from an old snapshot): then the record sits in
``queued``/``retrying`` long past its time, or in ``sending`` past its lease. The sweep (:meth:`Outbox.sweep
<core.outbox.Outbox.sweep>`) finds all three and enqueues them again; the actor's claim makes a duplicate harmless.
"""

from __future__ import annotations

import logging

from core.log_context import log_ids
from core.outboxes import DELIVERIES
from core.runtime import Runtime
from core.tasks import Tasks
from models.base import utcnow

log = logging.getLogger(f"imbridge.{__name__}")

#: At most this many records are enqueued per sweep (the oldest first); the next sweep takes the rest.
BATCH = 500


def stranded(runtime: Runtime) -> list[str]:
    """Ids of deliveries that need their broker message again, oldest first."""
    grace = runtime.settings.notifications.outbox_grace_seconds
    with runtime.database.engine.connect() as connection:
        return DELIVERIES.stranded(connection, now=utcnow(), grace_seconds=grace, limit=BATCH)


def sweep_outbox(runtime: Runtime, tasks: Tasks) -> int:
    """Enqueue every stranded delivery; returns how many were enqueued."""
    grace = runtime.settings.notifications.outbox_grace_seconds

    def enqueue(delivery_id: str) -> None:
        with log_ids(delivery=delivery_id):
            tasks.deliver_notification(delivery_id)
            log.info("outbox sweep: delivery queued again (its broker message was missing or overdue)")

    swept = DELIVERIES.sweep(runtime.database.engine, enqueue, grace_seconds=grace, limit=BATCH)
    if swept.error is not None:  # the broker is still down: the next sweep tries again
        log.warning("outbox sweep: broker unavailable (%s); %d left for the next sweep", swept.error,
                    swept.found - swept.enqueued)
    if swept.found:
        log.info("outbox sweep enqueued %d stranded deliveries", swept.enqueued)
    return swept.enqueued
