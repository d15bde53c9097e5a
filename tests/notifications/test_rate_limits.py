"""Rate limits shared through Redis: never more than N in ANY window, across threads and worker processes."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.notifications.conftest import SECRET_KEY
from tests.sandbox_support import journal
from tests.waiting import stop_group, wait_for
from workers.notifications.ratelimit import Limit, RateLimiter

ROOT = Path(__file__).resolve().parents[2]


def die_with_parent() -> None:
    """In the worker child: SIGTERM when pytest dies, so no stray worker consumes later tests' messages."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of ``times`` inside one half-open window ``(t - window, t]``."""
    times = sorted(times)
    return max((sum(1 for u in times if t - window < u <= t) for t in times), default=0)


def test_limiter_never_allows_more_than_n_in_any_window_across_threads(redis_client):
    limiter = RateLimiter(redis_client, margin_seconds=0.02)
    limit = Limit("test:rate:robot", 5, 0.4)
    sends: list[float] = []
    lock = threading.Lock()

    def deliver(member: str) -> None:
        while True:
            decision = limiter.acquire(member, [limit])
            if decision.go:
                with lock:  # the time the limiter granted (Redis's clock), not when this thread got to run
                    sends.append(decision.at_ms / 1000)
                return
            time.sleep(decision.wait_seconds)

    threads = [threading.Thread(target=deliver, args=(f"d{i}",)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sends) == 30
    assert most_in_any_window(sends, 0.4) <= 5


def test_waiting_deliveries_book_distinct_slots_instead_of_stampeding(redis_client):
    limiter = RateLimiter(redis_client, margin_seconds=0)
    limit = Limit("test:rate:booking", 2, 10)
    decisions = [limiter.acquire(f"d{i}", [limit]) for i in range(6)]
    assert [d.go for d in decisions] == [True, True, False, False, False, False]
    times = [d.at_ms / 1000 for d in decisions]
    assert times[2] - times[0] >= 10 and times[4] - times[0] >= 20  # two per window, later ones further out
    assert most_in_any_window(times, 10) == 2
    # Asking again before its slot keeps the booking (not a second one).
    again = limiter.acquire("d2", [limit])
    assert not again.go and again.at_ms == decisions[2].at_ms
    assert redis_client.zcard(limit.key) == 6


def test_a_send_must_fit_every_limit_at_once(redis_client):
    limiter = RateLimiter(redis_client, margin_seconds=0)
    robot, user = Limit("test:rate:r", 10, 10), Limit("test:rate:u", 1, 10)
    assert limiter.acquire("a", [robot, user]).go
    second = limiter.acquire("b", [robot, user])
    assert not second.go and second.wait_seconds >= 9.9
    assert limiter.acquire("c", [robot]).go  # the robot alone still has room


def test_a_pause_holds_every_send_until_it_ends(redis_client):
    limiter = RateLimiter(redis_client)
    limiter.pause("test:pause:robot", 30)
    decision = limiter.acquire("a", [Limit("test:rate:p", 20, 60)], ["test:pause:robot"])
    assert not decision.go and decision.reason == "paused" and 29 <= decision.wait_seconds <= 30
    assert redis_client.zcard("test:rate:p") == 0  # no slot taken while paused


WINDOW = 2.0
#: How much later than its booked slot a send may reach the platform on a busy machine (workers, xdist, CI).
MARGIN = 1.0
#: The limits live in Redis, whatever the database: the slow end-to-end checks run on SQLite only.
REDIS_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@REDIS_ONLY
@pytest.mark.timeout(180)
def test_100_messages_from_4_worker_processes_never_exceed_20_in_any_window(runtime, robots, post, control,
                                                                           database_url, redis_url, sandbox, tmp_path):
    control.post("/config", json={"robot_window_seconds": WINDOW}).raise_for_status()
    host, port = sandbox.section["host"], str(sandbox.section["port"])
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("IMBRIDGE_")},
           "PYTHONPATH": str(ROOT), "IMBRIDGE_REDIS__URL": redis_url, "IMBRIDGE_DATABASE__URL": database_url,
           "IMBRIDGE_SANDBOX__ENABLED": "true", "IMBRIDGE_SANDBOX__HOST": host, "IMBRIDGE_SANDBOX__PORT": port,
           "IMBRIDGE_VAR_DIR": str(tmp_path / "var"),
           "IMBRIDGE_SECURITY__SECRET_KEY": SECRET_KEY, "IMBRIDGE_NOTIFICATIONS__RATE_WINDOW_SECONDS": str(WINDOW),
           "IMBRIDGE_NOTIFICATIONS__RATE_MARGIN_SECONDS": str(MARGIN), "dramatiq_worker_timeout": "100"}
    log = open(tmp_path / "workers.log", "wb")  # noqa: SIM115 - the workers' own output, shown on failure
    ids = [post({"channel": "dingtalk_robot", "robot": "ding",
                 "message": {"msgtype": "text", "text": {"content": f"message {i}"}}}).json["id"] for i in range(100)]
    workers = subprocess.Popen([sys.executable, "-m", "imbridge", "worker", "--processes", "4", "--threads", "4"],
                               env=env, cwd=ROOT, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
                               preexec_fn=die_with_parent)
    try:
        def all_sent() -> bool:
            with runtime.database.session() as session:
                from sqlalchemy import func, select

                from models.deliveries import Delivery
                return session.scalar(select(func.count()).select_from(Delivery).where(
                    Delivery.status == "sent")) == 100
        wait_for(all_sent, timeout=150, interval=0.5)
    except AssertionError:
        raise AssertionError((tmp_path / "workers.log").read_text(errors="replace")[-3000:]) from None
    finally:
        stop_group(workers, timeout=20)
    sends = journal(control, "/robot/send")
    assert [e["response"]["errcode"] for e in sends] == [0] * 100  # not one 130101
    assert most_in_any_window([e["time"] for e in sends], WINDOW) <= 20
    assert sorted(e["json"]["text"]["content"] for e in sends) == sorted(f"message {i}" for i in range(100))
    assert len(set(ids)) == 100  # one record per request


@REDIS_ONLY
@pytest.mark.parametrize("notification_settings", [{"robot_rate_limit": 3, "recipient_rate_limit": 3,
                                                    "rate_window_seconds": 1.0, "rate_margin_seconds": 0.3}])
@pytest.mark.parametrize(("body", "path"), [
    ({"channel": "wecom_robot", "robot": "wecom"}, "/cgi-bin/webhook/send"),
    ({"channel": "wecom_app", "to": {"users": ["zhangsan"]}}, "/cgi-bin/message/send"),
], ids=["wecom-robot", "wecom-member"])
def test_wecom_robot_and_member_limits_hold(body, path, post, robots, worker, settled, control):
    ids = [post({**body, "message": {"msgtype": "text", "text": {"content": f"m{i}"}}}).json["id"] for i in range(10)]
    assert all(settled(i)["status"] == "sent" for i in ids)
    sends = journal(control, path)
    assert len(sends) == 10 and most_in_any_window([e["time"] for e in sends], 1.0) <= 3
    assert all(settled(i)["attempts"] == 1 for i in ids)  # waiting for a slot is not an attempt


@REDIS_ONLY
@pytest.mark.parametrize("notification_settings", [{"recipient_rate_limit": None, "recipient_hourly_limit": 3,
                                                    "recipient_hourly_window_seconds": 1.5,
                                                    "rate_margin_seconds": 0.3}])
def test_a_wecom_members_hourly_limit_holds_too(post, robots, worker, settled, control):
    """WeCom's second limit (1000 an hour, its window shortened here): the excess would be dropped silently."""
    body = {"channel": "wecom_app", "to": {"users": ["lisi", "wangwu"]}}
    ids = [post({**body, "message": {"msgtype": "text", "text": {"content": f"h{i}"}}}).json["id"] for i in range(7)]
    assert all(settled(i)["status"] == "sent" for i in ids)
    sends = journal(control, "/cgi-bin/message/send")
    assert len(sends) == 7 and most_in_any_window([e["time"] for e in sends], 1.5) <= 3
    assert all(settled(i)["attempts"] == 1 for i in ids)
