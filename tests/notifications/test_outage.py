"""A platform outage: every send answers 503 for a while, then the platforms recover.

Every message is delivered once afterwards; its retries are spaced by the back-off (the sandbox journal's call
times, relative to each other) and never more frequent than the policy allows: no hot loop.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from itertools import pairwise

import pytest

from core.retry import RetryPolicy
from tests.notifications.conftest import FAST
from tests.sandbox_support import journal
from tests.waiting import wait_for

SEND_PATHS = ("/dingtalk/robot/send", "/wecom/cgi-bin/webhook/send", "/wecom/cgi-bin/message/send")
POLICY = RetryPolicy(base_seconds=0.2, max_seconds=1.0, max_attempts=30)
#: Failed calls each message sees before the platforms recover.
FAILED_CALLS = 4


@pytest.fixture
def notification_settings():
    return {**FAST, "backoff_base_seconds": POLICY.base_seconds, "backoff_max_seconds": POLICY.max_seconds,
            "max_attempts": POLICY.max_attempts, "robot_rate_limit": 1000, "recipient_rate_limit": 1000}


def requests() -> list[dict]:
    def text(n: int) -> dict:
        return {"msgtype": "text", "text": {"content": f"outage-{n}."}}

    return [{"channel": "dingtalk_robot", "robot": "ding", "message": text(0)},
            {"channel": "dingtalk_robot", "robot": "ding", "message": text(1)},
            {"channel": "wecom_robot", "robot": "wecom", "message": text(2)},
            {"channel": "wecom_robot", "robot": "wecom", "message": text(3)},
            {"channel": "wecom_app", "to": {"users": ["u1"]}, "message": text(4)},
            {"channel": "wecom_app", "to": {"users": ["u2"]}, "message": text(5)}]


def calls(control) -> dict[int, list[dict]]:
    """The send calls the sandbox received, by message marker, in order."""
    found: dict[int, list[dict]] = {}
    for path in SEND_PATHS:
        for entry in journal(control, path):
            marker = re.search(r"outage-(\d+)\.", json.dumps(entry["json"]))
            if marker:
                found.setdefault(int(marker.group(1)), []).append(entry)
    return {marker: sorted(entries, key=lambda e: e["seq"]) for marker, entries in found.items()}


def most_calls(span: float) -> int:
    """The most calls a message can make in ``span`` seconds when every retry waits its shortest delay."""
    count, elapsed = 1, 0.0
    while True:
        elapsed += min(POLICY.max_seconds, POLICY.base_seconds * 2 ** (count - 1)) / 2
        if elapsed > span:
            return count
        count += 1


@pytest.mark.timeout(120)
def test_after_an_outage_every_message_is_delivered_once_with_spaced_retries(post, robots, worker, settled,
                                                                           control):
    for path in SEND_PATHS:
        control.post("/faults", json={"pattern": path, "kind": "http", "status": 503}).raise_for_status()
    ids = [post(body).json["id"] for body in requests()]
    wait_for(lambda: len(seen := calls(control)) == len(ids)
             and min(len(entries) for entries in seen.values()) >= FAILED_CALLS, timeout=60)
    control.delete("/faults").raise_for_status()

    records = [settled(i, timeout=60) for i in ids]
    assert [r["status"] for r in records] == ["sent"] * len(ids)
    delivered = Counter(int(m) for d in control.get("/deliveries").json()["deliveries"]
                        for m in re.findall(r"outage-(\d+)\.", json.dumps(d["message"])))
    assert delivered == Counter(range(len(ids)))  # each exactly once
    for marker, entries in calls(control).items():
        statuses = [e["status"] for e in entries]
        failed = statuses[:-1]
        assert statuses[-1] == 200 and set(failed) == {503} and len(failed) >= FAILED_CALLS, (marker, statuses)
        times = [e["time"] for e in entries]
        for k, (a, b) in enumerate(pairwise(times), start=1):
            # never sooner than the back-off's shortest delay after k failures (a little slack for rounding)
            assert b - a >= min(POLICY.max_seconds, POLICY.base_seconds * 2 ** (k - 1)) / 2 * 0.9, (marker, k)
        # no hot loop: no more calls than the back-off allows within the span they covered
        assert len(times) <= most_calls(times[-1] - times[0]), (marker, len(times))
        assert len(failed) < POLICY.max_attempts
