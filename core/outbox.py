"""The outbox: a row written before its broker message, claimed by one worker at a time, swept when lost.

Notifications (``deliveries``) and admin jobs (``jobs``) work this way, on the columns of
:class:`models.base.OutboxColumns`. The row is committed first and its message enqueued after, so a broker outage
loses nothing. A worker claims the row with a lease in one conditional UPDATE, so two copies of one message never
both act on it; only the holder of that lease may finish the row; and the scheduler's sweep enqueues again the
rows whose message never reached the broker, got lost, or whose worker died.

A worker writes twice per row (claim, then outcome). Building an ORM ``update()`` and a unit of work for each
cost more CPU than a send itself: every statement here is built once per shape with bound parameters, so
SQLAlchemy reuses its compiled form, and runs on the caller's connection (no Session, no identity map, no flush).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, Update, and_, bindparam, or_, select, update
from sqlalchemy.engine import Connection, Row

from models.base import utcnow

#: A broker message arriving this much before its row's next attempt still claims it (our clocks and the
#: broker's delay are a little apart); one arriving earlier is put back to sleep until the row is due.
EARLY_TOLERANCE = timedelta(seconds=0.5)


@dataclass(frozen=True)
class Claim:
    """A row one worker holds until ``lease_until``: only this claim may finish it.

    ``row`` holds the id and the columns the claim asked for, as the claim left them.
    """

    id: Any
    lease_until: datetime
    row: Row[Any]


@dataclass(frozen=True)
class Swept:
    """What one sweep did: ``found`` rows needed their message again and ``enqueued`` got it; ``error`` is why
    it stopped early (the broker still down: the next sweep tries again)."""

    found: int
    enqueued: int
    error: Exception | None = None


class Outbox:
    """Claim, lease-checked finish and sweep for one outbox table.

    :param table: the table; besides :class:`models.base.OutboxColumns` it has an ``id`` and a ``status``.
    :param waiting: the statuses of a row waiting for a worker (queued, or to be retried).
    :param working: the status of a row a worker holds (under ``lease_until``).

    Example (the deliveries' outbox)::

        outbox = Outbox(Delivery.__table__, waiting=PENDING_STATUSES, working=DeliveryStatus.SENDING)
        with engine.begin() as connection:
            claim = outbox.claim(connection, delivery_id, now=now, lease_until=now + lease, returning=("payload",))
        ...
        with engine.begin() as connection:
            if not outbox.finish(connection, claim, {"status": "sent"}):
                ...  # another worker took it over: this outcome is not ours to write
    """

    def __init__(self, table: Table, *, waiting: Iterable[str], working: str) -> None:
        self.table = table
        self.waiting = tuple(sorted(str(status) for status in waiting))
        self.working = str(working)
        self._claims: dict[tuple[Any, ...], Update] = {}
        self._finishes: dict[tuple[Any, ...], Update] = {}
        c = table.c
        self._mark_enqueued = update(table).where(c.id == bindparam("b_id")).values(enqueued_at=bindparam("b_now"))

    def __repr__(self) -> str:
        return f"Outbox({self.table.name})"

    # -- the worker's side -----------------------------------------------------------------------------------

    def claim(self, connection: Connection, row_id: Any, *, now: datetime, lease_until: datetime,
              returning: tuple[str, ...] = (), values: Mapping[str, Any] | None = None,
              count: tuple[str, ...] = ()) -> Claim | None:
        """Take the row if it waits and is due (within :data:`EARLY_TOLERANCE`), or if its worker's lease ran
        out: status ``working`` until ``lease_until``. None if it is missing, final, not due or held.

        :param returning: the columns :attr:`Claim.row` carries (after this claim's changes).
        :param values: further columns the claim sets (a run's start time).
        :param count: integer columns the claim adds one to (runs started).
        """
        values = values or {}
        names = tuple(sorted(values))
        statement = self._claims.get((returning, names, count))
        if statement is None:
            statement = self._claims[(returning, names, count)] = self._claim_statement(returning, names, count)
        params = {f"v_{name}": values[name] for name in names}
        row = connection.execute(statement, {**params, "b_id": row_id, "b_now": now,
                                             "b_due": now + EARLY_TOLERANCE, "b_lease": lease_until}).one_or_none()
        return None if row is None else Claim(row_id, lease_until, row)

    def _claim_statement(self, returning: tuple[str, ...], names: tuple[str, ...], count: tuple[str, ...]) -> Update:
        c = self.table.c
        claimable = or_(c.status.in_(self.waiting),
                        and_(c.status == self.working, c.lease_until < bindparam("b_now")))
        due = or_(c.next_attempt_at.is_(None), c.next_attempt_at <= bindparam("b_due"))
        return (update(self.table)
                .where(c.id == bindparam("b_id"), claimable, due)
                .values({**self._values(names, count), "status": self.working, "lease_until": bindparam("b_lease"),
                         "updated_at": bindparam("b_now")})
                .returning(c.id, *(c[name] for name in returning)))

    def finish(self, connection: Connection, claim: Claim, values: Mapping[str, Any], *,
               count: tuple[str, ...] = ()) -> bool:
        """Write ``values`` and release the lease, if ``claim`` still holds the row; False if it does not (it was
        presumed dead and another worker took the row over): then nothing was written.

        :param count: integer columns to add one to (attempts made).
        """
        names = tuple(sorted(values))
        statement = self._finishes.get((names, count))
        if statement is None:
            statement = self._finishes[(names, count)] = self._finish_statement(names, count)
        params = {f"v_{name}": values[name] for name in names}
        won = connection.execute(statement, {**params, "b_id": claim.id, "b_lease": claim.lease_until,
                                             "b_now": utcnow()}).rowcount
        return bool(won)

    def _finish_statement(self, names: tuple[str, ...], count: tuple[str, ...]) -> Update:
        c = self.table.c
        return (update(self.table)
                .where(c.id == bindparam("b_id"), c.status == self.working, c.lease_until == bindparam("b_lease"))
                .values({**self._values(names, count), "lease_until": None, "updated_at": bindparam("b_now")}))

    def _values(self, names: tuple[str, ...], count: tuple[str, ...]) -> dict[str, Any]:
        c = self.table.c
        values: dict[str, Any] = {name: bindparam(f"v_{name}", type_=c[name].type) for name in names}
        values.update({name: c[name] + 1 for name in count})
        return values

    # -- the scheduler's side --------------------------------------------------------------------------------

    def stranded(self, connection: Connection, *, now: datetime, grace_seconds: float, limit: int) -> list[Any]:
        """Ids of rows that need their broker message again, oldest first: never enqueued, overdue by more than
        ``grace_seconds`` (the message was lost), or held past their lease (the worker died)."""
        c = self.table.c
        overdue = now - timedelta(seconds=grace_seconds)
        waiting = c.status.in_(self.waiting)
        lost: ColumnElement[bool] = or_(
            and_(waiting, c.enqueued_at.is_(None)),
            and_(waiting, c.enqueued_at < overdue, or_(c.next_attempt_at.is_(None), c.next_attempt_at < overdue)),
            and_(c.status == self.working, c.lease_until < now),
        )
        query = select(c.id).where(lost).order_by(c.created_at).limit(limit)
        return list(connection.scalars(query))

    def sweep(self, engine: Engine, enqueue: Callable[[Any], object], *, grace_seconds: float, limit: int,
              now: datetime | None = None) -> Swept:
        """Enqueue every stranded row (see :meth:`stranded`) through ``enqueue(row_id)``, noting when the broker
        took it; the first failure to enqueue stops the sweep. The worker's claim makes a duplicate harmless."""
        with engine.connect() as connection:
            ids = self.stranded(connection, now=now or utcnow(), grace_seconds=grace_seconds, limit=limit)
        enqueued = 0
        for row_id in ids:
            try:
                enqueue(row_id)
            except Exception as exc:  # the broker's errors differ (redis, pika); the row is safe either way
                return Swept(len(ids), enqueued, exc)
            with engine.begin() as connection:
                connection.execute(self._mark_enqueued, {"b_id": row_id, "b_now": utcnow()})
            enqueued += 1
        return Swept(len(ids), enqueued)
