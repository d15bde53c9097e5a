"""Retention: finished records older than their kind's age are deleted, a small batch per transaction.

Each batch is one short write transaction (on SQLite, :meth:`Database.session` with ``immediate=True``: it takes the
write lock up front and afterwards stays away from it as long as it held it), so the ingress, which writes a
record per accepted notification, never waits on the prune for longer than one batch. Only what is finished goes:
notifications sent, failed or dead (their attempts follow by ``ON DELETE CASCADE``), inbound messages (their
webhook deliveries follow), webhook deliveries delivered or failed, jobs succeeded or failed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select, true
from sqlalchemy.orm import InstrumentedAttribute

from models.db import Database
from models.deliveries import FINAL_STATUSES, Delivery
from models.inbound import InboundRecord
from models.jobs import Job, JobStatus
from models.webhooks import DeliveryState, WebhookDelivery


@dataclass(frozen=True)
class Prunable:
    """A kind of record: its table's id, the column its age is counted from, and what makes it finished."""

    kind: str
    id: InstrumentedAttribute
    age: InstrumentedAttribute
    finished: Callable[[], ColumnElement[bool]]


#: Every kind, by its ``retention.<kind>-days`` name. Each age column is indexed, so a batch reads no more rows
#: than it deletes.
PRUNABLE: tuple[Prunable, ...] = (
    Prunable("deliveries", Delivery.id, Delivery.created_at,
             lambda: Delivery.status.in_([s.value for s in FINAL_STATUSES])),
    Prunable("inbound", InboundRecord.id, InboundRecord.received_at, lambda: true()),
    Prunable("webhook_deliveries", WebhookDelivery.id, WebhookDelivery.created_at,
             lambda: WebhookDelivery.state != DeliveryState.PENDING.value),
    Prunable("jobs", Job.id, Job.created_at,
             lambda: Job.status.in_([JobStatus.SUCCEEDED.value, JobStatus.FAILED.value])),
)


def prune_batch(database: Database, prunable: Prunable, older_than: datetime, limit: int) -> int:
    """Delete up to ``limit`` finished records of one kind created before ``older_than``; how many went."""
    with database.session(immediate=True) as session:
        ids = session.scalars(select(prunable.id).where(prunable.age < older_than, prunable.finished())
                              .order_by(prunable.age).limit(limit)).all()
        if ids:
            session.execute(delete(prunable.id.class_).where(prunable.id.in_(ids)))
    return len(ids)
