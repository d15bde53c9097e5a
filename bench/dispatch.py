"""Notification throughput: REST -> Redis -> workers -> sandbox, as a ratio of a no-op Dramatiq actor's.

Runs the real processes (``imbridge sandbox``, ``imbridge ingress``, Dramatiq workers on imbridge's worker module),
then measures, on the same worker processes and threads:

1. a no-op actor: N messages enqueued and drained;
2. N DingTalk robot notifications POSTed to the ingress (recorded, enqueued, sent to the sandbox, recorded);
3. the same with 100 ms of latency on every sandbox robot call (hidden by concurrency: enough worker threads).

The sandbox's robot rate limit is lifted, and ours raised out of the way (the limiter still runs). Prints rates
and the ratios; goals: notifications >= 0.5 of the no-op rate, and the latency run >= 0.5 of the no-latency run.

    python bench/dispatch.py [--messages 10000] [--processes 2] [--threads 32] [--clients 32]

Redis: ``$REDIS_URL`` (its database is flushed) or an embedded Valkey; database: ``$DATABASE_URL`` (PostgreSQL, a
private schema) or SQLite in a temporary directory.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import redis
from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import demo  # noqa: E402
from models import Database, Scope  # noqa: E402
from models.api_clients import create_api_client  # noqa: E402
from models.deliveries import Delivery  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.robots import Robot, seal_credentials  # noqa: E402
from models.secretbox import SecretBox  # noqa: E402

NAMESPACE = "imbridge-dramatiq"
QUEUE_KEYS = [f"{NAMESPACE}:notifications{suffix}" for suffix in (".msgs", ".DQ.msgs")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def redis_url(given: str | None, var: Path) -> Iterator[str]:
    if given:
        redis.Redis.from_url(given).flushdb()
        yield given
        return
    from imbridge.embedded_redis import EmbeddedRedis

    server = EmbeddedRedis(var / "valkey")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@contextlib.contextmanager
def database_url(given: str | None, var: Path) -> Iterator[str]:
    if not given:
        yield f"sqlite:///{var / 'bench.db'}"
        return
    schema = f"imbridge_bench_{secrets.token_hex(4)}"
    admin = Database(given)
    with admin.engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{given}{'&' if '?' in given else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def die_with_parent() -> None:
    """In the child: get SIGTERM when the bench dies, however it dies (Linux), so nothing keeps consuming."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Processes:
    """Child process groups, all stopped on exit."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.children = env, logs, []

    def start(self, name: str, argv: list[str]) -> None:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - kept open for the child's life
        self.children.append(subprocess.Popen(argv, env=self.env, cwd=ROOT, start_new_session=True,
                                              stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent))

    def stop(self) -> None:
        for child in self.children:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: {what} did not happen within {timeout:g} s")
        time.sleep(interval)


def drained(client: redis.Redis) -> bool:
    """No message left on the notifications queue (acked messages leave the hash)."""
    return all(client.hlen(key) == 0 for key in QUEUE_KEYS)


def broker_rate(url: str, messages: int, client: redis.Redis, make: Callable[[], Any]) -> float:
    """Messages made by ``make`` enqueued straight onto the broker (8 threads) and drained: messages per second."""
    from workers.broker import create_broker

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


def producer_message() -> Any:
    """A producer's notification (``submit_notification``): no REST, the worker records and sends it."""
    from workers.producer import notification_message

    return notification_message({"channel": "dingtalk_robot", "robot": "bench",
                                 "message": {"msgtype": "text", "text": {"content": "bench"}}})


def notification_rate(ingress: str, key: str, messages: int, clients: int, database: Database,
                      client: redis.Redis) -> float:
    body = {"channel": "dingtalk_robot", "robot": "bench",
            "message": {"msgtype": "text", "text": {"content": "bench"}}}
    local = threading.local()
    failures: list[str] = []

    def post(_: int) -> None:
        http = getattr(local, "http", None)
        if http is None:
            http = local.http = httpx.Client(base_url=ingress, headers={"Authorization": f"Bearer {key}"},
                                             timeout=30)
        answer = http.post("/api/v1/notifications", json=body)
        if answer.status_code != 202:
            failures.append(f"{answer.status_code} {answer.text[:200]}")

    with database.session() as session:
        before = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "sent"))
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(post, range(messages)))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--processes", type=int, default=2, help="worker processes")
    parser.add_argument("--threads", type=int, default=32, help="threads per worker process")
    parser.add_argument("--clients", type=int, default=32, help="concurrent REST clients")
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="imbridge-bench-"))
    secret_key = secrets.token_urlsafe(32)
    given_redis, given_database = os.environ.get("REDIS_URL"), os.environ.get("DATABASE_URL")
    with redis_url(given_redis, var) as rurl, database_url(given_database, var) as dburl:
        database = Database(dburl)
        upgrade(database)
        with database.session() as session:
            _, key = create_api_client(session, "bench", Scope.NOTIFY)
            robot = Robot(platform="dingtalk", code="bench", name="bench")
            seal_credentials(robot, SecretBox(secret_key), demo.DINGTALK_ROBOT_TOKEN, demo.DINGTALK_ROBOT_SECRET)
            session.add(robot)
        ingress_port, sandbox_port = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("IMBRIDGE_")}
        env.update(PYTHONPATH=str(ROOT), IMBRIDGE_REDIS__URL=rurl, IMBRIDGE_DATABASE__URL=dburl,
                   IMBRIDGE_SECURITY__SECRET_KEY=secret_key, IMBRIDGE_VAR_DIR=str(var),
                   IMBRIDGE_SANDBOX__PORT=str(sandbox_port), IMBRIDGE_INGRESS__PORT=str(ingress_port),
                   IMBRIDGE_NOTIFICATIONS__ROBOT_RATE_LIMIT="100000000")
        processes = Processes(env, var)
        sandbox, ingress = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{ingress_port}"
        client = redis.Redis.from_url(rurl)
        try:
            processes.start("sandbox", [sys.executable, "-m", "imbridge", "sandbox"])
            processes.start("ingress", [sys.executable, "-m", "imbridge", "ingress"])
            processes.start("worker", [sys.executable, "-m", "dramatiq", "bench._dispatch_worker",
                                       "--processes", str(args.processes), "--threads", str(args.threads)])
            wait_until(lambda: _answers(f"{sandbox}/_sandbox/health"), 60, "the sandbox starting")
            wait_until(lambda: _answers(f"{ingress}/readyz"), 60, "the ingress starting")
            control = httpx.Client(base_url=f"{sandbox}/_sandbox")
            control.post("/config", json={"robot_rate_limit": None, "journal_limit": 1000}).raise_for_status()
            print(f"{args.messages} messages; workers {args.processes} x {args.threads} threads; "
                  f"{args.clients} REST clients; {'PostgreSQL' if 'postgresql' in dburl else 'SQLite'}", flush=True)
            broker_rate(rurl, min(args.messages, 1000), client, noop_message)  # warm-up: workers up, imports done
            notification_rate(ingress, key, min(args.messages, 500), args.clients, database, client)
            noop = broker_rate(rurl, args.messages, client, noop_message)
            print(f"no-op actor            {noop:8.0f} msg/s", flush=True)
            produced = broker_rate(rurl, args.messages, client, producer_message)
            print(f"producer messages      {produced:8.0f} msg/s   {produced / noop:.2f} of no-op "
                  "(broker -> worker -> sandbox, no REST)", flush=True)
            plain = notification_rate(ingress, key, args.messages, args.clients, database, client)
            print(f"notifications (REST)   {plain:8.0f} msg/s   {plain / noop:.2f} of no-op (goal >= 0.5)", flush=True)
            control.post("/faults", json={"pattern": "/dingtalk/robot/send", "kind": "latency",
                                          "latency_ms": args.latency_ms}).raise_for_status()
            slow = notification_rate(ingress, key, args.messages, args.clients, database, client)
            print(f"  + {args.latency_ms} ms latency     {slow:8.0f} msg/s   {slow / plain:.2f} of no-latency "
                  f"(goal >= 0.5), {slow / noop:.2f} of no-op", flush=True)
        finally:
            processes.stop()
            database.dispose()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


if __name__ == "__main__":
    main()
