"""Giving the space of deleted rows back to the file system, on SQLite.

SQLite keeps freed pages for reuse; the file only shrinks by a vacuum. A full ``VACUUM`` rewrites the whole file
under an exclusive lock (seconds to minutes on a large database: intake would stall), so databases run with
``auto_vacuum=INCREMENTAL`` (set on every new file, :mod:`models.db`) and the retention prune frees pages in small
``PRAGMA incremental_vacuum(N)`` steps, each a short write transaction. A database created before that setting
is converted once by :func:`enable_incremental_vacuum` (``imbridge migrate`` does it: one ``VACUUM``).
"""

from __future__ import annotations

import time

from models.db import Database

#: ``PRAGMA auto_vacuum`` value of incremental mode.
INCREMENTAL = 2
#: Pages (4 KiB each by default) freed per step: 4 MiB, some 25 ms of the write lock on a 2-core machine.
PAGES_PER_STEP = 1024


def _pragma(database: Database, name: str) -> int:
    with database.engine.connect() as connection:
        return int(connection.exec_driver_sql(f"PRAGMA {name}").scalar() or 0)


def is_sqlite(database: Database) -> bool:
    return database.engine.dialect.name == "sqlite"


def enable_incremental_vacuum(database: Database) -> bool:
    """Switch an older SQLite file to incremental vacuum (one full ``VACUUM``); whether it was switched now."""
    if not is_sqlite(database) or _pragma(database, "auto_vacuum") == INCREMENTAL:
        return False
    with database.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA auto_vacuum=INCREMENTAL")
        raw.execute("VACUUM")
    return _pragma(database, "auto_vacuum") == INCREMENTAL


def free_pages(database: Database) -> int:
    """Pages SQLite holds free inside the file (0 elsewhere)."""
    return _pragma(database, "freelist_count") if is_sqlite(database) else 0


def checkpoint(database: Database) -> None:
    """Copy the write-ahead log into the database file now, from this connection, without waiting for anyone.

    SQLite checkpoints in whichever commit crosses the log's size threshold: after a prune batch that is most
    likely the ingress's next commit, which then pays for writing the prune's pages. A writer that fills the log
    quickly (the prune) checkpoints itself (``PASSIVE``: no lock is waited for, readers and writers go on).
    """
    if is_sqlite(database):
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def give_back_space(database: Database, *, pages_per_step: int = PAGES_PER_STEP, pause_seconds: float = 0.0) -> int:
    """Return the file's free pages to the file system in small steps; how many pages were returned.

    Each step is one ``PRAGMA incremental_vacuum(N)`` statement, its own short write transaction; after it, the
    database is left alone at least as long as the step held it (and ``pause_seconds``). A no-op on PostgreSQL
    (its autovacuum does this) and on a SQLite file not in incremental mode.
    """
    if not is_sqlite(database) or _pragma(database, "auto_vacuum") != INCREMENTAL:
        return 0
    returned, before = 0, None
    with database.engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        while (free := free_pages(database)) > 0 and free != before:  # (a step that frees nothing ends it)
            before = free
            started = time.monotonic()
            # The pragma frees one page per step of its statement; executescript runs it to the end (execute()
            # would step it once: one page).
            raw.executescript(f"PRAGMA incremental_vacuum({min(free, pages_per_step)});")
            time.sleep(max(pause_seconds, time.monotonic() - started))
            returned += before - free_pages(database)
    return returned
