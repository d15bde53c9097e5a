"""What every end-to-end benchmark needs: Redis, a database, imbridge's real processes, and /proc readings.

``dispatch``, ``chaos`` and ``soak`` start ``imbridge sandbox``, ``imbridge ingress``, workers and the scheduler
as child processes with one environment, read their CPU and memory from /proc, kill and restart them.

    with embedded_valkey(var) as valkey, database_url(None, var) as dburl:
        key = prepare_database(dburl, secret_key, robots=("bench",))
        processes = Processes(imbridge_env(valkey.url, dburl, secret_key, var), var)
        processes.start("sandbox", [sys.executable, "-m", "imbridge", "sandbox"])
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import redis
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from config import demo  # noqa: E402
from imbridge.embedded_redis import EmbeddedRedis  # noqa: E402
from models import Database, Scope  # noqa: E402
from models.api_clients import create_api_client  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from models.robots import Robot, seal_credentials  # noqa: E402
from models.secretbox import SecretBox  # noqa: E402

#: The command line of each imbridge part, as a deployment runs it.
IMBRIDGE = [sys.executable, "-m", "imbridge"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: {what} did not happen within {timeout:g} s")
        time.sleep(interval)


def answers(url: str) -> bool:
    """``url`` answers 200 now."""
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def embedded_valkey(var: Path) -> Iterator[EmbeddedRedis]:
    """A private Valkey (AOF on, as ``imbridge up`` runs it) that a benchmark may crash and restart."""
    server = EmbeddedRedis(var / "valkey")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def redis_url(given: str | None, var: Path) -> Iterator[str]:
    """``given`` (flushed first) or an embedded Valkey's URL."""
    if given:
        redis.Redis.from_url(given).flushdb()
        yield given
        return
    with embedded_valkey(var) as server:
        yield server.url


@contextlib.contextmanager
def database_url(given: str | None, var: Path) -> Iterator[str]:
    """SQLite under ``var``, or a private schema of the PostgreSQL database ``given`` (dropped afterwards)."""
    if not given:
        yield f"sqlite:///{var / 'bench.db'}"
        return
    schema = f"imbridge_bench_{secrets.token_hex(4)}"
    admin = Database(given)
    with admin.engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{given}{'&' if '?' in given else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def prepare_database(url: str, secret_key: str, robots: Sequence[str] = ("bench",),
                     wecom_robots: Sequence[str] = ()) -> str:
    """Migrate, add DingTalk robots (the sandbox's signed demo robot) and WeCom robots under the given codes;
    returns a new ``notify`` API key."""
    database = Database(url)
    upgrade(database)
    box = SecretBox(secret_key)
    with database.session() as session:
        _, key = create_api_client(session, "bench", Scope.NOTIFY)
        for code in robots:
            robot = Robot(platform="dingtalk", code=code, name=code)
            seal_credentials(robot, box, demo.DINGTALK_ROBOT_TOKEN, demo.DINGTALK_ROBOT_SECRET)
            session.add(robot)
        for code in wecom_robots:
            robot = Robot(platform="wecom", code=code, name=code)
            seal_credentials(robot, box, demo.WECOM_ROBOT_KEY, None)
            session.add(robot)
    database.dispose()
    return key


def imbridge_env(redis: str, database: str, secret_key: str, var: Path, **settings: str) -> dict[str, str]:
    """The environment of every child: this shell's minus its ``IMBRIDGE_*``, plus ours
    (``settings`` as ``IMBRIDGE_<KEY>``, e.g. ``NOTIFICATIONS__LEASE_SECONDS="20"``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMBRIDGE_")}
    env.update(PYTHONPATH=str(ROOT), IMBRIDGE_REDIS__URL=redis, IMBRIDGE_DATABASE__URL=database,
               IMBRIDGE_SECURITY__SECRET_KEY=secret_key, IMBRIDGE_VAR_DIR=str(var),
               IMBRIDGE_SANDBOX__ENABLED="true")  # the sandbox plays every platform, with the demo credentials
    env.update({f"IMBRIDGE_{name}": value for name, value in settings.items()})
    return env


def die_with_parent() -> None:
    """In the child: get SIGTERM when the bench dies, however it dies (Linux), so nothing keeps consuming."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command name (state is [0], ppid [1], utime [11], rss [21])."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    try:
        fields = _stat(pid)
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int:
    """Resident memory of one process (0 once it is gone)."""
    try:
        return int(_stat(pid)[21]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError):
        return 0


def tree(pid: int) -> list[int]:
    """``pid`` and every live process below it (parent links from /proc), parents before children."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
    found, stack = [pid], [pid]
    while stack:
        for child in sorted(children.get(stack.pop(), [])):
            found.append(child)
            stack.append(child)
    return found


class Processes:
    """Named child processes, each in its own session (process group), all stopped on exit.

    :param env: the environment of every child (see :func:`imbridge_env`).
    :param logs: each child's output goes to ``<logs>/<name>.log`` (appended across restarts).
    """

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.argv: dict[str, list[str]] = {}

    @property
    def names(self) -> list[str]:
        return list(self.children)

    def start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the child's life
        self.argv[name] = argv
        self.children[name] = subprocess.Popen(argv, env=self.env, cwd=ROOT, start_new_session=True, stdout=log,
                                               stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        return self.children[name]

    def restart(self, name: str) -> subprocess.Popen[bytes]:
        """Start ``name`` again with its command line (after it died or was stopped)."""
        self.stop(name)
        return self.start(name, self.argv[name])

    def pids(self, name: str) -> list[int]:
        """The process tree of ``name``: its main process first."""
        return tree(self.children[name].pid)

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by each child's process tree, and by this bench (the REST clients)."""
        used = {name: sum(cpu_seconds(p) for p in self.pids(name)) for name in self.children}
        used["bench"] = cpu_seconds(os.getpid())
        return used

    def stop(self, name: str | None = None, timeout: float = 20) -> None:
        """Stop ``name`` (or every child): SIGTERM to its group, SIGKILL after ``timeout`` seconds."""
        children = [self.children[name]] if name else list(self.children.values())
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()


def start_imbridge(processes: Processes, workers: dict[str, list[str]], sandbox: str, ingress: str,
                   scheduler: bool = False) -> None:
    """Start the sandbox, the ingress, the named workers (their command lines) and maybe the scheduler; return
    once the sandbox and the ingress answer."""
    processes.start("sandbox", [*IMBRIDGE, "sandbox"])
    processes.start("ingress", [*IMBRIDGE, "ingress"])
    for name, argv in workers.items():
        processes.start(name, argv)
    if scheduler:
        processes.start("scheduler", [*IMBRIDGE, "scheduler"])
    wait_until(lambda: answers(f"{sandbox}/_sandbox/health"), 60, "the sandbox starting")
    wait_until(lambda: answers(f"{ingress}/readyz"), 60, "the ingress starting")
