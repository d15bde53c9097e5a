"""``imbridge up``: the whole system on embedded defaults, in one command.

This process does the preparation (settings, the embedded Valkey, migrations, the demo's key and robots), which
needs most of the code base, and then replaces itself (``exec``, the same pid) with :mod:`imbridge.supervisor`,
which imports only the standard library: the process that stays up to watch the others holds little memory.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

from config import Settings
from config.loader import ensure_secret_key
from config.masking import mask_url
from core.metrics_dir import MULTIPROC_ENV, fresh_metrics_dir
from imbridge.checks import demo_warnings, platform_summary
from imbridge.demo_robots import ensure_demo_robots
from imbridge.embedded_redis import EmbeddedRedis
from imbridge.supervisor import PLAN_FILE, Plan
from imbridge.var_dir import RUNNING_DEMO_FILE, RUNNING_REDIS_URL_FILE, make_private, write_private
from models import Database, Scope
from models.api_clients import create_api_client
from models.migrate import upgrade

#: The user ``up`` binds to the sandbox's demo follower for the QR-login demo.
DEMO_LOGIN_USERNAME = "demo"
#: Under var/: the demo's admin key (the banner shows it only on a terminal: logs keep what it prints).
DEMO_API_KEY_FILE = "demo-api-key"


def _demo_api_key(settings: Settings, database: Database) -> str:
    """An admin key for the demo, created once and kept (owner-readable) under var/ so it can be shown again."""
    path = settings.var_dir / DEMO_API_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    with database.session() as session:
        _, key = create_api_client(session, "demo", Scope.ADMIN)
    write_private(path, key)
    return key


def _uses_sandbox(settings: Settings) -> bool:
    third = settings.third
    bases = [third.wechat.api_base_url, third.wecom.api_base_url, third.ding_talk.api_base_url]
    return any(base.startswith(settings.sandbox_url) for base in bases)


def _wechat_is_sandbox(settings: Settings) -> bool:
    return settings.third.wechat.api_base_url.startswith(settings.sandbox_url)


def _demo_login_user(database: Database) -> None:
    """A user bound to the sandbox's demo follower, so a scan by ``imbridge sandbox scan`` logs in on /demo/qr-login."""
    from models.users import BindingConflict, BindingPlatform, bind_account, ensure_user
    from sandbox.callbacks import DEMO_OPENID

    with database.session() as session:
        user = ensure_user(session, DEMO_LOGIN_USERNAME, "Demo User")
        with contextlib.suppress(BindingConflict):  # an operator bound the demo follower elsewhere: keep that
            bind_account(session, user.id, BindingPlatform.WECHAT, DEMO_OPENID)


def run_up(settings: Settings, *, with_sandbox: bool = True) -> int:
    make_private(settings.var_dir)
    ensure_secret_key(settings)
    env = dict(os.environ)
    env["IMBRIDGE_VAR_DIR"] = str(settings.var_dir)
    # One metrics directory for every child: the ingress's /metrics shows the workers' and scheduler's numbers.
    env[MULTIPROC_ENV] = str(fresh_metrics_dir(settings.var_dir.resolve() / "metrics" / "up"))
    os.environ.pop(MULTIPROC_ENV, None)  # (fresh_metrics_dir names it here too; up itself counts nothing)
    demo_note = settings.var_dir / RUNNING_DEMO_FILE
    demo_note.unlink(missing_ok=True)  # (a crashed predecessor's)
    if settings.demo:
        # The children read the settings again, from the same file (or none): demo mode must reach them too.
        env["IMBRIDGE_SANDBOX__ENABLED"] = "true"
    embedded: EmbeddedRedis | None = None
    if not settings.redis.url:
        embedded = EmbeddedRedis(settings.var_dir / "valkey")
        embedded.start()
        settings.redis.url = embedded.url
        # So that `imbridge send` from another shell in this directory finds the running demo's Redis.
        write_private(settings.var_dir / RUNNING_REDIS_URL_FILE, embedded.url)
        env["IMBRIDGE_REDIS__URL"] = embedded.url

    python = [sys.executable, "-m", "imbridge"]
    children: list[tuple[str, list[str]]] = []
    if with_sandbox and settings.sandbox.enabled is not False and _uses_sandbox(settings):
        children.append(("sandbox", [*python, "sandbox"]))
    children += [
        ("ingress", [*python, "ingress"]),
        ("worker", [*python, "worker", "--processes", "1", "--threads", "8"]),
        ("scheduler", [*python, "scheduler"]),
    ]
    stop_requested: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda signum, _frame: stop_requested.append(signum))
    handed_over = False
    try:
        database = Database.from_settings(settings)
        upgrade(database)
        key = _demo_api_key(settings, database)
        if settings.demo and _uses_sandbox(settings):
            ensure_demo_robots(settings, database)
        if settings.demo and _wechat_is_sandbox(settings):
            _demo_login_user(database)
        database.dispose()
        if settings.demo:  # `imbridge send` from another shell in this directory sends to the demo's channels
            write_private(demo_note, "the imbridge up of this directory runs the demo\n")
        leftovers = [str(demo_note)]
        if embedded is not None:
            leftovers.append(str(settings.var_dir / RUNNING_REDIS_URL_FILE))
        plan = Plan(children=children, env=env, banner=_banner(settings, key, sandbox=children[0][0] == "sandbox",
                                                                 embedded=embedded),
                    warnings=[f"imbridge up: warning: {warning}" for warning in demo_warnings(settings)],
                    keeper_pid=embedded.keeper_pid if embedded is not None else None, leftovers=leftovers,
                    ready_url=f"http://{settings.ingress.host}:{settings.ingress.port}/healthz")
        if stop_requested:
            return 0
        plan_path = settings.var_dir.resolve() / PLAN_FILE
        write_private(plan_path, plan.dumps())
        handed_over = True
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, "-m", "imbridge.supervisor", str(plan_path)])
    finally:
        if not handed_over:
            if embedded is not None:
                embedded.stop()
                (settings.var_dir / RUNNING_REDIS_URL_FILE).unlink(missing_ok=True)
            demo_note.unlink(missing_ok=True)
            print("imbridge up: stopped", flush=True)
    return 1  # (not reached: exec does not return)


def print_banner(settings: Settings, key: str, *, sandbox: bool, embedded: EmbeddedRedis | None) -> None:
    """What ``up`` tells whoever started it: the addresses and where the admin key is (the key itself only on a
    terminal, never into a log)."""
    print(_banner(settings, key, sandbox=sandbox, embedded=embedded), flush=True)
    for warning in demo_warnings(settings):
        print(f"imbridge up: warning: {warning}", file=sys.stderr, flush=True)


def command_shown() -> str:
    """How to run this same ``imbridge`` from this directory (``.venv/bin/imbridge`` when it is not on PATH)."""
    import shutil

    invoked = sys.argv[0] if sys.argv and sys.argv[0].endswith("imbridge") else "imbridge"
    on_path = shutil.which("imbridge")
    if on_path and os.path.realpath(on_path) == os.path.realpath(invoked):
        return "imbridge"
    relative = os.path.relpath(invoked)
    return relative if not relative.startswith("..") else invoked


def _banner(settings: Settings, key: str, *, sandbox: bool, embedded: EmbeddedRedis | None) -> str:
    ingress = f"http://{settings.ingress.host}:{settings.ingress.port}"
    key_path = settings.var_dir / DEMO_API_KEY_FILE
    # Where stdout is kept (journald, a container's log, a file), the key would be kept with it: shown on a
    # terminal only.
    if sys.stdout.isatty():
        key_line = f"  API key     {key}   (admin scope; kept in {key_path})"
    else:
        key_line = f"  API key     in {key_path}   (admin scope; shown here on a terminal only)"
    lines = [
        "",
        "imbridge is up",
        f"  admin page  {ingress}/admin   (sign in with the API key below)",
        f"  ingress     {ingress}   (health {ingress}/readyz, metrics {ingress}/metrics, API {ingress}/openapi.json)",
        f"  redis       {mask_url(settings.redis.url or '')}"
        + ("   (embedded Valkey, data in var/valkey)" if embedded else ""),
        f"  database    {mask_url(settings.database_url)}",
        f"  platforms   {platform_summary(settings)}",
    ]
    if sandbox:
        lines.append(f"  sandbox     {settings.sandbox_url}   (what the platforms received: {settings.sandbox_url}"
                     "/_sandbox/journal)")
    lines += [
        key_line,
        f"  try         curl -X POST -H \"Authorization: Bearer $(cat {key_path})\" {ingress}/api/v1/ping",
    ]
    if settings.demo:
        command = command_shown()
        elsewhere = "" if ingress == "http://127.0.0.1:8000" else f" --ingress {ingress}"
        lines += [
            f"  notify      {command} send --channel dingtalk_robot --robot demo-dingtalk --text 'hello' --wait"
            "   (more in the README)",
            f"  QR login    {ingress}/demo/qr-login   (then: {command} sandbox scan --key <key shown on the page>"
            f"{elsewhere})",
        ]
    lines += ["Ctrl-C stops everything.", ""]
    return "\n".join(lines)
