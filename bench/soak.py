"""Soak: the ingress load and the dispatch load together for minutes, with every process's memory sampled.

Runs the real processes (sandbox, ingress, ``imbridge worker``, the scheduler, an embedded Valkey). Two loads
at once, each at a steady rate: fresh encrypted WeChat callbacks to ``/wechat/portal`` (the messages of
``bench/ingress.py``; the workers drain them into the database), and REST DingTalk and WeCom robot notifications
(the workers send them to the sandbox). Every few seconds the RSS of each process is read from /proc. The rates
are steady, not flat out (that is ``bench/ingress.py`` and ``bench/dispatch.py``): a load beyond what the machine
drains grows its queues by definition, and memory is judged at a steady state.

Printed: first / last / max RSS per process, and a verdict: the mean of the last third of the samples may
exceed the middle third's by at most ``--tolerance`` (share) plus 4 MB; the first third is warm-up. Exit
status 1 when a process grew, died, or a load failed.

    python bench/soak.py [--minutes 5] [--interval 5] [--rate 20] [--portal-rate 100]

The portal's replay window is 30 s here (dedup keys then live 90 s), so Redis reaches its steady state early
in the run; the sandbox keeps its 1,000 newest journal entries and deliveries. Database: ``$DATABASE_URL``
(PostgreSQL, a private schema) or SQLite.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
import redis
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support.harness import (
    IMBRIDGE,
    Processes,
    database_url,
    embedded_valkey,
    free_port,
    imbridge_env,
    prepare_database,
    rss_bytes,
    start_imbridge,
)
from config import load_settings
from core.inbox import INBOX_KEY
from models import Database
from models.deliveries import Delivery
from sandbox import callbacks

MB = 1024 * 1024
#: Growth below this many bytes is never a leak (allocator noise).
SLACK = 4 * MB


@dataclass
class Series:
    """One process's RSS samples."""

    part: str
    pid: int
    samples: list[tuple[float, int]] = field(default_factory=list)

    def verdict(self, tolerance: float) -> tuple[bool, float, float]:
        """(within bounds, middle third's mean, last third's mean)."""
        values = [rss for _, rss in self.samples]
        third = len(values) // 3
        middle, last = statistics.mean(values[third:2 * third]), statistics.mean(values[2 * third:])
        return last <= middle * (1 + tolerance) + SLACK, middle, last


def statuses(database: Database) -> dict[str, int]:
    with database.session() as session:
        return dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())


def sample(processes: Processes, valkey_pid: int, series: dict[int, Series], started: float) -> None:
    now = time.monotonic() - started
    parts = {name: processes.pids(name) for name in processes.names}
    parts["redis"] = [valkey_pid]
    for part, pids in parts.items():
        for pid in pids:
            rss = rss_bytes(pid)
            if rss:
                series.setdefault(pid, Series(part, pid)).samples.append((now, rss))


class Notifications:
    """REST clients posting robot notifications at ``rate`` a second until stopped."""

    def __init__(self, ingress: str, key: str, rate: float) -> None:
        self.http = httpx.Client(base_url=ingress, timeout=30, headers={"Authorization": f"Bearer {key}"})
        self.rate, self.posted, self.refused = rate, 0, []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        due = time.monotonic()
        while not self.stop.is_set():
            n = self.posted
            body = {"channel": "dingtalk_robot" if n % 2 else "wecom_robot", "robot": "soak" if n % 2 else "soak-wecom",
                    "message": {"msgtype": "text", "text": {"content": f"soak {n}"}}}
            try:
                answer = self.http.post("/api/v1/notifications", json=body)
                if answer.status_code != 202:
                    self.refused.append(f"{answer.status_code} {answer.text[:200]}")
            except httpx.HTTPError as exc:
                self.refused.append(f"{type(exc).__name__}: {exc}")
            self.posted += 1
            due += 1 / self.rate
            self.stop.wait(max(0.0, due - time.monotonic()))


class PortalLoad:
    """Fresh encrypted WeChat callbacks (as ``bench/ingress.py`` makes them) POSTed to ``/wechat/portal`` at
    ``rate`` a second by a few keep-alive clients, in batches built just before they are sent (so none is a
    replay, and every timestamp is within the replay window)."""

    def __init__(self, ingress: str, rate: float, clients: int = 4) -> None:
        self.ingress, self.rate, self.clients = ingress, rate, clients
        self.settings = load_settings(None, sandbox={"enabled": True})  # the demo's credentials sign callbacks
        self.sent, self.failed = 0, Counter[str]()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _batch(self, first: int, count: int) -> list[tuple[str, str]]:
        requests = []
        for n in range(first, first + count):
            fields = callbacks.text_fields(self.settings, f"soak message {n}", openid=f"oSoak{n % 500:024d}")
            request = callbacks.build_wechat_callback(self.settings, fields, safe=True)
            requests.append((f"{callbacks.WECHAT_PORTAL}?{urlencode(request.params)}", request.body))
        return requests

    def _run(self) -> None:
        batch = max(int(self.rate * 5), 1)  # five seconds' worth at a time
        with ThreadPoolExecutor(self.clients) as pool:
            local = threading.local()

            def post(request: tuple[str, str]) -> None:
                http = getattr(local, "http", None) or httpx.Client(base_url=self.ingress, timeout=10)
                local.http = http
                try:
                    status = http.post(request[0], content=request[1],
                                       headers={"Content-Type": "text/xml"}).status_code
                except httpx.HTTPError as exc:
                    self.failed[type(exc).__name__] += 1
                    return
                if status != 200:
                    self.failed[str(status)] += 1

            due = time.monotonic()
            while not self.stop.is_set():
                for request in self._batch(self.sent, batch):
                    pool.submit(post, request)
                    self.sent += 1
                    due += 1 / self.rate
                    if self.stop.wait(max(0.0, due - time.monotonic())):
                        break


def redis_state(client: redis.Redis) -> str:
    """What Redis holds: keys, memory, the inbound inbox and the broker queues."""
    info = client.info("memory")
    queues = {key.decode().split(":", 1)[1].removesuffix(".msgs"): client.hlen(key)
              for key in client.scan_iter("imbridge-dramatiq:*.msgs")}
    return (f"{client.dbsize()} keys, used {info['used_memory'] / MB:.1f} MB; inbox {client.llen(INBOX_KEY)}; "
            f"broker queues {dict(sorted(queues.items()))}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument("--rate", type=float, default=20.0, help="notifications posted a second")
    parser.add_argument("--portal-rate", type=float, default=100.0, help="portal callbacks a second")
    parser.add_argument("--tolerance", type=float, default=0.05, help="growth allowed, a share of the RSS")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="imbridge-soak-"))
    secret_key = secrets.token_urlsafe(32)
    failures: list[str] = []
    series: dict[int, Series] = {}
    with embedded_valkey(var) as valkey, database_url(os.environ.get("DATABASE_URL"), var) as dburl:
        key = prepare_database(dburl, secret_key, robots=("soak",), wecom_robots=("soak-wecom",))
        ingress_port, sandbox_port = free_port(), free_port()
        env = imbridge_env(valkey.url, dburl, secret_key, var, SANDBOX__PORT=str(sandbox_port),
                           INGRESS__PORT=str(ingress_port), PORTAL__REPLAY_WINDOW_SECONDS="30",
                           NOTIFICATIONS__ROBOT_RATE_LIMIT="100000000")
        processes = Processes(env, var)
        database = Database(dburl)
        sandbox, ingress = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{ingress_port}"
        try:
            start_imbridge(processes, {"worker": [*IMBRIDGE, "worker", "--processes", "2", "--threads", "8"]},
                           sandbox, ingress, scheduler=True)
            httpx.post(f"{sandbox}/_sandbox/config", json={"robot_rate_limit": None, "journal_limit": 1000,
                                                             "deliveries_limit": 1000}).raise_for_status()
            print(f"soak {args.minutes:g} min: {args.portal_rate:g} portal callbacks/s + {args.rate:g} "
                  f"notifications/s; RSS every {args.interval:g} s", flush=True)
            started = time.monotonic()
            until = started + args.minutes * 60
            notifications, portal = Notifications(ingress, key, args.rate), PortalLoad(ingress, args.portal_rate)
            client = redis.Redis.from_url(valkey.url)
            notifications.thread.start()
            portal.thread.start()
            third = started + args.minutes * 20
            while time.monotonic() < until:
                sample(processes, valkey.pid or 0, series, started)
                if time.monotonic() >= third:
                    print(f"  {time.monotonic() - started:5.0f} s: Redis {redis_state(client)}", flush=True)
                    third += args.minutes * 20
                time.sleep(args.interval)
            for load in (notifications, portal):
                load.stop.set()
                load.thread.join()
            print(f"  end: Redis {redis_state(client)}; notifications {statuses(database)}", flush=True)
            alive = {name: processes.children[name].poll() is None for name in processes.names}
        finally:
            processes.stop()
            database.dispose()
    print(f"portal callbacks {portal.sent} ({sum(portal.failed.values())} failed), notifications posted "
          f"{notifications.posted} ({len(notifications.refused)} refused)")
    if portal.failed:
        failures.append(f"portal callbacks failed: {dict(portal.failed)}")
    if notifications.refused:
        failures.append(f"{len(notifications.refused)} notifications refused, e.g. {notifications.refused[0]}")
    failures += [f"{name} died during the soak" for name, up in alive.items() if not up]
    print(f"{'process':<22} {'samples':>7} {'first':>8} {'middle':>8} {'last':>8} {'max':>8}   MB (thirds' means)")
    for item in series.values():
        if len(item.samples) < 6:
            continue
        ok, middle, last = item.verdict(args.tolerance)
        values = [rss for _, rss in item.samples]
        print(f"{item.part + ' ' + str(item.pid):<22} {len(values):>7} {values[0] / MB:8.1f} {middle / MB:8.1f} "
              f"{last / MB:8.1f} {max(values) / MB:8.1f}   {'ok' if ok else 'GROWING'}")
        if not ok:
            failures.append(f"{item.part} (pid {item.pid}) grew from {middle / MB:.1f} to {last / MB:.1f} MB")
    for failure in failures:
        print(f"FAILED: {failure}")
    print("goals met: no process grew" if not failures else f"goals NOT met ({len(failures)}); logs kept in {var}")
    if not failures and not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(var, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
