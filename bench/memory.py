"""Memory of ``imbridge up``: PSS per process, idle and after traffic (issue 19 item 5).

Starts ``imbridge up`` as a user would (demo mode: the embedded Valkey, SQLite under var/, the sandbox playing
the platforms) in a fresh directory, reads every process's PSS from ``/proc/<pid>/smaps_rollup`` once it is idle,
sends ``--messages`` DingTalk work notifications (REST, batches of 100) and as many WeChat callbacks (distinct
messages, signed and encrypted as WeChat does), waits for the queues to drain, and reads PSS again.

Goals: the production processes (the ingress and its worker processes, the Dramatiq worker and its processes,
the scheduler; not the sandbox, the embedded Valkey and its keeper, nor ``up``'s supervisor) <= 250 MB together
when idle, and <= 10 % more after the traffic; ``up``'s supervisor <= 25 MB. Memory is not timing: the figures
hold on a busy machine. A missed goal is a figure to read; the bench exits 1 only when a process died.

    .venv/bin/python bench/memory.py                  # 10,000 notifications and 10,000 callbacks (about 2 minutes)
    .venv/bin/python bench/memory.py --messages 1000  # a quick look
    .venv/bin/python bench/memory.py --python /tmp/prod/bin/python  # up under an install without the dev tools
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._support.harness import answers, free_port, tree, wait_until  # noqa: E402

#: Which processes are production's (``up`` also runs the sandbox and the embedded Valkey, which it is not).
PRODUCTION = ("ingress", "worker", "scheduler")
#: Goals, in MB of PSS: the production processes together when idle, and ``up``'s supervisor.
PRODUCTION_GOAL_MB, SUPERVISOR_GOAL_MB = 250, 25
#: Goal: the production processes grow at most this much (percent) with the traffic.
GROWTH_GOAL_PERCENT = 10


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def role(pid: int, up_pid: int) -> str:
    """A name for the process: its imbridge command, and 'worker process' below a leader."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    words = [a.decode(errors="replace") for a in argv if a]
    if pid == up_pid:
        return "up (supervisor)"
    if any("valkey-server" in w for w in words):
        return "valkey-server"
    if "imbridge.embedded_redis" in words:
        return "valkey keeper"
    # (what those commands exec into; `imbridge worker --processes 1`, up's, runs its worker itself: "worker")
    leaders = {"workers.leader": "worker", "ingress.leader": "ingress"}
    for module, name in leaders.items():
        if module in words:
            return name
    if "-m" in words and "imbridge" in words:
        return words[words.index("imbridge") + 1] if words.index("imbridge") + 1 < len(words) else "?"
    return "child"


def parent_of(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def snapshot(up_pid: int) -> list[tuple[str, int, int]]:
    """(role, pid, PSS KiB) for every process of the tree; a process forked by another of its role (granian's and
    Dramatiq's worker processes) is '<role> process'."""
    roles = {pid: role(pid, up_pid) for pid in tree(up_pid)}
    rows = []
    for pid, name in roles.items():
        if roles.get(parent_of(pid)) == name or name == "child":
            name = f"{roles.get(parent_of(pid), '?')} process"
        rows.append((name, pid, pss_kib(pid)))
    return sorted(rows)


def notify(base: str, key: str, count: int) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    batch = [{"channel": "dingtalk_work", "to": {"users": ["manager01"]},
              "message": {"msgtype": "text", "text": {"content": "memory bench"}}}] * 100

    def send(_: int) -> None:
        with httpx.Client(base_url=base, timeout=60, headers=headers) as http:
            answer = http.post("/api/v1/notifications/batch", json={"notifications": batch})
            assert answer.status_code in (200, 202, 207), answer.text

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(send, range(count // 100)))


def callbacks(base: str, var: Path, count: int) -> None:
    from config import load_settings
    from sandbox import callbacks as wechat

    settings = load_settings(None, demo_by_default=True)
    now = int(time.time())

    def send(start: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            for n in range(start, min(start + 500, count)):
                request = wechat.build_wechat_callback(settings, {
                    "ToUserName": wechat.original_id(settings), "FromUserName": f"oMemoryBench{n % 50:015d}",
                    "CreateTime": now, "MsgType": "text", "Content": f"hello {n}", "MsgId": 9_000_000 + n})
                answer = http.post(wechat.WECHAT_PORTAL, params=request.params, content=request.body,
                                   headers={"Content-Type": "text/xml"})
                assert answer.status_code == 200, answer.text

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(send, range(0, count, 500)))


def queued(base: str) -> float:
    """Messages still queued or in progress (from /metrics)."""
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"{base}/metrics", timeout=30).text
    return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
               if s.name == "imbridge_queue_messages" and s.labels["state"] in ("ready", "in_progress", "delayed"))


def production_kib(rows: list[tuple[str, int, int]]) -> int:
    return sum(kib for name, _, kib in rows if name.split()[0] in PRODUCTION)


def table(title: str, rows: list[tuple[str, int, int]]) -> dict[str, int]:
    """Print each process's PSS; returns the PSS (KiB) of each role, its processes added up."""
    print(f"\n{title}")
    totals: dict[str, int] = {}
    for name, pid, kib in rows:
        print(f"  {name:28s} pid {pid:7d}  {kib / 1024:7.1f} MB")
        totals[name] = totals.get(name, 0) + kib
    production = production_kib(rows) / 1024
    print(f"  production processes together: {production:.1f} MB "
          f"({production / PRODUCTION_GOAL_MB:.2f} of the goal, {PRODUCTION_GOAL_MB} MB)")
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000,
                        help="notifications, and as many callbacks, sent between the readings (default 10,000)")
    parser.add_argument("--idle-seconds", type=float, default=10.0, help="settling time before the idle reading")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter that runs imbridge up (default: this one); e.g. a virtualenv with "
                             "`pip install -e '.[embedded]'` only, as a deployment has: .venv's development tools "
                             "(rich and pygments, which httpx imports for its command line when they are "
                             "installed) add about 4 MB to each process that imports httpx")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="imbridge-memory-") as directory:
        var = Path(directory) / "var"
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("IMBRIDGE_", "PROMETHEUS_"))}
        env.pop("REDIS_URL", None)  # (up's own: the embedded Valkey, SQLite under var/)
        env.pop("DATABASE_URL", None)
        env.update(PYTHONPATH=str(ROOT), IMBRIDGE_VAR_DIR=str(var), IMBRIDGE_INGRESS__PORT=str(port),
                   IMBRIDGE_SANDBOX__PORT=str(free_port()))
        log = open(Path(directory) / "up.log", "wb")  # noqa: SIM115
        up = subprocess.Popen([args.python, "-m", "imbridge", "up"], cwd=directory, env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: answers(f"{base}/readyz"), 120, "imbridge up")
            time.sleep(args.idle_seconds)  # (a reading, not a wait for an event: the processes settle)
            idle_rows = snapshot(up.pid)
            idle = table("idle", idle_rows)
            key = (var / "demo-api-key").read_text().strip()
            started = time.monotonic()
            notify(base, key, args.messages)
            callbacks(base, var, args.messages)
            wait_until(lambda: queued(base) == 0, 1800, "the queues draining")
            print(f"\n{args.messages} notifications and {args.messages} callbacks in "
                  f"{time.monotonic() - started:.0f} s")
            after_rows = snapshot(up.pid)
            after = table("after traffic", after_rows)
            print("\ngrowth")
            for name, kib in after.items():
                before = idle.get(name, 0)
                growth = (kib - before) / before * 100 if before else float("nan")
                print(f"  {name:28s} {before / 1024:7.1f} -> {kib / 1024:7.1f} MB ({growth:+.0f} %)")
            before, now = production_kib(idle_rows) / 1024, production_kib(after_rows) / 1024
            growth = (now - before) / before * 100
            print(f"\nproduction processes: {before:.1f} MB idle (goal <= {PRODUCTION_GOAL_MB}), {now:.1f} MB after "
                  f"the traffic ({growth:+.1f} %, goal <= {GROWTH_GOAL_PERCENT} %)")
            supervisor = idle.get("up (supervisor)", 0) / 1024
            print(f"supervisor {supervisor:.1f} MB (goal <= {SUPERVISOR_GOAL_MB})")
            gone = {pid for _, pid, _ in idle_rows} - {pid for _, pid, _ in after_rows}
            met = before <= PRODUCTION_GOAL_MB and growth <= GROWTH_GOAL_PERCENT and supervisor <= SUPERVISOR_GOAL_MB
            print("goals met" if met else "goals NOT met")
            if gone:
                print(f"processes gone during the traffic: {sorted(gone)}")
            return 1 if gone else 0
        finally:
            os.killpg(up.pid, signal.SIGTERM)
            try:
                up.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(up.pid, signal.SIGKILL)
            log.close()


if __name__ == "__main__":
    sys.exit(main())
