"""Retention: the scheduler's prune deletes finished records past their kind's age, in batches, and SQLite gives
the space back."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.runtime import Runtime
from models import Database
from models.base import utcnow
from models.deliveries import Delivery, DeliveryAttempt
from models.inbound import InboundRecord
from models.jobs import Job
from models.sqlite_space import enable_incremental_vacuum, free_pages
from models.webhooks import WebhookDelivery, WebhookSubscription
from scheduler.jobs.retention import prune_old_records

OLD = timedelta(days=31)


def delivery(id_: str, age: timedelta, status: str, attempts: int = 0) -> list:
    made = utcnow() - age
    rows: list = [Delivery(id=id_, channel="dingtalk_robot", target="ops", msgtype="text", payload={},
                           status=status, created_at=made, updated_at=made)]
    rows += [DeliveryAttempt(delivery_id=id_, number=n, started_at=made, finished_at=made, outcome="retry")
             for n in range(1, attempts + 1)]
    return rows


def inbound(id_: int, age: timedelta, size: int = 10) -> InboundRecord:
    made = utcnow() - age
    return InboundRecord(id=id_, platform="wechat", app="wx", msg_type="text", from_user="o", to_user="gh",
                         dedup_key=f"k{id_}", create_time=made, received_at=made,
                         fields_json=json.dumps({"Content": "x" * size}))


def job(id_: str, age: timedelta, status: str) -> Job:
    made = utcnow() - age
    return Job(id=id_, kind="wechat.templates.sync", params={}, status=status, created_at=made, updated_at=made)


@pytest.fixture
def runtime_with(make_settings, database_url):
    runtimes: list[Runtime] = []

    def build(**retention) -> Runtime:
        runtimes.append(Runtime.from_settings(make_settings(database_url, retention={
            "batch_size": 2, "batch_pause_seconds": 0, **retention})))
        return runtimes[-1]

    yield build
    for runtime in runtimes:
        runtime.close()


def count(database: Database, column) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(column)))


def test_finished_records_past_their_age_go_and_everything_else_stays(runtime_with):
    runtime = runtime_with()
    with runtime.database.session() as session:
        session.add_all([WebhookSubscription(id=n, name=f"crm{n}", url="https://crm.example/hook",
                                             events_json="[]", secret_sealed="x") for n in (1, 2)])
        for status in ("sent", "failed", "dead"):
            session.add_all(delivery(f"old-{status}", OLD, status, attempts=2))
        session.add_all(delivery("old-retrying", OLD, "retrying", attempts=1))
        session.add_all(delivery("new-sent", timedelta(days=1), "sent", attempts=1))
        session.add_all([inbound(1, OLD), inbound(2, OLD), inbound(3, timedelta(days=2))])
        session.flush()
        made = utcnow() - OLD
        session.add_all([WebhookDelivery(id=1, subscription_id=1, inbound_id=3, state="delivered", created_at=made),
                         WebhookDelivery(id=2, subscription_id=2, inbound_id=3, state="pending", created_at=made),
                         WebhookDelivery(id=3, subscription_id=1, inbound_id=1, state="failed")])
        session.add_all([job("old-ok", OLD, "succeeded"), job("old-failed", OLD, "failed"),
                         job("old-running", OLD, "running"), job("new-ok", timedelta(hours=1), "succeeded")])

    pruned = prune_old_records(runtime)

    assert pruned == {"deliveries": 3, "inbound": 2, "webhook_deliveries": 1, "jobs": 2}
    with runtime.database.session() as session:
        assert set(session.scalars(select(Delivery.id))) == {"old-retrying", "new-sent"}
        assert set(session.scalars(select(DeliveryAttempt.delivery_id))) == {"old-retrying", "new-sent"}
        assert set(session.scalars(select(InboundRecord.id))) == {3}
        assert set(session.scalars(select(WebhookDelivery.id))) == {2}  # 3 went with its inbound message
        assert set(session.scalars(select(Job.id))) == {"old-running", "new-ok"}


def test_each_kind_keeps_its_own_age(runtime_with):
    runtime = runtime_with(days=30, deliveries_days=3, inbound_days=None)
    with runtime.database.session() as session:
        session.add_all(delivery("five-days", timedelta(days=5), "sent"))
        session.add_all([inbound(1, timedelta(days=5)), inbound(2, OLD)])
    assert prune_old_records(runtime)["deliveries"] == 1
    assert count(runtime.database, InboundRecord.id) == 1  # inbound falls back to days: only the 31-day one went


def test_sqlite_gives_the_space_of_pruned_records_back(make_settings, tmp_path):
    url = f"sqlite:///{tmp_path / 'space.db'}"
    from models.migrate import upgrade

    upgrade(Database(url))
    runtime = Runtime.from_settings(make_settings(url, retention={"batch_size": 500, "batch_pause_seconds": 0}))
    try:
        with runtime.database.session() as session:
            session.add_all([inbound(n, OLD, size=4000) for n in range(1, 2001)])
        path = tmp_path / "space.db"
        with sqlite3.connect(path) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages_before = raw.execute("PRAGMA page_count").fetchone()[0]
        assert prune_old_records(runtime)["inbound"] == 2000
        with sqlite3.connect(path) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages_after = raw.execute("PRAGMA page_count").fetchone()[0]
        assert free_pages(runtime.database) == 0
        assert pages_after < pages_before / 4  # 8 MB of messages went back to the file system
    finally:
        runtime.close()


def test_migrate_switches_an_older_sqlite_file_to_incremental_vacuum(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as raw:  # made as before: auto_vacuum none
        raw.execute("CREATE TABLE t (x)")
    database = Database(f"sqlite:///{path}")
    try:
        assert enable_incremental_vacuum(database) is True
        assert enable_incremental_vacuum(database) is False  # once
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA auto_vacuum").scalar() == 2
    finally:
        database.dispose()
