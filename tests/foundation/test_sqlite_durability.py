"""SQLite's durability setting: what ``database.sqlite-synchronous`` promises, on real database files."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from config import load_settings
from config.loader import ConfigError
from models import Database

ROOT = Path(__file__).resolve().parents[2]


def synchronous_level(database: Database) -> int:
    with database.engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA synchronous").scalar_one()


@pytest.mark.parametrize(("setting", "level"), [("normal", 1), ("full", 2)])
def test_every_connection_runs_at_the_configured_level(tmp_path, monkeypatch, setting, level):
    monkeypatch.setenv("IMBRIDGE_DATABASE__URL", f"sqlite:///{tmp_path / 'imbridge.db'}")
    monkeypatch.setenv("IMBRIDGE_DATABASE__SQLITE_SYNCHRONOUS", setting)
    database = Database.from_settings(load_settings(None))
    try:
        assert synchronous_level(database) == level
        with database.engine.connect() as first, database.engine.connect() as second:  # two pooled connections
            assert {c.exec_driver_sql("PRAGMA synchronous").scalar_one() for c in (first, second)} == {level}
            assert first.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    finally:
        database.dispose()


def test_the_default_is_normal(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'imbridge.db'}")
    try:
        assert synchronous_level(database) == 1
    finally:
        database.dispose()


def test_an_unknown_level_is_a_configuration_error(tmp_path, monkeypatch):
    monkeypatch.setenv("IMBRIDGE_DATABASE__SQLITE_SYNCHRONOUS", "off")
    with pytest.raises(ConfigError, match="sqlite"):
        load_settings(None)
    with pytest.raises(ValueError, match="sqlite_synchronous"):
        Database(f"sqlite:///{tmp_path / 'x.db'}", sqlite_synchronous="off")


def test_a_commit_survives_the_process_being_killed_right_after_it(tmp_path):
    """``normal`` gives up only power-loss durability: a kill -9 after the commit loses nothing."""
    url = f"sqlite:///{tmp_path / 'imbridge.db'}"
    script = textwrap.dedent(f"""
        import os, signal
        from models import Database
        database = Database({url!r})
        with database.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE marks (n INTEGER)")
        for n in range(50):
            with database.engine.begin() as connection:
                connection.exec_driver_sql("INSERT INTO marks VALUES (?)", (n,))
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    finished = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={"PYTHONPATH": str(ROOT)}, timeout=60)
    assert finished.returncode == -signal.SIGKILL
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*), max(n) FROM marks")).one() == (50, 49)
    finally:
        database.dispose()
