"""The ingress's CPU per accepted notification: ``POST /api/v1/notifications`` against the batch endpoint.

The app (``ingress.create_app``) is called as a WSGI callable in this process, on a migrated SQLite database and a
real Redis, so what is counted is the request's own work (middleware, validation, the record, the enqueue, the
answer) without an HTTP server or a client. Alternating rounds of N single requests and of N/100 batches of 100,
CPU time (``time.process_time``) per notification, medians; printed: each, and batch / single. For instruction
counts, run it under ``valgrind --tool=callgrind`` with ``--single-only`` and two values of ``--messages``
(the difference divided by the difference in messages is the cost of one request, start-up excluded).

    python bench/notify_intake.py [--messages 2000] [--rounds 3] [--single-only]

Redis: ``$REDIS_URL`` (flushed before and after: give it a database of its own), else an embedded server.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._support.harness import prepare_database, redis_url  # noqa: E402

SECRET_KEY = "bench-secret-key-0123456789abcdef"
BODY = {"channel": "dingtalk_robot", "robot": "bench", "message": {"msgtype": "text", "text": {"content": "bench"}}}
BATCH = 100


def caller(app: Callable, path: str, body: dict, key: str) -> Callable[[], None]:
    """One call of the WSGI app with ``body``; raises unless the answer is 202."""
    raw = json.dumps(body).encode()

    def call() -> None:
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "bench",
                   "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
                   "wsgi.input": io.BytesIO(raw), "wsgi.errors": sys.stderr, "CONTENT_LENGTH": str(len(raw)),
                   "CONTENT_TYPE": "application/json", "HTTP_AUTHORIZATION": f"Bearer {key}"}
        status: list[str] = []
        answer = b"".join(app(environ, lambda s, headers, exc_info=None: status.append(s)))
        if not status[0].startswith("202"):
            raise SystemExit(f"bench: {path} answered {status[0]}: {answer[:300]!r}")
    return call


def cpu_per_message(call: Callable[[], None], calls: int, per_call: int) -> float:
    started = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - started) / (calls * per_call)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="notifications per round and way")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--single-only", action="store_true", help="only single requests (for callgrind)")
    args = parser.parse_args()
    import redis

    from config import load_settings
    from ingress import create_app

    var = Path(tempfile.mkdtemp(prefix="imbridge-bench-"))
    with redis_url(os.environ.get("REDIS_URL"), var) as url:
        database = f"sqlite:///{var / 'bench.db'}"
        key = prepare_database(database, SECRET_KEY)
        settings = load_settings(None, redis={"url": url}, database={"url": database}, var_dir=str(var),
                                 security={"secret_key": SECRET_KEY}, sandbox={"enabled": True})
        app = create_app(settings)
        single = caller(app, "/api/v1/notifications", BODY, key)
        batch = caller(app, "/api/v1/notifications/batch", {"notifications": [BODY] * BATCH}, key)
        for _ in range(20):  # warm: compiled statements, pools, pydantic
            single()
        if not args.single_only:
            batch()
        singles, batches = [], []
        for _ in range(args.rounds):
            singles.append(cpu_per_message(single, args.messages, 1))
            if not args.single_only:
                batches.append(cpu_per_message(batch, max(1, args.messages // BATCH), BATCH))
            redis.Redis.from_url(url).flushdb()  # the queue grows with every round; nothing consumes it
        one = statistics.median(singles)
        print(f"POST /api/v1/notifications        {one * 1e3:.3f} ms CPU per notification")
        if batches:
            many = statistics.median(batches)
            print(f"POST /api/v1/notifications/batch  {many * 1e3:.3f} ms CPU per notification ({BATCH} a batch)  "
                  f"{many / one:.2f} of single")


if __name__ == "__main__":
    main()
