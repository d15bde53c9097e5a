"""Retention under load: prune a million old records while notifications are accepted; intake p99 against a baseline.

A migrated database gets ``--records`` records older than the retention age (a quarter finished notifications, a
quarter their attempts, four tenths inbound messages, a tenth finished jobs). The ingress app (``ingress.create_app``,
called as a WSGI callable in this process, as in ``bench/notify_intake.py``) accepts single
``POST /api/v1/notifications`` at a steady ``--rate`` a second (as a busy producer would send them, not as fast as
the loop can: a closed loop would take every lock slot there is), each timed from its scheduled start: first
``--requests`` of them alone (the baseline), then as many as fit while another process runs the scheduler's
retention job (``prune_old_records``) over the records. Printed: records pruned and how fast, intake p50/p99
alone and during the prune and their ratio, and the database file's size before and after (SQLite gives the space
back).

    python bench/retention.py [--records 1000000] [--requests 3000] [--rate 50] [--batch-size 200] [--pause 0.05]

Redis: ``$REDIS_URL`` (flushed: give it a database of its own), else an embedded server. ``$DATABASE_URL``
(PostgreSQL) runs it on a private schema there instead of SQLite.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._support.harness import database_url, imbridge_env, prepare_database, redis_url  # noqa: E402

SECRET_KEY = "bench-secret-key-0123456789abcdef"
BODY = {"channel": "dingtalk_robot", "robot": "bench", "message": {"msgtype": "text", "text": {"content": "bench"}}}
#: Rows inserted per statement while seeding.
SEED_CHUNK = 5000
#: How old the seeded records are: past the default retention of 30 days.
AGE = timedelta(days=40)

PRUNER = """
import json, sys, time
from config import load_settings
from core.runtime import Runtime
from scheduler.jobs.retention import prune_old_records
runtime = Runtime.from_settings(load_settings())
started = time.monotonic()
pruned = prune_old_records(runtime)
print(json.dumps({"pruned": pruned, "seconds": time.monotonic() - started}))
"""


def seed(url: str, records: int) -> None:
    """``records`` old, finished records of four kinds, inserted in large statements."""
    from sqlalchemy import insert

    from models import Database
    from models.base import utcnow
    from models.deliveries import Delivery, DeliveryAttempt
    from models.inbound import InboundRecord
    from models.jobs import Job

    made = utcnow() - AGE
    deliveries, inbound = records // 4, records * 4 // 10
    jobs = records - 2 * deliveries - inbound
    database = Database(url)
    started = time.monotonic()
    for first in range(0, deliveries, SEED_CHUNK):
        ids = [str(uuid.uuid4()) for _ in range(min(SEED_CHUNK, deliveries - first))]
        with database.engine.begin() as connection:
            connection.execute(insert(Delivery), [
                {"id": i, "channel": "dingtalk_robot", "target": "bench", "msgtype": "text", "payload": BODY,
                 "status": "sent", "created_at": made, "updated_at": made, "budget_started_at": made} for i in ids])
            connection.execute(insert(DeliveryAttempt), [
                {"delivery_id": i, "number": 1, "started_at": made, "finished_at": made, "outcome": "sent"}
                for i in ids])
    for first in range(0, inbound, SEED_CHUNK):
        with database.engine.begin() as connection:
            connection.execute(insert(InboundRecord), [
                {"platform": "wechat", "app": "wxbench", "msg_type": "text", "from_user": "oBench",
                 "to_user": "gh_bench", "dedup_key": f"bench:{n}", "create_time": made, "received_at": made,
                 "fields_json": json.dumps({"Content": f"message {n}"}), "encrypted": True}
                for n in range(first, min(first + SEED_CHUNK, inbound))])
    for first in range(0, jobs, SEED_CHUNK):
        with database.engine.begin() as connection:
            connection.execute(insert(Job), [
                {"id": str(uuid.uuid4()), "kind": "wechat.templates.sync", "params": {}, "status": "succeeded",
                 "created_at": made, "updated_at": made, "budget_started_at": made}
                for _ in range(first, min(first + SEED_CHUNK, jobs))])
    database.dispose()
    print(f"seeded {records:,} records ({deliveries:,} notifications + as many attempts, {inbound:,} inbound, "
          f"{jobs:,} jobs) in {time.monotonic() - started:.0f} s")


def caller(app: Callable, key: str, rate: float) -> Callable[[], float]:
    """One ``POST /api/v1/notifications`` in the next slot of ``rate`` a second: the seconds from the slot to the
    answer (a request held up also delays those after it, and they count it: no coordinated omission); raises
    unless the answer is 202."""
    raw = json.dumps(BODY).encode()
    interval = 1 / rate
    slot = [time.perf_counter()]

    def call() -> float:
        slot[0] = max(slot[0] + interval, time.perf_counter() - 1.0)  # after a long stall, not a burst of catch-up
        if (wait := slot[0] - time.perf_counter()) > 0:
            time.sleep(wait)
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/notifications", "QUERY_STRING": "",
                   "SERVER_NAME": "bench", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
                   "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(raw), "wsgi.errors": sys.stderr,
                   "CONTENT_LENGTH": str(len(raw)), "CONTENT_TYPE": "application/json",
                   "HTTP_AUTHORIZATION": f"Bearer {key}"}
        status: list[str] = []
        answer = b"".join(app(environ, lambda s, headers, exc_info=None: status.append(s)))
        took = time.perf_counter() - slot[0]
        if not status[0].startswith("202"):
            raise SystemExit(f"bench: intake answered {status[0]}: {answer[:300]!r}")
        return took

    return call


def percentile(values: list[float], fraction: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(fraction * 1000) - 1]


def file_bytes(url: str) -> int | None:
    """The SQLite file's size once its write-ahead log is checkpointed (None on PostgreSQL)."""
    if not url.startswith("sqlite:///"):
        return None
    import sqlite3

    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return os.path.getsize(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000, help="old records to prune")
    parser.add_argument("--requests", type=int, default=3000, help="baseline intake requests")
    parser.add_argument("--rate", type=float, default=50, help="intake requests a second")
    parser.add_argument("--batch-size", type=int, default=200, help="retention.batch-size")
    parser.add_argument("--pause", type=float, default=0.05, help="retention.batch-pause-seconds")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="imbridge-bench-"))
    try:
        measure(args, var)
    finally:
        shutil.rmtree(var, ignore_errors=True)  # a million records: hundreds of megabytes


def measure(args: argparse.Namespace, var: Path) -> None:
    import redis

    from config import load_settings
    from ingress import create_app

    with redis_url(os.environ.get("REDIS_URL"), var) as r_url, database_url(os.environ.get("DATABASE_URL"),
                                                                            var) as db_url:
        key = prepare_database(db_url, SECRET_KEY)
        seed(db_url, args.records)
        before = file_bytes(db_url)
        settings = load_settings(None, redis={"url": r_url}, database={"url": db_url}, var_dir=str(var),
                                 security={"secret_key": SECRET_KEY}, sandbox={"enabled": True})
        call = caller(create_app(settings), key, args.rate)
        for _ in range(50):  # warm: compiled statements, pools, pydantic
            call()
        baseline = [call() for _ in range(args.requests)]
        redis.Redis.from_url(r_url).flushdb()  # nothing consumes the queue

        env = imbridge_env(r_url, db_url, SECRET_KEY, var, RETENTION__BATCH_SIZE=str(args.batch_size),
                           RETENTION__BATCH_PAUSE_SECONDS=str(args.pause))
        pruner = subprocess.Popen([sys.executable, "-c", PRUNER], env=env, stdout=subprocess.PIPE, text=True)
        during: list[float] = []
        while pruner.poll() is None:
            during.append(call())
        out, _ = pruner.communicate()
        if pruner.returncode != 0:
            raise SystemExit(f"bench: the prune failed ({pruner.returncode})")
        result = json.loads(out.strip().splitlines()[-1])
        after = file_bytes(db_url)
        redis.Redis.from_url(r_url).flushdb()

    pruned = sum(result["pruned"].values())
    print(f"pruned {pruned:,} records (and the notifications' attempts with them) in {result['seconds']:.1f} s "
          f"({pruned / result['seconds']:,.0f}/s, "
          f"batches of {args.batch_size}, {args.pause} s apart): {result['pruned']}")
    if before is not None and after is not None:
        print(f"database file: {before / 2**20:,.1f} MiB before, {after / 2**20:,.1f} MiB after")
    base_p50, base_p99 = percentile(baseline, 0.5), percentile(baseline, 0.99)
    if len(during) < 100:
        raise SystemExit(f"bench: only {len(during)} requests during the prune; use more --records")
    p50, p99 = percentile(during, 0.5), percentile(during, 0.99)
    print(f"intake at {args.rate:g} requests a second:")
    print(f"intake alone        {len(baseline):6,} requests  p50 {base_p50 * 1e3:6.2f} ms  "
          f"p99 {base_p99 * 1e3:6.2f} ms")
    print(f"intake during prune {len(during):6,} requests  p50 {p50 * 1e3:6.2f} ms  p99 {p99 * 1e3:6.2f} ms  "
          f"max {max(during) * 1e3:.1f} ms")
    print(f"p99 during / alone: {p99 / base_p99:.2f}")


if __name__ == "__main__":
    main()
