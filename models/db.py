"""The database handle: one engine and session factory per process."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from config import Settings

#: Connections kept open per process. A connection beyond these is closed when returned, so a process whose
#: threads (32 per ingress process, 8-16 per worker) outnumber them would connect anew on almost every request:
#: for SQLite, the pragmas and a fresh schema parse each time; for PostgreSQL, a new server backend.
SQLITE_POOL_SIZE = 32
POOL_SIZE = 20
#: Further PostgreSQL connections for bursts, closed when returned.
POOL_OVERFLOW = 20
#: ``database.sqlite-synchronous`` -> SQLite's ``PRAGMA synchronous`` level.
SQLITE_SYNCHRONOUS = {"normal": "NORMAL", "full": "FULL"}


def _sqlite_pragmas(synchronous: str) -> Callable[..., None]:
    """The ``connect`` hook setting each new SQLite connection up."""
    statement = f"PRAGMA synchronous={SQLITE_SYNCHRONOUS[synchronous]}"

    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # WAL lets the ingress read while a worker writes; busy_timeout waits instead of failing on a lock.
        # In WAL mode, NORMAL syncs the log at checkpoints rather than at every commit: the writer holds the
        # lock for microseconds instead of a disk flush, and every other writer waits that much less.
        cursor = dbapi_connection.cursor()
        # Before anything else: it takes effect only on a new file (see models.sqlite_space), so freed pages can
        # be given back in small steps instead of a VACUUM that locks the whole database.
        cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute(statement)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return on_connect


#: After an immediate unit on SQLite, stay away from the lock as long as it was held, up to this many seconds.
MAX_YIELD_SECONDS = 0.25


def _private_file(path: Path) -> None:
    """Create the SQLite file (and its directory) for its owner only, before SQLite does with mode 0644.

    The database holds API key hashes, robot and user records; SQLite gives its ``-wal`` and ``-shm`` files the
    database file's mode, so they are private too. A file that exists already keeps the mode it has.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (the driver we install)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Database:
    """An engine plus a session factory; ``session()`` is a unit of work that commits or rolls back."""

    def __init__(self, url: str, *, echo: bool = False, sqlite_synchronous: str = "normal") -> None:
        if sqlite_synchronous not in SQLITE_SYNCHRONOUS:
            raise ValueError(f"sqlite_synchronous must be one of {sorted(SQLITE_SYNCHRONOUS)}")
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        if parsed.get_backend_name() == "sqlite":
            pool: dict[str, int] = {}
            if parsed.database and parsed.database != ":memory:":
                _private_file(Path(parsed.database))
                pool = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_SIZE}  # (a file: QueuePool)
            self.engine: Engine = create_engine(self.url, echo=echo, connect_args={"timeout": 10}, **pool)
            event.listen(self.engine, "connect", _sqlite_pragmas(sqlite_synchronous))
        else:
            self.engine = create_engine(self.url, echo=echo, pool_pre_ping=True, pool_size=POOL_SIZE,
                                        max_overflow=POOL_OVERFLOW)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The configured database (``database.url``, ``database.sqlite-synchronous``)."""
        return cls(settings.database_url, sqlite_synchronous=settings.database.sqlite_synchronous)

    @contextmanager
    def session(self, *, immediate: bool = False) -> Iterator[Session]:
        """A unit of work.

        :param immediate: the unit reads, then writes, under savepoints. SQLite runs a savepoint opened outside a
            transaction as a transaction of its own, and one that read first cannot become a writer once another
            connection has committed: "database is locked" at once, whatever the busy timeout. So on SQLite
            this takes the write lock up front (``BEGIN IMMEDIATE``, waiting up to the busy timeout) and the
            whole unit is one transaction; elsewhere it changes nothing. Other writers wait for the lock in
            SQLite's busy handler, which polls (every 100 ms at length) rather than queues, so a caller looping
            over such units would hold it nearly always and starve them past their timeout: after the unit, this
            sleeps as long as it held the lock (at most ``MAX_YIELD_SECONDS``).
        """
        session = self._sessions()
        locked_at = None
        try:
            if immediate and self.engine.dialect.name == "sqlite":
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
                locked_at = time.monotonic()
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            if locked_at is not None:
                time.sleep(min(time.monotonic() - locked_at, MAX_YIELD_SECONDS))

    def ping(self) -> None:
        """Raise if the database cannot answer ``SELECT 1``."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
