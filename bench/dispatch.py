"""Notification throughput: REST -> Redis -> workers -> sandbox, as a ratio of the bare send of the same run.

Runs the real processes (``imbridge sandbox``, ``imbridge ingress``, Dramatiq workers on imbridge's worker module),
then measures, on the same worker processes and threads:

1. a no-op actor: N messages enqueued and drained;
   and the ceiling of any delivery path here: an actor making only the robot call (the SDK, no record);
2. N DingTalk robot notifications POSTed to the ingress (recorded, enqueued, sent to the sandbox, recorded),
   one a request, then 100 a request (``POST /api/v1/notifications/batch``);
3. the same with 100 ms of latency on every sandbox robot call (hidden by concurrency: enough worker threads).

The sandbox's robot rate limit is lifted, and ours raised out of the way (the limiter still runs). Prints rates
and the ratios, judged against the bare send (an actor making only the SDK's robot call; the fake platform shares
the cores, so no delivery path can beat it): single REST requests >= 0.6 of it, batches of 100 >= 0.8, and the
latency run >= 0.5 of the no-latency run. The no-op figure stays printed for reference.

    python bench/dispatch.py [--messages 2000] [--processes 2] [--threads 16] [--clients 16]

Each line also shows the CPU milliseconds per message spent by each part (sandbox, ingress, workers, this
script's REST clients): on a small machine the ratio is decided by CPU, and this says where it goes.

Redis: ``$REDIS_URL`` (its database is flushed) or an embedded Valkey; database: ``$DATABASE_URL`` (PostgreSQL, a
private schema) or SQLite in a temporary directory.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import redis
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support.harness import (
    Processes,
    database_url,
    free_port,
    imbridge_env,
    prepare_database,
    redis_url,
    start_imbridge,
    wait_until,
)
from models import Database
from models.deliveries import Delivery

NAMESPACE = "imbridge-dramatiq"
#: Notifications a request in the batch phase (``POST /api/v1/notifications/batch``).
BATCH = 100
QUEUE_KEYS = [f"{NAMESPACE}:notifications{suffix}" for suffix in (".msgs", ".DQ.msgs")]


def drained(client: redis.Redis) -> bool:
    """No message left on the notifications queue (acked messages leave the hash)."""
    return all(client.hlen(key) == 0 for key in QUEUE_KEYS)


def broker_rate(url: str, messages: int, client: redis.Redis, make: Callable[[], Any]) -> float:
    """Messages made by ``make`` enqueued straight onto the broker (8 threads) and drained: messages per second."""
    from core.broker import create_broker

    broker = create_broker(url)
    started = time.perf_counter()

    def enqueue(count: int) -> None:
        for _ in range(count):
            broker.enqueue(make())

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(enqueue, [messages // 8 + (1 if i < messages % 8 else 0) for i in range(8)]))
    wait_until(lambda: drained(client), 600, "draining the queue", 0.01)
    elapsed = time.perf_counter() - started
    broker.close()
    return messages / elapsed


def noop_message() -> Any:
    import dramatiq

    return dramatiq.Message(queue_name="notifications", actor_name="bench_noop", args=(), kwargs={}, options={})


def bare_send_message() -> Any:
    import dramatiq

    return dramatiq.Message(queue_name="notifications", actor_name="bench_bare_send", args=(), kwargs={},
                            options={})


def producer_message() -> Any:
    """A producer's notification (``submit_notification``): no REST, the worker records and sends it."""
    from workers.producer import notification_message

    return notification_message({"channel": "dingtalk_robot", "robot": "bench",
                                 "message": {"msgtype": "text", "text": {"content": "bench"}}})


def notification_rate(ingress: str, key: str, messages: int, clients: int, database: Database,
                      client: redis.Redis, batch: int = 1) -> float:
    """``messages`` notifications POSTed by ``clients`` threads (``batch`` > 1: that many a request, to the batch
    endpoint), until every one is recorded ``sent``: notifications per second."""
    item = {"channel": "dingtalk_robot", "robot": "bench", "message": {"msgtype": "text", "text": {"content": "bench"}}}
    path, body = "/api/v1/notifications", json.dumps(item).encode()
    if batch > 1:
        path, body = "/api/v1/notifications/batch", json.dumps({"notifications": [item] * batch}).encode()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    address = httpx.URL(ingress)
    local = threading.local()
    failures: list[str] = []

    def post(_: int) -> None:
        # http.client on a kept-alive connection: the load generator's own CPU (httpx spends ~4x more a
        # request) comes off the same two cores as the system under test, so it is kept small.
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = http.client.HTTPConnection(address.host, address.port, timeout=30)
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        text = answer.read()
        if answer.status != 202:
            failures.append(f"{answer.status} {text[:200]!r}")

    with database.session() as session:
        before = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "sent"))
    started = time.perf_counter()
    messages -= messages % batch
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(post, range(messages // batch)))
    if os.environ.get("BENCH_VERBOSE"):
        print(f"    (REST accepted {messages / (time.perf_counter() - started):.0f}/s)", flush=True)
    if failures:
        raise SystemExit(f"bench: {len(failures)} requests failed, e.g. {failures[0]}")

    def all_sent() -> bool:
        if not drained(client):
            return False
        with database.session() as session:
            sent = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "sent"))
        return sent - before == messages

    wait_until(all_sent, 900, "sending every notification", 0.02)
    return messages / (time.perf_counter() - started)


def measured(processes: Processes, messages: int, run: Callable[[], float]) -> tuple[float, str]:
    """Run a phase; returns its rate and the CPU milliseconds each part spent per message."""
    before = processes.cpu()
    rate = run()
    after = processes.cpu()
    parts = {name: (after[name] - before.get(name, 0.0)) * 1000 / messages for name in after}
    ours = parts.get("ingress", 0.0) + parts.get("worker", 0.0)
    return rate, (", ".join(f"{name} {ms:.2f}" for name, ms in parts.items())
                  + f" ms CPU/msg; ingress + worker {ours:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=2, help="worker processes")
    parser.add_argument("--threads", type=int, default=16, help="threads per worker process")
    parser.add_argument("--clients", type=int, default=16, help="concurrent REST clients")
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="imbridge-bench-"))
    secret_key = secrets.token_urlsafe(32)
    given_redis, given_database = os.environ.get("REDIS_URL"), os.environ.get("DATABASE_URL")
    with redis_url(given_redis, var) as rurl, database_url(given_database, var) as dburl:
        key = prepare_database(dburl, secret_key, robots=("bench",))
        database = Database(dburl)
        ingress_port, sandbox_port = free_port(), free_port()
        env = imbridge_env(rurl, dburl, secret_key, var, SANDBOX__PORT=str(sandbox_port),
                           INGRESS__PORT=str(ingress_port), NOTIFICATIONS__ROBOT_RATE_LIMIT="100000000")
        processes = Processes(env, var)
        sandbox, ingress = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{ingress_port}"
        client = redis.Redis.from_url(rurl)
        try:
            worker = [sys.executable, "-m", "dramatiq", "bench._support.dispatch_worker:broker",
                      "--processes", str(args.processes), "--threads", str(args.threads)]
            start_imbridge(processes, {"worker": worker}, sandbox, ingress)
            control = httpx.Client(base_url=f"{sandbox}/_sandbox")
            control.post("/config", json={"robot_rate_limit": None, "journal_limit": 1000}).raise_for_status()
            print(f"{args.messages} messages; workers {args.processes} x {args.threads} threads; "
                  f"{args.clients} REST clients; {'PostgreSQL' if 'postgresql' in dburl else 'SQLite'}", flush=True)
            broker_rate(rurl, min(args.messages, 1000), client, noop_message)  # warm-up: workers up, imports done
            notification_rate(ingress, key, min(args.messages, 500), args.clients, database, client)
            n = args.messages
            noop, cpu = measured(processes, n, lambda: broker_rate(rurl, n, client, noop_message))
            print(f"no-op actor            {noop:8.0f} msg/s            [{cpu}]", flush=True)
            bare, cpu = measured(processes, n, lambda: broker_rate(rurl, n, client, bare_send_message))
            print(f"bare send (ceiling)    {bare:8.0f} msg/s   {bare / noop:.3f} of no-op   [{cpu}]  "
                  "(the SDK's robot call alone: no REST, no record, no rate limit)", flush=True)
            produced, cpu = measured(processes, n, lambda: broker_rate(rurl, n, client, producer_message))
            print(f"producer messages      {produced:8.0f} msg/s   {produced / noop:.3f} of no-op   [{cpu}]  "
                  "(broker -> worker -> sandbox, no REST)", flush=True)
            plain, cpu = measured(processes, n, lambda: notification_rate(ingress, key, n, args.clients, database,
                                                                          client))
            print(f"notifications (REST)   {plain:8.0f} msg/s   {plain / bare:.2f} of the bare send (goal >= 0.6)   "
                  f"[{cpu}]  ({plain / noop:.3f} of no-op)", flush=True)
            batched, cpu = measured(processes, n, lambda: notification_rate(ingress, key, n, args.clients, database,
                                                                            client, batch=BATCH))
            print(f"  in batches of {BATCH}    {batched:8.0f} msg/s   {batched / bare:.2f} of the bare send "
                  f"(goal >= 0.8)   [{cpu}]  ({batched / noop:.3f} of no-op)", flush=True)
            control.post("/faults", json={"pattern": "/dingtalk/robot/send", "kind": "latency",
                                          "latency_ms": args.latency_ms}).raise_for_status()
            slow, cpu = measured(processes, n, lambda: notification_rate(ingress, key, n, args.clients, database,
                                                                         client))
            print(f"  + {args.latency_ms} ms latency     {slow:8.0f} msg/s   {slow / plain:.2f} of no-latency "
                  f"(goal >= 0.5), {slow / noop:.3f} of no-op   [{cpu}]", flush=True)
            # A missed ratio is a figure to read (a shared machine's noise moves it), not a broken benchmark.
            met = plain / bare >= 0.6 and batched / bare >= 0.8 and slow / plain >= 0.5
            print("goals met" if met else "goals NOT met on this run (see the CPU per message above)")
        finally:
            processes.stop()
            database.dispose()



if __name__ == "__main__":
    main()
