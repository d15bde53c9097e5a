"""``imbridge``: one command for every part of the system.

    imbridge up                      everything, on embedded defaults
    imbridge ingress|worker|scheduler|sandbox|migrate
    imbridge apikey create --name NAME --scope notify|admin
    imbridge send --channel dingtalk_robot --robot CODE --text "..."
    imbridge config check
    imbridge healthcheck [--dependencies]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from config import ConfigError, Settings, load_settings
from config.loader import CONFIG_ENV
from imbridge.var_dir import PRIVATE_UMASK

#: Commands that serve (and so log) until stopped: they log as ``logging`` in the settings says.
SERVING_COMMANDS = frozenset({"up", "ingress", "worker", "scheduler"})


def _settings(args: argparse.Namespace, *, demo_by_default: bool = False) -> Settings:
    """The settings; ``demo_by_default``: demo mode when no config file is named and ``sandbox.enabled`` unsaid."""
    settings = load_settings(args.config, demo_by_default=demo_by_default)
    if args.command in SERVING_COMMANDS:
        from core.logs import configure_logging

        configure_logging(settings.logging)
    return settings


def cmd_up(args: argparse.Namespace) -> int:
    from imbridge.embedded_redis import EmbeddedServerMissing
    from imbridge.up import run_up

    try:
        return run_up(_settings(args, demo_by_default=True), with_sandbox=not args.no_sandbox)
    except EmbeddedServerMissing as exc:
        print(f"imbridge up: {exc}", file=sys.stderr)
        return 2


def cmd_ingress(args: argparse.Namespace) -> int:
    from ingress.server import serve

    settings = _settings(args)
    if args.port:
        settings.ingress.port = args.port
    serve(settings)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    settings = _settings(args)  # fail here, clearly, rather than in every worker process
    from core.metrics_dir import serve_metrics, use_metrics_dir

    use_metrics_dir(settings.var_dir, f"worker-{os.getpid()}")  # (in the environment, for the worker processes)
    if args.processes == 1:  # nothing to lead: the worker runs here (a leader would hold 14 MB to watch it)
        if args.metrics_port:
            serve_metrics(args.metrics_port, args.metrics_host)
        from workers.process import run_worker

        return run_worker(settings, threads=args.threads, shutdown_timeout_ms=args.shutdown_timeout * 1000)
    from workers.leader import become_leader

    become_leader(["workers.main:broker", "--processes", str(args.processes), "--threads", str(args.threads),
                   "--worker-shutdown-timeout", str(args.shutdown_timeout * 1000)],
                  metrics_port=args.metrics_port, metrics_host=args.metrics_host)
    return 1  # (not reached: the leader replaces this process)


def cmd_scheduler(args: argparse.Namespace) -> int:
    from core.metrics_dir import serve_metrics, use_metrics_dir

    settings = _settings(args)
    use_metrics_dir(settings.var_dir, f"scheduler-{os.getpid()}")
    if args.metrics_port:
        serve_metrics(args.metrics_port, args.metrics_host)
    from core.runtime import Runtime
    from scheduler.process import run_scheduler

    run_scheduler(Runtime.from_settings(settings))
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    from sandbox.cli import run

    return run(args, _settings(args, demo_by_default=True))  # the fake platforms: the demo's unless configured


def cmd_migrate(args: argparse.Namespace) -> int:
    from config.loader import ensure_secret_key
    from models import Database
    from models.migrate import current_revisions, upgrade

    settings = _settings(args)
    ensure_secret_key(settings)
    database = Database.from_settings(settings)
    upgrade(database)
    print(f"database at revision {', '.join(sorted(current_revisions(database)))}")
    from models.sqlite_space import enable_incremental_vacuum

    if enable_incremental_vacuum(database):  # an older SQLite file: once, so retention can give space back
        print("SQLite file switched to incremental vacuum")
    return 0


def cmd_apikey(args: argparse.Namespace) -> int:
    from models import Database, Scope
    from models.api_clients import NameTaken, create_api_client, list_api_clients, revoke_api_client

    database = Database.from_settings(_settings(args))
    with database.session() as session:
        if args.apikey_command == "create":
            try:
                client, key = create_api_client(session, args.name, Scope(args.scope))
            except NameTaken as taken:
                print(f"imbridge apikey create: {taken}", file=sys.stderr)
                return 1
            print(f"API key for '{client.name}' (scope {client.scope}); shown once, store it now:")
            print(key)
        elif args.apikey_command == "list":
            print(f"{'ID':>4}  {'NAME':<24} {'SCOPE':<7} {'KEY ID':<13} {'CREATED':<17} {'LAST USED':<17} STATE")
            for client in list_api_clients(session):
                print(f"{client.id:>4}  {client.name:<24} {client.scope:<7} {client.key_id:<13} "
                      f"{_minute(client.created_at):<17} {_minute(client.last_used_at):<17} "
                      f"{'revoked' if client.revoked else 'live'}")
        elif args.apikey_command == "revoke":
            count = revoke_api_client(session, args.name)
            print(f"revoked {count} key(s)")
            return 0 if count else 1
    return 0


def _minute(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def cmd_send(args: argparse.Namespace) -> int:
    from imbridge import send_remote

    if send_remote.wanted(args):
        return send_remote.run(args)
    from imbridge.send import run
    from imbridge.var_dir import RUNNING_DEMO_FILE

    settings = _settings(args)
    if (settings.var_dir / RUNNING_DEMO_FILE).exists():
        # The `imbridge up` of this directory runs the demo: its channels are the demo's (still only with no
        # config file named and sandbox.enabled unsaid, as for `up` itself).
        settings = _settings(args, demo_by_default=True)
    return run(args, settings)


def cmd_config_check(args: argparse.Namespace) -> int:
    from imbridge.checks import check_settings

    return check_settings(_settings(args, demo_by_default=True))  # as `imbridge up` would run


def cmd_healthcheck(args: argparse.Namespace) -> int:
    from imbridge.healthcheck import run

    return run(_settings(args), url=args.url, dependencies=args.dependencies)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("imbridge")
    except PackageNotFoundError:
        return "(not installed)"


def _metrics_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--metrics-port", type=int, default=0,
                        help="serve this process's Prometheus metrics on this port (default: off; under "
                             "`imbridge up` the ingress's /metrics shows them)")
    parser.add_argument("--metrics-host", default="127.0.0.1", help="address for --metrics-port")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="imbridge", description="imbridge: one command for every part of the system.",
        epilog="Any setting can also come from the environment as IMBRIDGE_<SECTION>__<KEY> "
               "(for example IMBRIDGE_REDIS__URL=redis://host:6379/0 or IMBRIDGE_INGRESS__PORT=8080); "
               "the environment wins over the file.")
    parser.add_argument("--version", action="version", version=f"imbridge {_version()}")
    parser.add_argument("--config", help=f"YAML config file (default: ${CONFIG_ENV}, else none)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser("up", help="run everything on embedded defaults")
    up.add_argument("--no-sandbox", action="store_true", help="do not start the sandbox platforms")
    up.set_defaults(handler=cmd_up)

    ingress = commands.add_parser("ingress", help="serve the HTTP ingress")
    ingress.add_argument("--port", type=int, help="listen on this port (default: ingress.port, 8000)")
    ingress.set_defaults(handler=cmd_ingress)

    worker = commands.add_parser("worker", help="run Dramatiq workers")
    worker.add_argument("--processes", type=int, default=2,
                        help="worker processes (default 2; with 1, the worker runs in this process, no leader)")
    worker.add_argument("--threads", type=int, default=8, help="threads per process (default 8)")
    worker.add_argument("--shutdown-timeout", type=int, default=10, help="seconds to finish running jobs")
    _metrics_options(worker)
    worker.set_defaults(handler=cmd_worker)

    scheduler = commands.add_parser("scheduler", help="run the scheduler")
    _metrics_options(scheduler)
    scheduler.set_defaults(handler=cmd_scheduler)
    commands.add_parser("migrate", help="migrate the database").set_defaults(handler=cmd_migrate)

    sandbox = commands.add_parser("sandbox", help="the fake platforms: serve, or play the platform")
    from imbridge.sandbox_args import configure_parser as configure_sandbox

    configure_sandbox(sandbox)
    sandbox.set_defaults(handler=cmd_sandbox)

    apikey = commands.add_parser("apikey", help="manage API keys")
    apikey_commands = apikey.add_subparsers(dest="apikey_command", required=True, metavar="ACTION")
    create = apikey_commands.add_parser("create", help="create a key (printed once)")
    create.add_argument("--name", required=True, help="who uses the key (unique among live keys)")
    create.add_argument("--scope", choices=["notify", "admin"], required=True,
                        help="notify: send notifications; admin: everything")
    apikey_commands.add_parser("list", help="list keys (never the keys themselves), live and revoked")
    revoke = apikey_commands.add_parser(
        "revoke", help="revoke every key of a name (or an id); running ingresses refuse it within 5 s")
    revoke.add_argument("name", help="the key's name, or its numeric id from `apikey list`")
    apikey.set_defaults(handler=cmd_apikey)

    send = commands.add_parser("send", help="enqueue a notification from the shell")
    from imbridge.send_args import configure_parser as configure_send

    configure_send(send)
    send.set_defaults(handler=cmd_send)

    health = commands.add_parser("healthcheck", help="exit 0 when this part works (for a container engine)")
    health.add_argument("--url", help="the ingress's readiness URL (default: http://127.0.0.1:<ingress.port>/readyz)")
    health.add_argument("--dependencies", action="store_true",
                        help="a worker or scheduler: check that Redis and the database answer instead")
    health.set_defaults(handler=cmd_healthcheck)

    config = commands.add_parser("config", help="inspect the configuration")
    config_commands = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    config_commands.add_parser("check", help="print the effective settings (secrets masked) and check them")
    config.set_defaults(handler=cmd_config_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.config:
        os.environ[CONFIG_ENV] = args.config  # child processes read the same file
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("apscheduler", "httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    # var/ holds the database, tokens and keys: what any command (and any child of ``up``) creates is private.
    umask = os.umask(PRIVATE_UMASK)
    try:
        return args.handler(args)
    except ConfigError as exc:
        print("imbridge: invalid configuration:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        os.umask(umask)  # (for a caller that runs commands in-process, as the tests do)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
