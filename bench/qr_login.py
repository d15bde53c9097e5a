"""applyQrCode under load: no platform call in the request path, and its throughput as a ratio to ``/healthz``.

Runs the real ingress (gunicorn, ``ingress.workers`` processes x 32 threads) as a subprocess, a Dramatiq worker in
this process (the minting actor) and the sandbox as WeChat. The pool is filled first; then rounds of
``/healthz`` and ``applyQrCode`` alternate at the same concurrency on the same server. The sandbox journal
counts ``qrcode/create`` during the load and the pool's bookkeeping counts the codes the actor minted in the
same window: every create is the actor's, none is a request's.

    python bench/qr_login.py [--requests 1000] [--rounds 3] [--concurrency 16]

Uses (and clears the login keys of) the Redis database in ``--redis-url`` or ``$REDIS_URL``; without either, an
embedded Valkey.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import dramatiq
import httpx
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support.harness import embedded_valkey
from config import Settings, load_settings
from core.broker import REDIS_NAMESPACE
from core.login import QrPool
from core.login.pool import MINTING_KEY, POOL_KEY
from core.runtime import Runtime
from core.tasks import Tasks
from models import Database
from models.migrate import upgrade
from sandbox import callbacks
from sandbox.server import serve_in_thread
from scheduler.jobs.qr_pool import top_up_qr_pool

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def outcome(response: httpx.Response) -> str:
    """The HTTP status, and the seed envelope's code when it says the request failed (``"200 code 10106"``)."""
    code = response.json().get("code") if response.headers.get("content-type", "").startswith("application/json") \
        else None
    return f"{response.status_code} code {code}" if code else str(response.status_code)


def load(url: str, method: str, path: str, requests: int, concurrency: int) -> tuple[float, Counter[str]]:
    """Send ``requests`` requests from ``concurrency`` keep-alive clients; returns requests/second and outcomes."""
    remaining = iter(range(requests))
    lock = threading.Lock()
    statuses: Counter[str] = Counter()

    def client() -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while True:
                with lock:
                    if next(remaining, None) is None:
                        return
                status = outcome(http.request(method, path))
                with lock:
                    statuses[status] += 1

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return requests / (time.perf_counter() - started), statuses


def wake_latency(url: str, settings: Settings, scans: int = 20) -> None:
    """How long after a scan is posted its held long-poll answers, against the scan's own round trip."""
    woken, round_trips = [], []
    for _ in range(scans):
        key = httpx.post(f"{url}/token/wechat/qr/applyQrCode").json()["data"]["qrCodeKey"]
        answered: list[float] = []

        def browser(key: str = key, answered: list[float] = answered) -> None:
            httpx.get(f"{url}/token/wechat/qr/getStatus", params={"qrCodeKey": key, "wait": 20}, timeout=30)
            answered.append(time.perf_counter())

        waiting = threading.Thread(target=browser)
        waiting.start()
        time.sleep(0.3)  # parked
        posted = time.perf_counter()
        callbacks.scan(url, settings, key, existing=True)
        round_trips.append(time.perf_counter() - posted)
        waiting.join()
        woken.append(answered[0] - posted)
    print(f"long-poll answered {statistics.median(woken) * 1000:.1f} ms (max {max(woken) * 1000:.1f}) after the "
          f"scan was posted; the scan's own round trip {statistics.median(round_trips) * 1000:.1f} ms; "
          f"ratio {statistics.median(woken) / statistics.median(round_trips):.2f} ({scans} scans)")


#: Every request of the bench comes from one address: the per-client limit stays on (its Redis round trip is
#: part of what is measured) but high enough never to refuse.
BENCH_RATE_LIMIT = 10**9


def start_ingress(env: dict[str, str], url: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "imbridge", "ingress"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("the ingress did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per round and endpoint")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"),
                        help="default: $REDIS_URL, else an embedded Valkey")
    args = parser.parse_args()
    with contextlib.ExitStack() as valkey:
        if not args.redis_url:
            args.redis_url = valkey.enter_context(embedded_valkey(Path(tempfile.mkdtemp(prefix="bench-qr-")))).url
        run(args)


def run(args: argparse.Namespace) -> None:

    pool_size = args.requests * args.rounds + args.requests // 2  # the whole run fits: no 503 measured
    sandbox_url, stop_sandbox = serve_in_thread(load_settings(None, sandbox={"enabled": True}), port=0)
    sandbox_port = int(sandbox_url.rsplit(":", 1)[1])
    var_dir = Path(tempfile.mkdtemp(prefix="bench-qr-"))
    database_url = f"sqlite:///{var_dir / 'imbridge.db'}"
    database = Database(database_url)
    upgrade(database)
    database.dispose()
    port = free_port()
    overrides = {"redis": {"url": args.redis_url}, "database": {"url": database_url}, "var_dir": str(var_dir),
                 "sandbox": {"enabled": True, "port": sandbox_port}, "ingress": {"port": port},
                 "security": {"secret_key": "bench-secret"},
                 "login": {"pool_size": pool_size, "pool_min_size": pool_size, "apply_rate_limit": BENCH_RATE_LIMIT}}
    settings = load_settings(None, **overrides)
    store = redis.Redis.from_url(args.redis_url)
    for key in [POOL_KEY, MINTING_KEY, f"{REDIS_NAMESPACE}:login", *store.scan_iter("imbridge:qr:key:*")]:
        store.delete(key)

    env = {**os.environ, "PYTHONPATH": str(ROOT), "IMBRIDGE_REDIS__URL": args.redis_url,
           "IMBRIDGE_DATABASE__URL": database_url, "IMBRIDGE_VAR_DIR": str(var_dir),
           "IMBRIDGE_SANDBOX__ENABLED": "true", "IMBRIDGE_SANDBOX__PORT": str(sandbox_port),
           "IMBRIDGE_INGRESS__PORT": str(port),
           "IMBRIDGE_SECURITY__SECRET_KEY": "bench-secret", "IMBRIDGE_LOGIN__POOL_SIZE": str(pool_size),
           "IMBRIDGE_LOGIN__POOL_MIN_SIZE": str(pool_size),
           "IMBRIDGE_LOGIN__APPLY_RATE_LIMIT": str(BENCH_RATE_LIMIT)}
    url = f"http://127.0.0.1:{port}"
    runtime, tasks = Runtime.from_settings(settings), Tasks.from_settings(settings)
    from workers.boot import worker_broker

    worker = dramatiq.Worker(worker_broker(settings, runtime), worker_threads=2)
    worker.start()
    ingress = start_ingress(env, url)
    control = httpx.Client(base_url=f"{sandbox_url}/_sandbox", timeout=30)
    try:
        pool = QrPool.from_settings(store, settings.login)
        started = time.perf_counter()
        top_up_qr_pool(runtime, tasks)
        while pool.size() < pool_size:
            time.sleep(0.2)
        print(f"pool: {pool_size} codes minted by the actor in {time.perf_counter() - started:.1f}s")

        def creates() -> int:
            return len(control.get("/journal", params={"path": "/cgi-bin/qrcode/create"}).json()["entries"])

        before_creates, before_size = creates(), pool.size()
        health, apply = [], []
        statuses: Counter[str] = Counter()
        for _ in range(args.rounds):
            health.append(load(url, "GET", "/healthz", args.requests, args.concurrency)[0])
            rate, answered = load(url, "POST", "/token/wechat/qr/applyQrCode", args.requests, args.concurrency)
            apply.append(rate)
            statuses.update(answered)
        while store.exists(MINTING_KEY):  # let a top-up the load triggered finish, to count what it minted
            time.sleep(0.1)
        during = creates() - before_creates
        handed_out = statuses["200"]
        minted = pool.size() + handed_out - before_size
        print(f"load: {args.rounds} rounds x {args.requests} requests, {args.concurrency} concurrent clients, "
              f"{settings.ingress.workers} ingress processes x 32 threads")
        print(f"applyQrCode answers: {dict(statuses)}")
        print(f"qrcode/create during the load: {during}; codes the minting actor added meanwhile: {minted}; "
              f"creates made by requests: {during - minted}")
        h, a = statistics.median(health), statistics.median(apply)
        print(f"/healthz {h:.0f} req/s, applyQrCode {a:.0f} req/s (medians of {args.rounds} rounds)")
        print(f"ratio applyQrCode / healthz throughput: {a / h:.2f}")
        wake_latency(url, settings)
    finally:
        os.killpg(ingress.pid, signal.SIGTERM)
        ingress.wait(timeout=15)
        worker.stop()
        tasks.close()
        runtime.close()
        stop_sandbox()


if __name__ == "__main__":
    main()
