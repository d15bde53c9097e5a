"""CPU per notification on the worker and the ingress, against the bare send, measured in one process.

``bench/dispatch.py`` judges rates on real processes, which a shared machine makes noisy. This measures the
same work deterministically enough to judge a change by: in this process, on a real Redis and SQLite in a
temporary directory, with ``imbridge sandbox`` as a separate process (its CPU is not counted here):

* **ingress**: ``POST /api/v1/notifications``, one notification a request, through the real WSGI app
  (``ingress.create_app``: middleware, auth, validation, the record, the enqueue, the answer) called directly;
* **worker**: the ``deliver_notification`` actor's function with its :class:`~workers.context.ActorContext`, on
  the records the ingress made, with the ids bound as the worker's middleware binds them (claim, rate limiter,
  send, outcome, attempt row, metrics, outcome webhooks);
* **producer**: the ``submit_notification`` actor's function, as a producer's message (the REST body and an
  ``id``, see :mod:`workers.producer`) reaches the worker: the record accepted and delivered in one step;
* **bare**: the SDK's DingTalk robot call alone, as ``bench_bare_send`` of ``bench/dispatch.py`` makes it.

Alternating rounds of N messages each; CPU time (``time.process_time``) per message, the minimum and the median of
the rounds, and the worker's extra over the bare send.

    python bench/dispatch_cost.py [--messages 300] [--rounds 5]
    python bench/dispatch_cost.py --profile worker      # cProfile of one phase (ingress, worker, bare)

Instruction counts (stable on a busy machine): run one phase under callgrind with collection only inside the
measured loop, which this script runs as the predicate of ``itertools.dropwhile`` when ``--phase`` is given::

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=dropwhile_next --callgrind-out-file=/tmp/cg.%p \\
        .venv/bin/python bench/dispatch_cost.py --phase worker --messages 100
    # instructions per message: the "totals:" of /tmp/cg.<pid> divided by --messages

Redis: ``$REDIS_URL`` (flushed: give it a database of its own), else an embedded server.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VAR = Path(tempfile.mkdtemp(prefix="imbridge-cost-"))
# As `imbridge ingress` and `imbridge worker` run: metrics in a multiprocess directory (set before the import).
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR / "metrics"))
(VAR / "metrics").mkdir()

from bench._support.harness import (  # noqa: E402
    IMBRIDGE,
    Processes,
    answers,
    free_port,
    imbridge_env,
    prepare_database,
    redis_url,
    wait_until,
)

SECRET_KEY = "bench-secret-key-0123456789abcdef"
BODY = {"channel": "dingtalk_robot", "robot": "bench", "message": {"msgtype": "text", "text": {"content": "bench"}}}
#: What the bare send posts: the message of ``BODY`` (as ``bench/_support/dispatch_worker.py``'s).
BARE_MESSAGE = BODY["message"]
PHASES = ("ingress", "worker", "producer", "bare")


def counted(run: Callable[[], None]) -> None:
    """``run()`` as the predicate of ``itertools.dropwhile``, so that callgrind's
    ``--toggle-collect=dropwhile_next`` counts it alone: nothing on these paths uses ``dropwhile``, and the call
    stays inside the interpreter (a ctypes callback from libc would lose callgrind's call tracking)."""
    for _ in itertools.dropwhile(lambda _: run() is not None, [None]):
        pass


class Bench:
    """The three phases on one runtime; ``ingress`` leaves the ids the next ``worker`` round delivers."""

    def __init__(self, settings: Any, key: str) -> None:
        from config import demo
        from core.runtime import Runtime
        from core.tasks import Tasks
        from ingress import create_app
        from workers.context import ActorContext

        self.runtime = Runtime.from_settings(settings)
        self.app = create_app(settings, self.runtime)
        self.context = ActorContext(self.runtime, Tasks.from_settings(settings))
        self.raw = json.dumps(BODY).encode()
        self.key = key
        self.robot = (demo.DINGTALK_ROBOT_TOKEN, demo.DINGTALK_ROBOT_SECRET)
        self.ids: list[str] = []

    def environs(self, count: int) -> list[dict[str, Any]]:
        """What a WSGI server hands the app for each request (built before the measurement)."""
        return [{"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/notifications", "QUERY_STRING": "",
                 "SERVER_NAME": "bench", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
                 "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(self.raw), "wsgi.errors": sys.stderr,
                 "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": True,
                 "wsgi.run_once": False, "CONTENT_LENGTH": str(len(self.raw)), "CONTENT_TYPE": "application/json",
                 "HTTP_AUTHORIZATION": f"Bearer {self.key}", "HTTP_HOST": "bench"} for _ in range(count)]

    def ingress(self, count: int) -> Callable[[], None]:
        environs, app, ids = self.environs(count), self.app, self.ids

        def run() -> None:
            status: list[str] = []

            def start_response(line: str, headers: Any, exc_info: Any = None) -> None:
                status.append(line)

            for environ in environs:
                answer = b"".join(app(environ, start_response))
                if not status.pop().startswith("202"):
                    raise SystemExit(f"bench: the ingress answered: {answer[:300]!r}")
                ids.append(json.loads(answer)["id"])
        return run

    def worker(self, count: int) -> Callable[[], None]:
        from core.log_context import bind_ids, clear_ids
        from workers.actors.notifications import deliver_notification

        ids, self.ids = self.ids[:count], self.ids[count:]
        if len(ids) < count:
            raise SystemExit("bench: the worker phase needs an ingress phase of as many messages before it")
        context = self.context

        def run() -> None:
            for delivery_id in ids:
                bind_ids(delivery=delivery_id)  # what workers.log_ids does for every message
                deliver_notification(context, delivery_id)
                clear_ids()
        return run

    def producer(self, count: int) -> Callable[[], None]:
        from core.log_context import bind_ids, clear_ids
        from workers.actors.notifications import submit_notification

        requests = [{**BODY, "id": str(uuid.uuid4())} for _ in range(count)]
        context = self.context

        def run() -> None:
            for request in requests:
                bind_ids(delivery=request["id"])
                submit_notification(context, request)
                clear_ids()
        return run

    def bare(self, count: int) -> Callable[[], None]:
        robot = self.runtime.clients.dingtalk_robot
        token, secret = self.robot

        def run() -> None:
            for _ in range(count):
                robot.send(token, BARE_MESSAGE, secret=secret)
        return run

    def check_sent(self) -> None:
        """Every record the worker handled was sent (a bench of failures would measure the wrong path)."""
        from sqlalchemy import func, select

        from models.deliveries import Delivery

        with self.runtime.database.session() as session:
            rows = dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
        if set(rows) - {"sent", "queued"}:
            raise SystemExit(f"bench: records not sent: {rows}")


def cpu_of(run: Callable[[], None]) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300, help="messages per round and phase")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", choices=PHASES, help="print a cProfile of this phase (one round) instead")
    parser.add_argument("--phase", choices=PHASES, help="run this phase once, alone counted by callgrind")
    parser.add_argument("--top", type=int, default=45, help="lines of the profile")
    args = parser.parse_args()
    import redis

    from config import load_settings
    from core.logs import configure_logging

    n = args.messages
    with redis_url(os.environ.get("REDIS_URL"), VAR) as url:
        database = f"sqlite:///{VAR / 'bench.db'}"
        key = prepare_database(database, SECRET_KEY)
        port = free_port()
        processes = Processes(imbridge_env(url, database, SECRET_KEY, VAR, SANDBOX__PORT=str(port)), VAR)
        processes.start("sandbox", [*IMBRIDGE, "sandbox"])
        try:
            wait_until(lambda: answers(f"http://127.0.0.1:{port}/_sandbox/health"), 60, "the sandbox starting")
            import httpx

            httpx.post(f"http://127.0.0.1:{port}/_sandbox/config",
                       json={"robot_rate_limit": None, "journal_limit": 100}).raise_for_status()
            # As bench/dispatch.py runs the workers: our robot limit out of the way (the limiter still runs).
            settings = load_settings(None, redis={"url": url}, database={"url": database}, var_dir=str(VAR),
                                     security={"secret_key": SECRET_KEY},
                                     sandbox={"enabled": True, "host": "127.0.0.1", "port": port},
                                     notifications={"robot_rate_limit": 100000000})
            log = open(VAR / "bench.log", "w")  # noqa: SIM115 - the process's log lines, as a deployment's go to a file
            sys.stderr, stderr = log, sys.stderr
            configure_logging(settings.logging)
            sys.stderr = stderr
            bench = Bench(settings, key)
            for phase in PHASES:  # warm: compiled statements, pools, connections, pydantic, the robot cache
                getattr(bench, phase)(20)()
            if args.phase:
                if args.phase == "worker":
                    bench.ingress(n)()
                counted(getattr(bench, args.phase)(n))
                print(f"{args.phase}: {n} messages counted")
                return
            if args.profile:
                if args.profile == "worker":
                    bench.ingress(n)()
                run = getattr(bench, args.profile)(n)
                profile = cProfile.Profile(time.process_time)  # CPU, not the sandbox's answering time
                profile.runcall(run)
                stats = pstats.Stats(profile)
                stats.sort_stats("tottime").print_stats(args.top)
                stats.sort_stats("cumulative").print_stats(args.top)
                return
            results: dict[str, list[float]] = {phase: [] for phase in PHASES}
            for _ in range(args.rounds):
                for phase in PHASES:
                    results[phase].append(cpu_of(getattr(bench, phase)(n)) / n * 1e3)
                redis.Redis.from_url(url).flushdb()  # nothing consumes the ingress's queue
            bench.check_sent()
            print(f"{n} messages a round, {args.rounds} rounds; CPU ms per message (min, median)")
            for phase in PHASES:
                print(f"  {phase:8} {min(results[phase]):6.3f}  {statistics.median(results[phase]):6.3f}")
            bare, worker = min(results["bare"]), min(results["worker"])
            print(f"  worker - bare {worker - bare:.3f} ms; bare / worker {bare / worker:.2f}; "
                  f"bare / (ingress + worker) {bare / (worker + min(results['ingress'])):.2f}")
        finally:
            processes.stop()


if __name__ == "__main__":
    main()
