"""``imbridge worker``: with one process the worker runs in the command's own process (no leader above it); with
more, Dramatiq's leader forks them. Either stops gracefully on SIGTERM and starts again in place on SIGHUP."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import redis

from core.ping import ping_seen
from core.tasks import Tasks
from tests.waiting import stop_group, wait_for

ROOT = Path(__file__).resolve().parents[2]


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


@contextlib.contextmanager
def worker_command(tmp_path: Path, make_settings, sqlite_url: str, redis_url: str,
                   processes: int, threads: int) -> Iterator[tuple[subprocess.Popen, Callable[[], None]]]:
    """``imbridge worker`` started as a user starts it (its output in ``worker.log``), and a check that it handles
    a ping; stopped if the test left it running."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IMBRIDGE_REDIS__URL": redis_url,
           "IMBRIDGE_DATABASE__URL": sqlite_url, "IMBRIDGE_VAR_DIR": str(tmp_path / "var"),
           "IMBRIDGE_SECURITY__SECRET_KEY": "worker-test-secret", "IMBRIDGE_SANDBOX__ENABLED": "false"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    tasks = Tasks.from_settings(make_settings(sqlite_url))
    client = redis.Redis.from_url(redis_url)

    def handles_a_ping() -> None:
        ping_id = uuid.uuid4().hex
        tasks.ping(ping_id)
        wait_for(lambda: ping_seen(client, ping_id), timeout=30)

    with (tmp_path / "worker.log").open("wb") as out:
        worker = subprocess.Popen([sys.executable, "-m", "imbridge", "worker", "--processes", str(processes),
                                   "--threads", str(threads)],
                                  env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield worker, handles_a_ping
    finally:
        if worker.poll() is None:
            stop_group(worker)
        tasks.close()
        client.close()


def test_one_worker_process_is_the_command_itself_and_stops_or_restarts_on_signals(tmp_path, make_settings,
                                                                                   sqlite_url, redis_url):
    log = tmp_path / "worker.log"
    with worker_command(tmp_path, make_settings, sqlite_url, redis_url, processes=1, threads=2) as (worker, pinged):
        pinged()
        assert children_of(worker.pid) == []  # no leader forked it: the command is the worker

        worker.send_signal(signal.SIGHUP)
        wait_for(lambda: log.read_text().count("Worker process is ready") == 2, timeout=30)
        assert worker.poll() is None  # the same process, started again
        pinged()

        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0


def test_a_leader_of_two_processes_forks_them_again_on_sighup_and_stops_on_sigterm(tmp_path, make_settings,
                                                                                  sqlite_url, redis_url):
    with worker_command(tmp_path, make_settings, sqlite_url, redis_url, processes=2, threads=1) as (leader, pinged):
        pinged()
        first = set(wait_for(lambda: len(children_of(leader.pid)) == 2 and children_of(leader.pid), timeout=30))

        leader.send_signal(signal.SIGHUP)
        again = wait_for(lambda: (found := set(children_of(leader.pid))) and len(found) == 2 and not found & first
                         and found, timeout=30)
        assert leader.poll() is None and again  # the same leader, new worker processes
        pinged()

        leader.send_signal(signal.SIGTERM)
        assert leader.wait(timeout=30) == 0
