"""The one outbox, on both of its tables and on a real database: a row is claimed by one worker at a time, only
the lease holder writes its outcome, and the sweep finds exactly the rows whose broker message went missing."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.outbox import EARLY_TOLERANCE, Outbox
from core.outboxes import DELIVERIES, JOBS
from models.base import as_utc, utcnow
from models.db import Database
from models.deliveries import Delivery
from models.jobs import Job


@dataclass(frozen=True)
class Table:
    outbox: Outbox
    #: A row of this table with the given status and outbox columns.
    row: Callable[..., Any]
    waiting: str
    final: str


def _delivery(status: str, **columns: Any) -> Delivery:
    return Delivery(id=str(uuid.uuid4()), channel="dingtalk_robot", target="ding", msgtype="text",
                    payload={"message": {"msgtype": "text"}}, status=status, **columns)


def _job(status: str, **columns: Any) -> Job:
    return Job(id=str(uuid.uuid4()), kind="wechat.templates.sync", params={"trigger": "test"}, status=status,
               **columns)


TABLES = {"deliveries": Table(DELIVERIES, _delivery, "queued", "sent"),
          "jobs": Table(JOBS, _job, "queued", "succeeded")}


@pytest.fixture(params=sorted(TABLES))
def table(request: pytest.FixtureRequest) -> Table:
    return TABLES[request.param]


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def add(database: Database, table: Table) -> Callable[..., str]:
    """Insert a row (``status`` plus outbox columns); its id."""

    def add(status: str | None = None, **columns: Any) -> str:
        with database.session() as session:
            row = table.row(status or table.waiting, **columns)
            session.add(row)
        return row.id

    return add


def load(database: Database, table: Table, row_id: str) -> Any:
    with database.engine.connect() as connection:
        return connection.execute(select(table.outbox.table).where(table.outbox.table.c.id == row_id)).one()


def claim(database: Database, table: Table, row_id: str, now: datetime | None = None, **options: Any):
    now = now or utcnow()
    with database.engine.begin() as connection:
        return table.outbox.claim(connection, row_id, now=now, lease_until=now + timedelta(seconds=60), **options)


def finish(database: Database, table: Table, held, values: dict[str, Any], **options: Any) -> bool:
    with database.engine.begin() as connection:
        return table.outbox.finish(connection, held, values, **options)


# -- claim and finish ------------------------------------------------------------------------------------------

def test_a_row_is_claimed_once_with_its_columns_and_counted(database, table, add):
    row_id = add()
    started = utcnow()
    budget = started - timedelta(minutes=1)
    first = claim(database, table, row_id, now=started, returning=("attempts", "budget_started_at"),
                  values={"budget_started_at": budget}, count=("attempts",))
    assert first is not None and first.id == row_id
    assert (first.row.attempts, as_utc(first.row.budget_started_at)) == (1, budget)  # as the claim left them
    assert claim(database, table, row_id) is None  # the second copy of the message
    stored = load(database, table, row_id)
    assert stored.status == table.outbox.working and as_utc(stored.lease_until) == first.lease_until
    assert (stored.attempts, as_utc(stored.budget_started_at)) == (1, budget)


def test_only_the_lease_holder_finishes_and_finishing_releases_the_row(database, table, add):
    row_id = add()
    held = claim(database, table, row_id)
    assert finish(database, table, held, {"status": table.final}) is True
    stored = load(database, table, row_id)
    assert (stored.status, stored.lease_until) == (table.final, None)
    assert finish(database, table, held, {"status": table.waiting}) is False  # released: not ours any more
    assert load(database, table, row_id).status == table.final
    assert claim(database, table, row_id) is None  # final rows are never claimed again


def test_an_expired_lease_is_taken_over_and_the_presumed_dead_worker_writes_nothing(database, table, add):
    row_id = add()
    now = utcnow()
    dead = claim(database, table, row_id, now=now - timedelta(seconds=120))  # its lease ran out 60 s ago
    assert claim(database, table, row_id, now=now - timedelta(seconds=90)) is None  # still held then
    alive = claim(database, table, row_id, now=now)
    assert alive is not None
    assert finish(database, table, dead, {"status": table.final}, count=("attempts",)) is False
    stored = load(database, table, row_id)
    assert stored.status == table.outbox.working and stored.attempts == 0
    assert finish(database, table, alive, {"status": table.final}, count=("attempts",)) is True
    assert load(database, table, row_id).attempts == 1


def test_a_row_waiting_for_its_retry_is_claimed_only_when_due(database, table, add):
    now = utcnow()
    later = add(next_attempt_at=now + timedelta(seconds=30))
    almost = add(next_attempt_at=now + EARLY_TOLERANCE / 2)  # the broker's clock a little ahead of ours
    assert claim(database, table, later, now=now) is None
    assert claim(database, table, almost, now=now) is not None
    assert claim(database, table, later, now=now + timedelta(seconds=30)) is not None


def test_finish_writes_values_of_the_columns_own_types(database, table, add):
    row_id = add()
    held = claim(database, table, row_id)
    when = utcnow() + timedelta(seconds=5)
    assert finish(database, table, held, {"status": table.waiting, "next_attempt_at": when}) is True
    stored = load(database, table, row_id)
    assert (stored.status, as_utc(stored.next_attempt_at)) == (table.waiting, when)


# -- the sweep -------------------------------------------------------------------------------------------------

def test_stranded_rows_are_the_unsent_the_overdue_and_the_abandoned_oldest_first(database, table, add):
    now = utcnow()
    long_ago, recently = now - timedelta(hours=1), now - timedelta(seconds=10)
    never_enqueued = add(created_at=now - timedelta(minutes=3))
    lost = add(created_at=now - timedelta(minutes=2), enqueued_at=long_ago)
    abandoned = add(table.outbox.working, created_at=now - timedelta(minutes=1), enqueued_at=long_ago,
                    lease_until=now - timedelta(seconds=1))
    add(enqueued_at=recently)  # its message is on its way
    add(enqueued_at=long_ago, next_attempt_at=now + timedelta(minutes=5))  # a retry scheduled for later
    add(table.outbox.working, enqueued_at=long_ago, lease_until=now + timedelta(seconds=30))  # being worked on
    add(table.final, enqueued_at=None)  # done
    with database.engine.connect() as connection:
        found = table.outbox.stranded(connection, now=now, grace_seconds=300, limit=10)
        assert found == [never_enqueued, lost, abandoned]
        assert table.outbox.stranded(connection, now=now, grace_seconds=300, limit=2) == [never_enqueued, lost]


def test_the_sweep_enqueues_through_the_callback_and_notes_it(database, table, add):
    ids = [add(created_at=utcnow() - timedelta(minutes=n)) for n in (2, 1)]
    sent: list[str] = []
    swept = table.outbox.sweep(database.engine, sent.append, grace_seconds=300, limit=10)
    assert (swept.found, swept.enqueued, swept.error) == (2, 2, None) and sent == ids
    assert all(load(database, table, row_id).enqueued_at is not None for row_id in ids)
    assert table.outbox.sweep(database.engine, sent.append, grace_seconds=300, limit=10).found == 0


def test_a_broker_outage_stops_the_sweep_and_leaves_the_rest_for_the_next(database, table, add):
    first, second = (add(created_at=utcnow() - timedelta(minutes=n)) for n in (2, 1))
    sent: list[str] = []

    def enqueue(row_id: str) -> None:
        if sent:
            raise ConnectionError("broker down")
        sent.append(row_id)

    swept = table.outbox.sweep(database.engine, enqueue, grace_seconds=300, limit=10)
    assert (swept.found, swept.enqueued, str(swept.error)) == (2, 1, "broker down")
    with database.engine.connect() as connection:
        assert table.outbox.stranded(connection, now=utcnow(), grace_seconds=300, limit=10) == [second]
    assert sent == [first]
