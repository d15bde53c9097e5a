"""Shared fixtures: a real Redis, a real database and the sandbox for every suite.

Redis: ``$REDIS_URL`` when set, else an embedded Valkey server started once per session.
Database: SQLite in a temporary directory; ``$DATABASE_URL`` (PostgreSQL) adds a second run of database tests.
Sandbox: ``sandbox`` serves it in a thread once per module (``tests/sandbox_support.py``); ``control`` is its
control API reset for the test, ``sandbox_url`` its address. ``tests/sandbox`` (the sandbox's own suite) is the
exception: there ``client`` is the sandbox's app in process, and ``test_server.py`` starts its server entry points.

What the common names mean (each suite's conftest builds them for its deployment):

* ``runtime`` - always a :class:`core.runtime.Runtime`: the deployment under test (its settings, Redis, database,
  platform clients). Suites differ only in the settings: ``notifications`` and ``wechat_admin`` point it at the
  sandbox with fast retry budgets (override ``notification_settings`` / ``job_settings`` / ``platform_settings``
  in a module); ``login`` adds a small QR pool (``login_overrides``, ``sections``); ``portals`` adds callback
  settings (``sections``); foundation modules build a bare one.
* ``client`` - a ``falcon.testing.TestClient`` on the ingress of ``runtime`` (``login``, ``portals``,
  ``foundation``). In ``tests/sandbox`` it is the sandbox's app instead (see above).
* ``app`` - in ``notifications`` and ``wechat_admin`` (and their ``post``/``api`` helpers) the same
  ``TestClient`` as ``client`` elsewhere, under its older name (200-odd uses); in
  ``hostile/test_chunked_bodies.py`` the ``falcon.App`` with its key and settings, sent raw chunked bodies.
* ``worker``, ``keys``, ``admin``, ``tasks``, ``actor_context`` - defined once below, on the suite's ``runtime``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

#: No secret in any log line or ingress response of the session (see the module).
pytest_plugins = ("tests.secret_guard",)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _no_imbridge_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests build their settings explicitly; nothing leaks in from the shell or from another test."""
    for name in list(os.environ):
        if name.startswith("IMBRIDGE_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("IMBRIDGE_CONFIG", raising=False)
    yield
    # What the code under test set itself (``imbridge.cli.main`` exports IMBRIDGE_CONFIG) goes too; the
    # shell's own values come back when monkeypatch undoes the deletions above.
    for name in list(os.environ):
        if name.startswith("IMBRIDGE_"):
            del os.environ[name]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield _own_database(url)
        return
    from imbridge.embedded_redis import EmbeddedRedis

    server = EmbeddedRedis(tmp_path_factory.mktemp("valkey"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def _own_database(url: str) -> str:
    """Under pytest-xdist each worker flushes a database of its own: ``gw0`` takes the URL's db + 1, ``gw1`` + 2..."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    base, _, db = url.rpartition("/")
    if not db.isdigit():
        base, db = url.rstrip("/"), "0"
    number = int(db) + int(worker[2:]) + 1
    if number > 15:
        raise RuntimeError(f"too many xdist workers for one Redis: {worker} would need db {number}")
    return f"{base}/{number}"


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """A client on a clean database (tests own db 0..15 while they run; we flush the one we use)."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def _database_params() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("DATABASE_URL") else ["sqlite"]


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str | None]:
    """A private schema in ``$DATABASE_URL`` for this test session, dropped afterwards."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield None
        return
    import secrets

    from sqlalchemy import text

    from models.db import Database

    schema = f"imbridge_test_{secrets.token_hex(4)}"
    admin = Database(url)
    with admin.engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"
    with admin.engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file for the session: each test's database is a copy (``tests/databases.py``)."""
    from tests.databases import migrated_sqlite_file

    return migrated_sqlite_file(tmp_path_factory.mktemp("migrated-sqlite"))


@pytest.fixture(scope="session")
def migrated_postgresql(postgres_schema_url: str | None) -> str | None:
    """The session's PostgreSQL schema, migrated once; each test empties it (``tests/databases.py``)."""
    if postgres_schema_url:
        from models.db import Database
        from models.migrate import upgrade

        database = Database(postgres_schema_url)
        upgrade(database)
        database.dispose()
    return postgres_schema_url


@pytest.fixture(params=_database_params())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: SQLite always, PostgreSQL too when ``$DATABASE_URL`` is set."""
    from tests.databases import emptied_postgresql, sqlite_copy

    if request.param == "sqlite":
        return sqlite_copy(request.getfixturevalue("migrated_sqlite"), tmp_path)
    url = request.getfixturevalue("migrated_postgresql")
    assert url
    emptied_postgresql(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_sqlite: Path) -> str:
    """A migrated SQLite database, for tests about something other than the database."""
    from tests.databases import sqlite_copy

    return sqlite_copy(migrated_sqlite, tmp_path)


@pytest.fixture
def make_settings(tmp_path, redis_url: str):
    """Build settings as the demo runs: demo mode (``sandbox.enabled: true``: the sandbox plays every platform),
    this test's Redis and database. ``sandbox={"enabled": None}`` builds a deployment outside demo mode."""
    from config import load_settings

    def build(database_url: str | None = None, **sections):
        overrides = {"redis": {"url": redis_url}, "var_dir": str(tmp_path / "var")}
        if database_url:
            overrides["database"] = {"url": database_url}
        sections["sandbox"] = {"enabled": True, **sections.get("sandbox", {})}
        overrides.update(sections)
        return load_settings(None, **overrides)

    return build


# -- the sandbox as the platforms: one way of serving it for every suite (tests/sandbox_support.py) ---------------

@pytest.fixture(scope="module")
def sandbox():
    """The sandbox, served in a thread for the module: a :class:`~tests.sandbox_support.ServedSandbox` (``url``,
    ``control``, ``section`` for a deployment's ``sandbox:`` settings). Tests reset it through ``control``."""
    from tests.sandbox_support import served_sandbox

    with served_sandbox() as served:
        yield served


@pytest.fixture
def sandbox_url(sandbox) -> str:
    return sandbox.url


@pytest.fixture
def control(sandbox):
    """The sandbox's control API (``/_sandbox``), reset for this test: journal, tokens, faults and clock empty."""
    from tests.sandbox_support import reset

    return reset(sandbox.control)


@pytest.fixture
def tasks(runtime):
    """The task interface on the broker of the suite's ``runtime`` (what the ingress and the scheduler use)."""
    from core.tasks import Tasks

    tasks = Tasks.from_settings(runtime.settings)
    yield tasks
    tasks.close()


@pytest.fixture
def actor_context(runtime, tasks):
    """What a worker's actors are handed, on the suite's runtime: to call an actor's function directly."""
    from workers.context import ActorContext

    return ActorContext(runtime, tasks)


# -- fixtures every suite shares; each suite's conftest provides ``runtime`` (its deployment) ---------------------

@pytest.fixture
def worker_threads() -> int:
    """Threads of the ``worker`` fixture's Dramatiq worker; override in a suite's conftest or a module."""
    return 2


@pytest.fixture
def worker(runtime, worker_threads: int):
    """An in-process Dramatiq worker on the test's Redis, running the test's ``runtime``."""
    from tests.worker_support import running_worker

    with running_worker(runtime, threads=worker_threads) as running:
        yield running


@pytest.fixture
def keys(runtime) -> dict[str, str]:
    """API keys on the test's ``runtime``: ``admin``; ``notify`` (client "crm") and ``other`` (client "erp")."""
    from models import Scope
    from models.api_clients import create_api_client

    with runtime.database.session() as session:
        _, admin = create_api_client(session, "admin", Scope.ADMIN)
        _, notify = create_api_client(session, "crm", Scope.NOTIFY)
        _, other = create_api_client(session, "erp", Scope.NOTIFY)
    return {"admin": admin, "notify": notify, "other": other}


@pytest.fixture
def admin(keys) -> dict[str, str]:
    """The headers of the admin key of ``keys``."""
    from tests.keys import bearer

    return bearer(keys["admin"])
