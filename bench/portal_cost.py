"""Instructions per callback of ``POST /wechat/portal`` against the peer of ``bench/ingress.py``, in one process.

Wall-clock benches on a shared 2-core machine measure the neighbours as much as the code. This one calls the WSGI
apps directly (no server, no client: the server's part is the same for both), on a real Redis, and counts user-space
instructions under ``valgrind --tool=callgrind``, which are the same on a busy machine as on a quiet one. The apps
are built as the server builds them: the portal by :func:`ingress.server.load_app`, the floor and the peer by
:func:`bench.ingress.baseline_app` (Falcon answering ``success``; Falcon + wechatpy's recipe + ``SET NX`` + a
Dramatiq enqueue). Each gets N distinct safe-mode text callbacks, encrypted and signed as WeChat sends them.

The process calls ``sched_yield`` between phases and callgrind dumps its counters there (``--dump-before``), so each
phase is counted on its own: start-up and warm-up are left out without a second run. Printed: instructions per
request of the floor, the peer and the portal, the ratio peer / portal (the goal, portal >= 2.5x the peer's
requests/s, needs >= 2.5 here and more, since the server's own cost per request is added to both), Redis commands
and socket reads per request (from ``INFO``: a script's own commands count as commands, so the reads are the round
trips), the portal's instructions by shared object, and the portal's parts each run alone (``--parts``). The
inbound drain's signal is held up throughout, as it is for all but one callback in two seconds under load (the
wake, a Dramatiq message, is a part of its own). Phases start from a collected heap, with a fixed hash seed:
identical runs agree within about 2k instructions a request.

Measured (issue 19, 200 callbacks each): floor 60k, peer 1,069k, portal 525k a request (551k before this branch's
cuts): peer / portal 2.04. The portal makes 1 round trip a callback (the peer 2) and 4 system calls (the peer 16).
Of the portal's 525k, the app's middleware, error handling and router take about 63k (the same resource in a bare
``falcon.App``: 461k); verification and decryption 186k, the claim with its JSON 66k.

Not counted: the kernel (system calls, switches to Redis) and the Redis server's own CPU, the same kind of work for
both apps. ``--syscalls`` runs the same phases under ``strace -f`` instead and prints system calls per request.

    python bench/portal_cost.py [--messages 500] [--parts] [--syscalls] [--profile] [--keep]

``--profile``: no valgrind; cProfile of the portal phase, the top functions by own time. Redis: ``$REDIS_URL``
(flushed before: give it a database of its own), else an embedded server.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._support.harness import redis_url  # noqa: E402

SECRET_KEY = "bench-secret-key-0123456789abcdef"
#: Requests each app gets before counting starts (imports, compiled regexes, connections, scripts loaded).
WARM_REQUESTS = 50
#: The phases whose costs are printed as a request's, in order.
APPS = ("floor", "peer", "portal")
#: What callgrind's counts hold per dump (``--dump-before`` the marker call).
CALLGRIND = ["valgrind", "--tool=callgrind", "--dump-before=sched_yield", "--collect-systime=no"]

StartResponse = Callable[..., Any]


# -- the measured process --------------------------------------------------------------------------------------

class Phases:
    """Names the stretch of work each marker call ends; the counters of a stretch are dumped at its marker."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.redis: dict[str, dict[str, int]] = {}

    def mark(self, ended: str) -> None:
        self.names.append(ended)
        os.sched_yield()  # callgrind dumps here; strace logs it; nothing else in the process calls it

    def start(self, phase: str) -> None:
        """End the preparation of ``phase``: what follows, until ``mark(phase)``, is the phase."""
        gc.collect()  # each phase starts from a collected heap: a collection lands in the phase that caused it
        self.mark(f"prepare {phase}")


def environ(path: str, params: dict[str, str], body: str) -> dict[str, Any]:
    raw = body.encode()
    return {"REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": urlencode(params), "SERVER_NAME": "bench",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(raw), "wsgi.errors": sys.stderr, "CONTENT_LENGTH": str(len(raw)),
            "CONTENT_TYPE": "text/xml", "REMOTE_ADDR": "127.0.0.1"}


def callbacks_for(settings: Any, count: int, tag: str) -> list[Any]:
    """``count`` distinct safe-mode text callbacks (query and body), as bench/ingress.py sends them."""
    from sandbox import callbacks

    return [callbacks.build_wechat_callback(
        settings, callbacks.text_fields(settings, f"bench message {tag} {n}", openid=f"oBench{n % 500:022d}"),
        safe=True) for n in range(count)]


def call_all(app: Callable[[dict[str, Any], StartResponse], Any], environs: list[dict[str, Any]]) -> None:
    """Each request once; exits unless each answers 200 ``success``."""
    status: list[str] = []

    def start_response(given: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        status[:] = [given]

    for env in environs:
        answer = b"".join(app(env, start_response))
        if not status[0].startswith("200") or answer != b"success":
            raise SystemExit(f"bench: {env['PATH_INFO']} answered {status[0]}: {answer[:300]!r}")


def redis_stats(client: Any) -> dict[str, int]:
    info = client.info("stats")
    return {"commands": info["total_commands_processed"], "reads": info.get("total_reads_processed", 0)}


def measured(args: argparse.Namespace, phases: Phases) -> None:
    """Build the apps, warm them, then run each phase between two markers."""
    import redis

    from bench.ingress import baseline_app
    from config import load_settings
    from core.inbox import SIGNAL_KEY
    from ingress.server import load_app

    settings = load_settings(None, redis={"url": args.redis}, database={"url": args.database},
                             var_dir=args.var, security={"secret_key": SECRET_KEY}, sandbox={"enabled": True},
                             portal={"echo_text": False})
    apps = {"portal": load_app(settings)}
    apps["floor"] = apps["peer"] = baseline_app(settings)
    paths = {"portal": "/wechat/portal", "floor": "/floor", "peer": "/peer"}
    client = redis.Redis.from_url(args.redis)
    # The drain's signal stays up: under load every callback but one in two seconds finds it so (the wake, a
    # Dramatiq message, is a part of its own: --parts).
    client.set(SIGNAL_KEY, "1", px=3_600_000)
    for name in APPS:
        call_all(apps[name], [environ(paths[name], r.params, r.body)
                              for r in callbacks_for(settings, WARM_REQUESTS, f"warm-{name}")])
    parts = portal_parts(settings, args.messages) if args.parts else {}
    phases.mark("setup")

    for name in APPS:
        environs = [environ(paths[name], r.params, r.body) for r in callbacks_for(settings, args.messages, name)]
        before = redis_stats(client)
        phases.start(name)
        if args.profile and name == "portal":
            profile(apps[name], environs)
        else:
            call_all(apps[name], environs)
        phases.mark(name)
        after = redis_stats(client)
        phases.redis[name] = {k: after[k] - before[k] for k in after}
    for name, (prepare, run) in parts.items():
        prepared = prepare()
        phases.start(name)
        run(prepared)
        phases.mark(name)


def portal_parts(settings: Any, count: int) -> dict[str, tuple[Callable[[], Any], Callable[[Any], None]]]:
    """The portal's steps, each alone on ``count`` callbacks: (prepare, run) by name; only ``run`` is counted.

    Built with the same public pieces the app uses (:func:`ingress.portals.build_portals`), so a step costs here
    what it costs there; the steps' sum falls short of the whole by the resource's glue and the app's Falcon
    layer (measured apart, on ``GET /healthz``).
    """
    import logging

    import falcon

    from core.inbox import inbound_entry
    from core.log_context import log_ids
    from core.metrics import PORTAL_CALLBACKS
    from core.runtime import Runtime
    from core.tasks import Tasks
    from ingress.app import create_app
    from ingress.portals import build_portals
    from ingress.portals.ledger import namespaced_key, stamp_key
    from platforms.wechat import parse_message

    runtime, tasks = Runtime.from_settings(settings), Tasks.from_settings(settings)
    portals = build_portals(settings, runtime, tasks)
    endpoint, dispatcher = portals.wechat.endpoint, portals.dispatcher
    assert endpoint is not None
    app = create_app(settings, runtime, tasks)
    log = logging.getLogger("imbridge.ingress.portals.dispatcher")

    def health_environ() -> dict[str, Any]:
        return {"REQUEST_METHOD": "GET", "PATH_INFO": "/healthz", "QUERY_STRING": "", "SERVER_NAME": "bench",
                "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
                "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr}

    def run_health(environs: list[dict[str, Any]]) -> None:
        for env in environs:
            b"".join(app(env, lambda *a: None))

    run_health([health_environ() for _ in range(WARM_REQUESTS)])  # (falcon compiles its router on first use)
    bare = falcon.App()  # the same resource without the app's middleware, error handling or other routes
    bare.add_route("/wechat/portal", portals.wechat)

    def bare_requests() -> list[dict[str, Any]]:
        return [environ("/wechat/portal", r.params, r.body) for r in requests()]


    def requests() -> list[Any]:
        return callbacks_for(settings, count, f"part-{time.monotonic_ns()}")

    def opened() -> list[Any]:
        return [endpoint.callback.open(r.params, r.body.encode()) for r in requests()]

    def messages() -> list[tuple[Any, Any]]:
        return [(o, parse_message(o.fields)) for o in opened()]

    def entry(o: Any, message: Any, key: str) -> dict[str, Any]:
        return inbound_entry(
            platform="wechat", app=endpoint.app, msg_type=message.msg_type, event=message.event,
            event_key=message.event_key, from_user=message.from_user, to_user=message.to_user, msg_id=message.msg_id,
            dedup_key=key, create_time=message.create_time, received_at=time.time(), fields=message.fields,
            encrypted=True, handler=None, account="default")

    def entries() -> list[tuple[Any, dict[str, Any]]]:
        return [(o, entry(o, m, f"wechat:{endpoint.app}:{m.dedup_key}")) for o, m in messages()]

    def run_open(given: list[Any]) -> None:
        for r in given:
            endpoint.callback.open(r.params, r.body.encode())

    def run_parse(given: list[Any]) -> None:
        for o in given:
            parse_message(o.fields)

    def run_route(given: list[tuple[Any, Any]]) -> None:
        for _, message in given:
            handler = dispatcher.router.route(message, "wechat", "default")
            if handler is not None:
                handler.dedup_key(message), handler.label(message)

    def run_entry(given: list[tuple[Any, Any]]) -> None:
        for o, message in given:
            key = namespaced_key("wechat", endpoint.app, message.dedup_key)
            entry(o, message, key)
            stamp_key("wechat", endpoint.app, o.timestamp, o.nonce)
            endpoint.callback.stamp_lifetime(o)

    def run_claim(given: list[tuple[Any, dict[str, Any]]]) -> None:
        for o, made in given:
            dispatcher.ledger.claim(made["dedup_key"], made, stamp_key("wechat", endpoint.app, o.timestamp, o.nonce),
                                    o.digest, 300)

    def run_metrics(given: list[Any]) -> None:
        for _ in given:
            PORTAL_CALLBACKS.labels("wechat", "accepted").inc()

    def run_logging(given: list[Any]) -> None:
        for n, _ in enumerate(given):
            with log_ids(inbound=f"k{n}"):
                log.debug("callback %s %s recorded for %s", "text", "", "no handler")

    def run_answer(given: list[Any]) -> None:
        for o in given:
            endpoint.callback.answer(o, None)

    def run_wake(given: list[Any]) -> None:
        for _ in given:
            tasks.record_inbound()

    call_all(bare, bare_requests())  # warm
    return {"app: GET /healthz (Falcon, middleware, JSON answer)":
                (lambda: [health_environ() for _ in range(count)], run_health),
            "the portal resource in a bare falcon.App (no middleware)": (bare_requests, lambda e: call_all(bare, e)),
            "open: signature, AES, both XML parses, digest": (requests, run_open),
            "parse_message": (opened, run_parse),
            "route: router, dedup key, label": (messages, run_route),
            "keys and the inbound entry": (messages, run_entry),
            "claim: entry JSON + one EVALSHA round trip": (entries, run_claim),
            "metrics: PORTAL_CALLBACKS.labels().inc()": (opened, run_metrics),
            "logging: log_ids + log.debug": (opened, run_logging),
            "answer: success": (opened, run_answer),
            "wake: a record_inbound message (not per callback)": (opened, run_wake)}


def profile(app: Callable[..., Any], environs: list[dict[str, Any]]) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    call_all(app, environs)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(35)


def child(args: argparse.Namespace) -> None:
    phases = Phases()
    try:
        measured(args, phases)
    finally:
        Path(args.var, "phases.json").write_text(json.dumps({"names": phases.names, "redis": phases.redis}))


# -- the parent: Redis, the database, the measured child, the report -------------------------------------------

def callgrind_totals(path: Path) -> int:
    for line in path.read_text().splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    return 0


def self_cost_by_object(path: Path) -> Counter[str]:
    """Instructions spent in each shared object's own code (a call's inclusive cost is left out)."""
    names: dict[str, str] = {}
    costs: Counter[str] = Counter()
    current, skip = "?", False
    pattern = re.compile(r"^(c?ob)=(?:\((\d+)\))?\s*(.*)$")
    for line in path.read_text().splitlines():
        found = pattern.match(line)
        if found:
            kind, number, name = found.groups()
            if name:
                names[number] = name
            if kind == "ob":
                current = names.get(number, name) if number else name
            continue
        if line.startswith("calls="):
            skip = True
            continue
        if line[:1].isdigit() or line[:1] in "+-*":
            if not skip:
                fields = line.split()
                if len(fields) > 1:
                    costs[current] += int(fields[1])
            skip = False
    return costs


def run_child(args: argparse.Namespace, var: Path, url: str, database: str, wrapper: list[str]) -> dict[str, Any]:
    command = [*wrapper, sys.executable, __file__, "--child", "--redis", url, "--database", database,
               "--var", str(var), "--messages", str(args.messages)]
    command += ["--parts"] if args.parts else []
    command += ["--profile"] if args.profile else []
    # (a fixed hash seed: the same dict layouts, so the same instructions, run after run)
    subprocess.run(command, check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"},
                   stdout=None if args.profile else subprocess.DEVNULL)
    return json.loads((var / "phases.json").read_text())


def report_callgrind(args: argparse.Namespace, var: Path, url: str, database: str) -> None:
    out = var / "callgrind.out"
    phases = run_child(args, var, url, database, [*CALLGRIND, f"--callgrind-out-file={out}"])
    dumps = sorted(var.glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:]))
    names = phases["names"]
    if len(dumps) < len(names):
        raise SystemExit(f"bench: {len(dumps)} callgrind dumps for {len(names)} phases (something else called "
                         "sched_yield?)")
    cost = {name: callgrind_totals(dump) / args.messages for name, dump in zip(names, dumps, strict=False)}
    dump_of = dict(zip(names, dumps, strict=False))
    print(f"instructions per request (callgrind, {args.messages} distinct callbacks each, in-process WSGI):")
    for name in APPS:
        redis_use = phases["redis"][name]
        print(f"  {name:7s} {cost[name]:12,.0f}   Redis: {redis_use['commands'] / args.messages:.2f} commands, "
              f"{redis_use['reads'] / args.messages:.2f} socket reads (round trips) a request")
    peer, portal, floor = cost["peer"], cost["portal"], cost["floor"]
    print(f"peer / portal = {peer / portal:.2f} (instructions; goal for requests/s: portal >= 2.5x the peer)")
    print(f"above the floor: peer {peer - floor:,.0f}, portal {portal - floor:,.0f}, ratio "
          f"{(peer - floor) / (portal - floor):.2f}")
    objects = self_cost_by_object(dump_of["portal"])
    total = sum(objects.values())
    print("portal by shared object (own code):")
    for name, value in objects.most_common(10):
        print(f"  {value / args.messages:10,.0f}  {100 * value / total:5.1f} %  {name}")
    if args.parts:
        print("the portal's parts, each alone (instructions per callback):")
        for name in names:
            if name not in APPS and not name.startswith(("prepare", "setup")):
                print(f"  {cost[name]:10,.0f}  {name}")
    if args.keep:
        print(f"callgrind dumps kept in {var} (callgrind_annotate {dump_of['portal']})")


def report_syscalls(args: argparse.Namespace, var: Path, url: str, database: str) -> None:
    trace = var / "strace.txt"
    phases = run_child(args, var, url, database, ["strace", "-f", "-qq", "-o", str(trace)])
    segments: list[Counter[str]] = [Counter()]
    call = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?(\w+)\(")
    for line in trace.read_text().splitlines():
        found = call.match(line)
        if not found:
            continue
        if found.group(1) == "sched_yield":
            segments.append(Counter())
        else:
            segments[-1][found.group(1)] += 1
    for name, counts in zip(phases["names"], segments, strict=False):
        if name in APPS:
            top = ", ".join(f"{k} {v / args.messages:.2f}" for k, v in counts.most_common(6))
            print(f"  {name:7s} {sum(counts.values()) / args.messages:6.2f} system calls a request ({top})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=500, help="distinct callbacks per app (and per part)")
    parser.add_argument("--parts", action="store_true", help="also count the portal's steps, each alone")
    parser.add_argument("--syscalls", action="store_true", help="system calls per request (strace) instead")
    parser.add_argument("--profile", action="store_true", help="cProfile of the portal phase instead (no valgrind)")
    parser.add_argument("--keep", action="store_true", help="keep the callgrind dumps")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--redis", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--var", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    from models import Database
    from models.migrate import upgrade

    var = Path(tempfile.mkdtemp(prefix="imbridge-portal-cost-"))
    with redis_url(os.environ.get("REDIS_URL"), var) as url:
        database = f"sqlite:///{var / 'bench.db'}"
        upgrade(Database(database))
        if args.profile:
            run_child(args, var, url, database, [])
        elif args.syscalls:
            report_syscalls(args, var, url, database)
        else:
            report_callgrind(args, var, url, database)


if __name__ == "__main__":
    main()
