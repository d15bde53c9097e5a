"""Token stampede: many processes x threads call a WeChat API while tokens expire every few seconds.

Every call must succeed, and the sandbox must see about one token fetch per expiry, however many callers
there are: the Redis token store fetches under a lock (single flight) and a rejected token is expired only
by compare-and-delete. Prints calls per token fetch and fetches per expiry (1.0 is ideal), for the classic
endpoint (each fetch retires the previous token) and the stable one.

    python bench/tokens.py [--processes 4] [--threads 8] [--seconds 12] [--lifetime 2]

Redis: ``--redis-url`` or ``$REDIS_URL`` (its WeChat token keys are replaced), else an embedded Valkey.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support.harness import embedded_valkey
from config import load_settings
from core.clients import PlatformClients
from platforms.tokens import MemoryTokenStore


@dataclass
class StampedeResult:
    calls: int
    failures: Counter[str]
    token_fetches: int
    expiries: float

    @property
    def calls_per_fetch(self) -> float:
        return self.calls / max(self.token_fetches, 1)

    @property
    def fetches_per_expiry(self) -> float:
        return self.token_fetches / max(self.expiries, 1)


def _caller(overrides: dict[str, Any], seconds: float, threads: int, pause: float, shared: bool, results: Any) -> None:
    settings = load_settings(None, **overrides)
    client = redis.Redis.from_url(settings.redis.url)
    clients = PlatformClients(settings, client, token_margin_seconds=0)
    if not shared:  # the seed's design: every process keeps its own token in memory
        clients.token_store = MemoryTokenStore(margin_seconds=0)  # type: ignore[assignment]
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def loop() -> None:
        while time.monotonic() < deadline:
            try:
                clients.wechat.menu.get()
                outcome = "ok"
            except Exception as exc:  # every failure is counted by kind and reported
                outcome = f"{type(exc).__name__}: {getattr(exc, 'errcode', '')}"
            with lock:
                counts[outcome] += 1
            time.sleep(pause)

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    clients.close()
    results.put(dict(counts))


def stampede(sandbox_url: str, redis_url: str, *, processes: int, threads: int, seconds: float,
             lifetime: int, mode: str = "classic", pause: float = 0.02, shared: bool = True,
             var_dir: str = "var") -> StampedeResult:
    """Run the stampede against a running sandbox; the caller owns the sandbox and the Redis database.

    ``pause`` spaces each thread's calls, as real callers are: a saturated sandbox answering seconds late would
    let even a fresh token age past its life between fetch and use, which is not the property measured here.
    """
    host, port = sandbox_url.removeprefix("http://").split(":")
    overrides = {
        "redis": {"url": redis_url},
        "sandbox": {"enabled": True, "host": host, "port": int(port)},
        "third": {"wechat": {"token_mode": mode}},
        "var_dir": var_dir,
    }
    control = httpx.Client(base_url=f"{sandbox_url}/_sandbox")
    control.post("/reset").raise_for_status()
    control.post("/config", json={"token_lifetime_seconds": lifetime, "classic_grace_seconds": 0,
                                  "stable_overlap_seconds": 1}).raise_for_status()
    redis.Redis.from_url(redis_url).delete(*[f"imbridge:token:wechat:{x}" for x in ("wxdemo0000000001",)])
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    children = [context.Process(target=_caller, args=(overrides, seconds, threads, pause, shared, results))
                for _ in range(processes)]
    started = time.monotonic()
    for child in children:
        child.start()
    totals: Counter[str] = Counter()
    for _ in children:
        totals.update(results.get(timeout=seconds + 120))
    for child in children:
        child.join()
    elapsed = time.monotonic() - started
    path = "/cgi-bin/token" if mode == "classic" else "/cgi-bin/stable_token"
    fetches = len(control.get("/journal", params={"path": path, "platform": "wechat"}).json()["entries"])
    calls = totals.pop("ok", 0)
    return StampedeResult(calls=calls, failures=totals, token_fetches=fetches, expiries=elapsed / lifetime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=12)
    parser.add_argument("--lifetime", type=int, default=3)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"),
                        help="default: $REDIS_URL, else an embedded Valkey")
    args = parser.parse_args()

    from sandbox.server import serve_in_thread

    valkey = contextlib.ExitStack()
    if not args.redis_url:
        args.redis_url = valkey.enter_context(embedded_valkey(Path(tempfile.mkdtemp(prefix="bench-tokens-")))).url
    url, stop = serve_in_thread(load_settings(None, redis={"url": args.redis_url}, sandbox={"enabled": True}), port=0)
    try:
        for mode in ("classic", "stable"):
            runs = {}
            for label, shared in (("per-process memory (seed)", False), ("shared Redis store", True)):
                result = runs[label] = stampede(url, args.redis_url, processes=args.processes, threads=args.threads,
                                                seconds=args.seconds, lifetime=args.lifetime, mode=mode, shared=shared)
                print(f"{mode:8s} {label:26s} {args.processes}x{args.threads} callers, life {args.lifetime}s: "
                      f"{result.calls} calls, {result.token_fetches} fetches, "
                      f"{result.calls_per_fetch:.0f} calls/fetch, "
                      f"{result.fetches_per_expiry:.2f} fetches/expiry, failures {sum(result.failures.values())}")
            seed, ours = runs.values()
            print(f"{mode:8s} ratio: fetches/expiry {ours.fetches_per_expiry / max(seed.fetches_per_expiry, 1e-9):.2f} "
                  f"of the seed design's; failed calls {sum(ours.failures.values())} vs {sum(seed.failures.values())}")
    finally:
        stop()
        valkey.close()


if __name__ == "__main__":
    main()
