"""A bad day at the platforms: 30% of calls fail with -1, HTTP 5xx or timeouts, and every message still ends sent."""

from __future__ import annotations

import pytest

from tests.notifications.conftest import FAST
from tests.notifications.media import PDF, PNG, inline
from tests.worker_support import running_worker

#: Our clients give up on a held request after this long (the sandbox holds "timeout" faults for 2 s).
CLIENT_TIMEOUT = 0.5


@pytest.fixture
def notification_settings():
    return {**FAST, "max_attempts": 30, "rate_window_seconds": 2.0}


@pytest.fixture
def platform_settings():
    """Our platform clients give up on a call before the sandbox answers a held one."""
    return {"timeout_seconds": CLIENT_TIMEOUT, "connect_timeout_seconds": CLIENT_TIMEOUT}


def requests() -> list[dict]:
    text = [{"msgtype": "text", "text": {"content": f"note {i}"}} for i in range(8)]
    return (
        [{"channel": "dingtalk_robot", "robot": "ding", "message": m} for m in text]
        + [{"channel": "wecom_robot", "robot": "wecom", "message": m} for m in text]
        + [{"channel": "dingtalk_work", "to": {"users": [f"u{i}"]}, "message": m} for i, m in enumerate(text)]
        + [{"channel": "wecom_app", "to": {"users": [f"u{i}"]}, "message": m} for i, m in enumerate(text)]
        + [{"channel": "dingtalk_work", "to": {"users": ["u1"]},
            "message": {"msgtype": "file", "file": {"media": inline(PDF, f"r{i}.pdf", "application/pdf")}}}
           for i in range(4)]
        + [{"channel": "wecom_robot", "robot": "wecom",
            "message": {"msgtype": "image", "image": {"media": inline(PNG, "p.png", "image/png")}}}]
    )


@pytest.mark.timeout(240)
def test_with_30_percent_of_calls_failing_every_message_ends_sent(post, robots, app, runtime, settled,
                                                                 control):
    control.post("/config", json={"robot_window_seconds": 2.0}).raise_for_status()
    # One of each kind for sure, then for every call: 10% -1, 12% of the rest 5xx, 13% of the rest held past our
    # timeout (about 30% in all).
    for rule in ({"pattern": "/dingtalk/robot/send", "kind": "timeout", "hold_seconds": 2, "times": 1},
                 {"pattern": "/wecom/cgi-bin/webhook/send", "kind": "http", "status": 502, "times": 1},
                 {"pattern": "*/asyncsend_v2", "kind": "errcode", "errcode": -1, "times": 1},
                 {"pattern": "/*", "kind": "errcode", "errcode": -1, "rate": 0.10},
                 {"pattern": "/*", "kind": "http", "status": 502, "rate": 0.12},
                 {"pattern": "/*", "kind": "timeout", "hold_seconds": 2, "rate": 0.13}):
        control.post("/faults", json=rule).raise_for_status()
    ids = [post(body).json["id"] for body in requests()]
    try:
        with running_worker(runtime, threads=16):
            records = [settled(i, timeout=180) for i in ids]
    finally:
        control.delete("/faults")
    assert [r["status"] for r in records] == ["sent"] * len(ids)
    outcomes = [a["outcome"] for r in records for a in r["history"]]
    errors = " ".join(a["errmsg"] or "" for r in records for a in r["history"])
    assert "retry" in outcomes and "timed out" in errors and "HTTP 502" in errors and "system error" in errors
