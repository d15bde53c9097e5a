"""Chaos: notifications through the real processes while a worker is killed and Redis crashes; then a platform outage.

Part 1, crashes. N notifications (DingTalk robot, WeCom robot and WeCom app messages, each with a unique marker)
are POSTed to the ingress while two ``imbridge worker`` commands and two schedulers (a leader and a standby)
deliver them to the sandbox.
When a quarter is delivered, one worker process gets ``kill -9`` (its Dramatiq parent then exits, as it does in
production) and is started again; past half, Redis (an embedded Valkey, AOF ``appendfsync everysec``) is crashed
with ``kill -9``, left down a few seconds while the ingress is probed, and started again on the same data.
Printed: delivered / lost / duplicated (markers counted in the sandbox's ``/_sandbox/deliveries``), the records
``sending`` at the moment of the kill, and what the ingress answered while Redis was down.
Goals: 0 lost; duplicates <= the sends in flight at the kill; every record final; no 5xx but a 503 with
Retry-After; every process (but the killed one, restarted) still running at the end.

Part 2, outage. The platforms answer 503 to every send for ``--outage-seconds``, then recover. Goals: every
message delivered once afterwards, retries spaced by the back-off (the sandbox journal's call times), no hot
loop (calls per message within the retry budget).

    python bench/chaos.py [--messages 5000] [--outage-seconds 120] [--outage-messages 300]

Why ``everysec``: the SQL record, not Redis, is the source of truth (the outbox); a crash loses at most the last
second of broker writes, and the scheduler's outbox sweep enqueues those records again. ``always`` would fsync
every enqueue and ack. The bench crashes Redis with SIGKILL rather than stopping it, to prove exactly that.

The lease and the sweep are shortened so recovery fits in a minute or two (lease 20 s, sweep every 5 s, grace
60 s; the back-off cap is 60 s). Database: ``$DATABASE_URL`` (PostgreSQL, a private schema) or SQLite.
Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
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
    start_imbridge,
    wait_until,
)
from config import load_settings
from models import Database
from models.deliveries import Delivery, DeliveryStatus
from sandbox import callbacks

#: The sandbox paths a notification's send reaches (their calls are counted, and failed during the outage).
SEND_PATHS = ("/dingtalk/robot/send", "/wecom/cgi-bin/webhook/send", "/wecom/cgi-bin/message/send")
FINAL = [s.value for s in (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.DEAD)]
#: Settings the children run with (see the module docstring).
SETTINGS = {"NOTIFICATIONS__ROBOT_RATE_LIMIT": "100000000", "NOTIFICATIONS__RECIPIENT_RATE_LIMIT": "100000000",
            "NOTIFICATIONS__RECIPIENT_HOURLY_LIMIT": "100000000",
            "NOTIFICATIONS__LEASE_SECONDS": "20", "NOTIFICATIONS__OUTBOX_CHECK_SECONDS": "5",
            "NOTIFICATIONS__OUTBOX_GRACE_SECONDS": "60", "NOTIFICATIONS__BACKOFF_BASE_SECONDS": "2",
            "NOTIFICATIONS__BACKOFF_MAX_SECONDS": "60", "NOTIFICATIONS__MAX_ATTEMPTS": "10"}


def body(tag: str, n: int) -> dict[str, Any]:
    """Notification ``n`` of a run, its marker ``<tag>-<n>.`` in the text; three channels in turn."""
    message = {"msgtype": "text", "text": {"content": f"{tag}-{n}. chaos bench"}}
    kind = n % 3
    if kind == 0:
        return {"channel": "dingtalk_robot", "robot": "chaos", "message": message}
    if kind == 1:
        return {"channel": "wecom_robot", "robot": "chaos-wecom", "message": message}
    return {"channel": "wecom_app", "to": {"users": [f"user{n % 50}"]}, "message": message}


def markers(tag: str, items: list[dict[str, Any]], key: str) -> Counter[int]:
    """How often each marker of run ``tag`` appears in sandbox items (``key``: where the message is)."""
    pattern = re.compile(rf"\b{re.escape(tag)}-(\d+)\.")
    found: Counter[int] = Counter()
    for item in items:
        match = pattern.search(json.dumps(item.get(key), ensure_ascii=False))
        if match:
            found[int(match.group(1))] += 1
    return found


@dataclass
class Poster:
    """POSTs notifications from a pool of REST clients; remembers what was accepted and what was not."""

    ingress: str
    key: str
    clients: int
    accepted: dict[int, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    _local: threading.local = field(default_factory=threading.local)

    def post(self, tag: str, n: int) -> None:
        http = getattr(self._local, "http", None)
        if http is None:
            http = self._local.http = httpx.Client(base_url=self.ingress, timeout=30,
                                                   headers={"Authorization": f"Bearer {self.key}"})
        try:
            answer = http.post("/api/v1/notifications", json=body(tag, n))
        except httpx.HTTPError as exc:
            self.refused.append(f"{type(exc).__name__}: {exc}")
            return
        if answer.status_code == 202:
            self.accepted[n] = answer.json()["id"]
        else:
            self.refused.append(f"{answer.status_code} {answer.text[:200]}")

    def post_all(self, tag: str, count: int) -> threading.Thread:
        """Post ``count`` notifications in the background; join the returned thread to wait."""
        def run() -> None:
            with ThreadPoolExecutor(self.clients) as pool:
                list(pool.map(lambda n: self.post(tag, n), range(count)))
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread


def statuses(database: Database, ids: list[str] | None = None) -> Counter[str]:
    query = select(Delivery.status, func.count()).group_by(Delivery.status)
    with database.session() as session:
        if ids is None:
            return Counter(dict(session.execute(query).all()))
        found: Counter[str] = Counter()
        for start in range(0, len(ids), 500):
            found.update(dict(session.execute(query.where(Delivery.id.in_(ids[start:start + 500]))).all()))
        return found


def probe_ingress(ingress: str, settings: Any, stop: threading.Event) -> list[str]:
    """While Redis is down: the portal, QR login and /readyz, again and again. Returns every answer that is a
    bug (a 5xx other than 503, or a 503 without Retry-After where a client is told to come back)."""
    bugs: list[str] = []
    seen: Counter[str] = Counter()
    n = 0
    with httpx.Client(base_url=ingress, timeout=10) as http:
        while not stop.is_set():
            n += 1
            fields = callbacks.text_fields(settings, f"probe {n} {secrets.token_hex(4)}")
            request = callbacks.build_wechat_callback(settings, fields, safe=True)
            calls = {
                "portal": lambda r=request: http.post(f"{callbacks.WECHAT_PORTAL}?{urlencode(r.params)}",
                                                      content=r.body, headers={"Content-Type": "text/xml"}),
                "applyQrCode": lambda: http.post("/token/wechat/qr/applyQrCode"),
                "readyz": lambda: http.get("/readyz"),
            }
            for name, call in calls.items():
                try:
                    answer = call()
                except httpx.HTTPError as exc:
                    bugs.append(f"{name}: {type(exc).__name__}")
                    continue
                seen[f"{name} {answer.status_code}"] += 1
                if answer.status_code >= 500 and answer.status_code != 503:
                    bugs.append(f"{name}: {answer.status_code} {answer.text[:120]}")
                elif answer.status_code == 503 and name != "readyz" and "Retry-After" not in answer.headers:
                    bugs.append(f"{name}: 503 without Retry-After")
            stop.wait(0.5)
    print(f"  ingress while Redis was down: {dict(sorted(seen.items()))}", flush=True)
    return bugs


def crash_redis(valkey: Any, down_seconds: float, ingress: str, settings: Any) -> list[str]:
    """``kill -9`` Valkey, probe the ingress for ``down_seconds``, start Valkey again on the same AOF."""
    os.kill(valkey.pid, signal.SIGKILL)
    valkey.stop()  # reaps it
    stop = threading.Event()
    bugs: list[str] = []
    prober = threading.Thread(target=lambda: bugs.extend(probe_ingress(ingress, settings, stop)), daemon=True)
    prober.start()
    time.sleep(down_seconds)
    stop.set()
    prober.join()
    valkey.start()
    return bugs


def kill_worker(processes: Processes, name: str) -> int:
    """``kill -9`` the Dramatiq worker process of ``name``; its parent notices and exits; start ``name`` again.
    Returns the killed pid."""
    parent, *children = processes.pids(name)
    victim = children[-1] if children else parent
    os.kill(victim, signal.SIGKILL)
    processes.children[name].wait(60)
    processes.restart(name)
    return victim


def crashes(args: argparse.Namespace, ctx: dict[str, Any]) -> list[str]:
    database, processes, valkey = ctx["database"], ctx["processes"], ctx["valkey"]
    control, poster, tag = ctx["control"], ctx["poster"], "crash"
    failures: list[str] = []
    n = args.messages
    started = time.monotonic()
    posting = poster.post_all(tag, n)
    killed_at = redis_at = None
    in_flight = backlog = 0
    while killed_at is None or redis_at is None:
        sent = statuses(database)["sent"]
        if killed_at is None and sent >= n * args.kill_at:
            before = statuses(database)
            victim = kill_worker(processes, "worker-1")
            in_flight = statuses(database)[DeliveryStatus.SENDING.value]
            backlog = len(poster.accepted) - sum(before[s] for s in FINAL)
            killed_at = time.monotonic() - started
            print(f"  {killed_at:5.1f} s: kill -9 worker process {victim} with {sent} sent; {in_flight} records "
                  f"sending, {backlog} accepted and not final; worker restarted", flush=True)
        elif killed_at is not None and sent >= n * args.redis_at:
            at = time.monotonic() - started
            print(f"  {at:5.1f} s: kill -9 Redis with {sent} sent; down {args.redis_down_seconds:g} s", flush=True)
            failures += [f"ingress while Redis was down: {bug}" for bug in crash_redis(
                valkey, args.redis_down_seconds, ctx["ingress"], ctx["settings"])]
            redis_at = time.monotonic() - started
            resumed = statuses(database)["sent"]
            wait_until(lambda resumed=resumed: statuses(database)["sent"] > resumed, 120,
                       "deliveries resuming after the Redis restart", 0.1)
            print(f"  {redis_at:5.1f} s: Redis back (AOF); deliveries resumed after "
                  f"{time.monotonic() - started - redis_at:.1f} s", flush=True)
        if time.monotonic() - started > args.timeout:
            return [*failures, "the crash events never came (deliveries too slow?)"]
        time.sleep(0.1)
    posting.join()
    ids = list(poster.accepted.values())
    final = wait_final(database, ids, args.timeout, started)
    elapsed = time.monotonic() - started
    counts = statuses(database, ids)
    seen = markers(tag, control.get("/deliveries").json()["deliveries"], "message")
    accepted = set(poster.accepted)
    lost = sorted(accepted - set(seen))
    duplicated = sum(c - 1 for c in seen.values() if c > 1)
    print(f"  {n} posted: {len(accepted)} accepted (202), {len(poster.refused)} refused; records "
          f"{dict(sorted(counts.items()))}; all final after {elapsed:.0f} s", flush=True)
    print(f"crashes: delivered {len(set(seen) & accepted)}, lost {len(lost)}, duplicated {duplicated} "
          f"(in flight at the kill: {in_flight} sending, {backlog} not final)", flush=True)
    if poster.refused:
        failures.append(f"{len(poster.refused)} requests refused, e.g. {poster.refused[0]}")
    if lost:
        failures.append(f"{len(lost)} accepted notifications never reached the platform, e.g. {lost[:5]}")
    if duplicated > in_flight:
        failures.append(f"{duplicated} duplicates, more than the {in_flight} sends in flight at the kill")
    if not final:
        failures.append(f"records not final after {args.timeout:g} s: {dict(counts)}")
    return failures


def wait_final(database: Database, ids: list[str], timeout: float, started: float) -> bool:
    deadline, report = time.monotonic() + timeout, time.monotonic() + 15
    while time.monotonic() < deadline:
        counts = statuses(database, ids)
        if sum(counts[s] for s in FINAL) == len(ids):
            return True
        if time.monotonic() > report:
            report += 15
            print(f"  {time.monotonic() - started:5.1f} s: {dict(sorted(counts.items()))}", flush=True)
        time.sleep(0.5)
    return False


def outage(args: argparse.Namespace, ctx: dict[str, Any]) -> list[str]:
    database, control, poster, tag = ctx["database"], ctx["control"], ctx["poster"], "outage"
    failures: list[str] = []
    control.delete("/journal").raise_for_status()
    for path in SEND_PATHS:
        control.post("/faults", json={"pattern": path, "kind": "http", "status": 503}).raise_for_status()
    started = time.monotonic()
    poster.accepted.clear()
    poster.post_all(tag, args.outage_messages).join()
    time.sleep(max(0.0, args.outage_seconds - (time.monotonic() - started)))
    control.delete("/faults").raise_for_status()
    recovered = control.get("/health").json()["now"]
    print(f"  platforms answered 503 for {time.monotonic() - started:.0f} s; recovered", flush=True)
    ids = list(poster.accepted.values())
    final = wait_final(database, ids, args.timeout, started)
    counts = statuses(database, ids)
    entries = [e for e in control.get("/journal").json()["entries"] if e["path"] in SEND_PATHS]
    calls: dict[int, list[float]] = {}
    pattern = re.compile(rf"\b{tag}-(\d+)\.")
    for entry in entries:
        match = pattern.search(json.dumps(entry.get("json"), ensure_ascii=False))
        if match:
            calls.setdefault(int(match.group(1)), []).append(entry["time"])
    seen = markers(tag, control.get("/deliveries").json()["deliveries"], "message")
    per_message = [len(times) for times in calls.values()]
    last = max((max(times) for times in calls.values()), default=recovered)
    early = spacing_violations(calls, base=2.0, cap=60.0)
    gaps = [statistics.median(b - a for a, b in pairwise(t)) for t in calls.values() if len(t) > 1]
    accepted = set(poster.accepted)
    lost, duplicated = sorted(accepted - set(seen)), sum(c - 1 for c in seen.values() if c > 1)
    print(f"outage: {len(accepted)} messages, delivered {len(set(seen) & accepted)}, lost {len(lost)}, duplicated "
          f"{duplicated}; calls a message: mean {statistics.mean(per_message or [0]):.1f}, max "
          f"{max(per_message or [0])} (budget {SETTINGS['NOTIFICATIONS__MAX_ATTEMPTS']}); median gap between a "
          f"message's calls {statistics.median(gaps or [0]):.1f} s; retries sooner than the back-off allows: "
          f"{len(early)}; last delivery {last - recovered:.0f} s after recovery; records "
          f"{dict(sorted(counts.items()))}", flush=True)
    if lost or not final:
        failures.append(f"outage: {len(lost)} messages not delivered, records {dict(counts)}")
    if duplicated:
        failures.append(f"outage: {duplicated} duplicates")
    if max(per_message or [0]) > int(SETTINGS["NOTIFICATIONS__MAX_ATTEMPTS"]) + 1:
        failures.append(f"outage: a message was sent {max(per_message)} times (hot loop)")
    if early:
        failures.append(f"outage: {len(early)} retries came sooner than the back-off, e.g. {early[0]}")
    return failures


def spacing_violations(calls: dict[int, list[float]], base: float, cap: float) -> list[str]:
    """Retries sooner than the policy's lower bound (half the ceiling after k failures, less the claim's 0.5 s
    early tolerance and a little slack)."""
    early = []
    for marker, times in calls.items():
        for k, (a, b) in enumerate(pairwise(times), start=1):
            floor = min(cap, base * 2 ** (k - 1)) / 2 - 0.6
            if b - a < floor:
                early.append(f"message {marker}: retry {k} after {b - a:.2f} s (at least {floor:.2f} s)")
    return early


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent REST clients")
    parser.add_argument("--threads", type=int, default=8, help="threads of each of the two worker processes")
    parser.add_argument("--kill-at", type=float, default=0.25, help="kill a worker once this share is sent")
    parser.add_argument("--redis-at", type=float, default=0.5, help="crash Redis once this share is sent")
    parser.add_argument("--redis-down-seconds", type=float, default=5.0)
    parser.add_argument("--outage-seconds", type=float, default=120.0, help="0 skips the outage")
    parser.add_argument("--outage-messages", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds for every record to be final")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="imbridge-chaos-"))
    secret_key = secrets.token_urlsafe(32)
    failures: list[str] = []
    with embedded_valkey(var) as valkey, database_url(os.environ.get("DATABASE_URL"), var) as dburl:
        key = prepare_database(dburl, secret_key, robots=("chaos",), wecom_robots=("chaos-wecom",))
        ingress_port, sandbox_port = free_port(), free_port()
        env = imbridge_env(valkey.url, dburl, secret_key, var, SANDBOX__PORT=str(sandbox_port),
                           INGRESS__PORT=str(ingress_port), **SETTINGS)
        processes = Processes(env, var)
        sandbox, ingress = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{ingress_port}"
        database = Database(dburl)
        worker = [*IMBRIDGE, "worker", "--processes", "1", "--threads", str(args.threads)]
        try:
            start_imbridge(processes, {"worker-1": worker, "worker-2": worker}, sandbox, ingress, scheduler=True)
            processes.start("scheduler-2", [*IMBRIDGE, "scheduler"])  # a standby, waiting on the leader lock
            control = httpx.Client(base_url=f"{sandbox}/_sandbox", timeout=60)
            control.post("/config", json={"robot_rate_limit": None, "wecom_member_rate_limit": None,
                                          "wecom_member_hourly_limit": None,
                                          "journal_limit": 200000}).raise_for_status()
            ctx = {"database": database, "processes": processes, "valkey": valkey, "control": control,
                   "ingress": ingress, "settings": load_settings(None, sandbox={"enabled": True}),
                   "poster": Poster(ingress, key, args.clients)}
            print(f"{args.messages} notifications; 2 workers x {args.threads} threads, 2 schedulers (leader, standby); "
                  f"{args.clients} REST clients; {'PostgreSQL' if 'postgresql' in dburl else 'SQLite'}; "
                  f"Redis: embedded Valkey, AOF appendfsync everysec", flush=True)
            failures += crashes(args, ctx)
            failures += [f"{name} exited during the run (see {var}/{name}.log)" for name in processes.names
                         if processes.children[name].poll() is not None]
            if args.outage_seconds > 0:
                failures += outage(args, ctx)
        finally:
            processes.stop()
            database.dispose()
    for failure in failures:
        print(f"FAILED: {failure}")
    print("goals met" if not failures else f"goals NOT met ({len(failures)}); logs kept in {var}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
