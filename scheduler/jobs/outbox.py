"""The outbox sweep: deliveries whose broker message never arrived, or got lost, are enqueued again.

A delivery record is committed before its message is enqueued, so a broker outage at that moment leaves a
record with ``enqueued_at`` unset (the REST call still answered 202). A message can also be lost later (a
worker holding delayed messages killed, Redis restored from an old snapshot): then the record sits in
``queued``/``retrying`` long past its time, or in ``sending`` past its lease. The sweep finds all three and
enqueues them again; the actor's claim makes a duplicate harmless.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from core.runtime import Runtime
from core.tasks import Tasks
from models.base import utcnow
from models.deliveries import Delivery, DeliveryStatus

log = logging.getLogger(__name__)

#: At most this many records are enqueued per sweep (the oldest first); the next sweep takes the rest.
BATCH = 500


def stranded(runtime: Runtime) -> list[str]:
    """Ids of deliveries that need their broker message again, oldest first."""
    settings = runtime.settings.notifications
    now = utcnow()
    overdue = now - timedelta(seconds=settings.outbox_grace_seconds)
    pending = [DeliveryStatus.QUEUED.value, DeliveryStatus.RETRYING.value]
    query = select(Delivery.id).where(or_(
        and_(Delivery.status.in_(pending), Delivery.enqueued_at.is_(None)),
        and_(Delivery.status.in_(pending), Delivery.enqueued_at < overdue,
             or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at < overdue)),
        and_(Delivery.status == DeliveryStatus.SENDING.value, Delivery.lease_until < now),
    )).order_by(Delivery.created_at).limit(BATCH)
    with runtime.database.session() as session:
        return list(session.scalars(query))


def sweep_outbox(runtime: Runtime, tasks: Tasks) -> int:
    """Enqueue every stranded delivery; returns how many were enqueued."""
    ids = stranded(runtime)
    if not ids:
        return 0
    sent = 0
    for delivery_id in ids:
        try:
            tasks.deliver_notification(delivery_id)
        except Exception as exc:  # the broker is still down: the next sweep tries again
            log.warning("outbox sweep: broker unavailable (%s); %d left for the next sweep", exc, len(ids) - sent)
            break
        with runtime.database.session() as session:
            session.execute(update(Delivery).where(Delivery.id == delivery_id).values(enqueued_at=utcnow()))
        sent += 1
    log.info("outbox sweep enqueued %d stranded deliveries", sent)
    return sent
