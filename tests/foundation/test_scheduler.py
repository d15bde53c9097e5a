"""Two schedulers together run each job once per period; the standby takes over when the leader stops."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from core.runtime import Runtime
from scheduler.jobs.heartbeat import HEARTBEAT_KEY, heartbeat
from scheduler.process import SchedulerProcess
from tests.waiting import wait_for

PERIOD = 0.2


@pytest.fixture
def runtime(make_settings, sqlite_url, redis_client):
    settings = make_settings(sqlite_url, scheduler={"heartbeat_seconds": PERIOD, "leader_ttl_seconds": 0.9})
    runtime = Runtime.from_settings(settings)
    yield runtime
    runtime.close()


def start(process: SchedulerProcess) -> threading.Thread:
    thread = threading.Thread(target=process.run, daemon=True)
    thread.start()
    return thread


def beats(runtime: Runtime) -> int:
    return int(runtime.redis.hget(HEARTBEAT_KEY, "count") or 0)


def test_two_schedulers_run_the_heartbeat_once_per_period(runtime):
    """Only the leader runs the job: every beat is stamped by one owner, and the beats the job stamped itself are
    a period apart on average (two schedulers both running it would halve that). No time is measured here: a busy
    machine only spreads beats further apart."""
    first, second = SchedulerProcess(runtime), SchedulerProcess(runtime)
    threads = [start(first), start(second)]
    seen: list[dict[bytes, bytes]] = []

    def sample() -> bool:
        seen.append(runtime.redis.hgetall(HEARTBEAT_KEY))
        return int(seen[-1].get(b"count", 0)) >= 7

    try:
        wait_for(lambda: beats(runtime) >= 2)
        seen.append(runtime.redis.hgetall(HEARTBEAT_KEY))
        wait_for(sample, interval=0.02)
    finally:
        first.stop()
        second.stop()
        for thread in threads:
            thread.join(5)
    owners = {beat[b"owner"].decode() for beat in seen}
    assert len(owners) == 1 and owners <= {first.lock.owner, second.lock.owner}, owners
    start_beat, end_beat = seen[0], seen[-1]
    beats_between = int(end_beat[b"count"]) - int(start_beat[b"count"])
    stamped = float(end_beat[b"at"]) - float(start_beat[b"at"])
    assert beats_between >= 5
    assert stamped / beats_between >= PERIOD * 0.75, f"{beats_between} beats in {stamped:.2f} s of the job's stamps"


def test_standby_takes_over_when_the_leader_stops(runtime):
    leader = SchedulerProcess(runtime)
    leader_thread = start(leader)
    wait_for(lambda: runtime.redis.hget(HEARTBEAT_KEY, "owner") == leader.lock.owner.encode())
    standby = SchedulerProcess(runtime)
    standby_thread = start(standby)
    try:
        before = beats(runtime)
        wait_for(lambda: beats(runtime) >= before + 2)  # the standby is up and the leader still leads
        assert runtime.redis.hget(HEARTBEAT_KEY, "owner").decode() == leader.lock.owner
        leader.stop()
        leader_thread.join(5)
        wait_for(lambda: runtime.redis.hget(HEARTBEAT_KEY, "owner") == standby.lock.owner.encode(), timeout=5)
    finally:
        standby.stop()
        standby_thread.join(5)


def test_a_waiting_scheduler_outlives_a_redis_outage_and_leads_afterwards(make_settings, sqlite_url, tmp_path):
    from imbridge.embedded_redis import EmbeddedRedis
    from scheduler.leader import SCHEDULER_LOCK_KEY

    server = EmbeddedRedis(tmp_path / "valkey")
    server.start()
    settings = make_settings(sqlite_url, redis={"url": server.url},
                             scheduler={"heartbeat_seconds": PERIOD, "leader_ttl_seconds": 0.9})
    runtime = Runtime.from_settings(settings)
    runtime.redis.set(SCHEDULER_LOCK_KEY, "another scheduler", px=1500)  # someone else leads: this one waits
    standby = SchedulerProcess(runtime)
    thread = start(standby)
    try:
        server.stop()
        time.sleep(1.0)  # a few attempts to lead meet no Redis
        assert thread.is_alive()
        server.start()
        wait_for(lambda: runtime.redis.hget(HEARTBEAT_KEY, "owner"), timeout=10, ignoring=redis.ConnectionError)
        assert runtime.redis.hget(HEARTBEAT_KEY, "owner").decode() == standby.lock.owner
    finally:
        standby.stop()
        thread.join(5)
        runtime.close()
        server.stop()


def test_a_job_meeting_an_outage_logs_one_line_and_runs_again_next_time(make_settings, sqlite_url, caplog):
    """APScheduler would log a traceback on every run of every job for as long as Redis is down."""
    from scheduler.process import skipped_during_outages

    settings = make_settings(sqlite_url, redis={"url": "redis://127.0.0.1:9/0"})  # nothing listens there
    runtime = Runtime.from_settings(settings)
    try:
        guarded = skipped_during_outages(heartbeat)
        with caplog.at_level("WARNING", logger="imbridge.scheduler.process"):
            assert guarded(runtime, "owner") is None
        [record] = [r for r in caplog.records if r.name == "imbridge.scheduler.process"]
        assert "heartbeat skipped until its next run" in record.getMessage() and record.exc_info is None
    finally:
        runtime.close()


def test_a_job_failing_otherwise_still_fails_loudly():
    from scheduler.process import skipped_during_outages

    def broken() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        skipped_during_outages(broken)()
