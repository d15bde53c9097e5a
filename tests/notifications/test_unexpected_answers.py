"""Answers in no documented shape, end to end: DingTalk's gateway flow control (HTTP 200 ``{"status": 1111, "wait":
N}``), HTML pages, JSON without errcode. None of them is a delivery: each is retried (after the ``wait`` when one is
named) and kept on the attempt, and the message is finally sent."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.notifications.conftest import FAST
from tests.sandbox_support import journal

TEXT = {"msgtype": "text", "text": {"content": "hi"}}
DING_ROBOT = {"channel": "dingtalk_robot", "robot": "ding", "message": TEXT}
WECOM_ROBOT = {"channel": "wecom_robot", "robot": "wecom", "message": TEXT}


def fault(control, **rule) -> None:
    control.post("/faults", json=rule).raise_for_status()


def seconds_between(earlier: str, later: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


# The robot penalty stays at its 10 minutes: were flow control taken for the robot's own 130101, this would not end.
@pytest.mark.parametrize("notification_settings", [{**FAST, "dingtalk_robot_penalty_seconds": 600.0}])
def test_a_robot_message_hit_by_flow_control_is_sent_after_the_wait(post, robots, worker, settled, control):
    fault(control, pattern="/dingtalk/robot/send", kind="flow_control", wait=1, times=1)
    record = settled(post(DING_ROBOT).json["id"], timeout=30)
    assert record["status"] == "sent"
    first, second = record["history"]
    assert (first["outcome"], second["outcome"]) == ("throttled", "sent")
    assert '"status": 1111' in first["errmsg"] and '"punish": "deny"' in first["errmsg"]
    assert first["errcode"] is None
    assert seconds_between(first["finishedAt"], second["startedAt"]) >= 1.0  # the wait was honoured
    sends = journal(control, "/dingtalk/robot/send")
    assert len(sends) == 2 and sends[-1]["response"]["errcode"] == 0


@pytest.mark.parametrize(("robot", "path", "rule"), [
    (DING_ROBOT, "/dingtalk/robot/send", {"kind": "page"}),
    (WECOM_ROBOT, "/wecom/cgi-bin/webhook/send", {"kind": "page"}),
    (DING_ROBOT, "/dingtalk/robot/send", {"kind": "body", "body": {"ok": True}}),
    (WECOM_ROBOT, "/wecom/cgi-bin/webhook/send", {"kind": "body", "body": {"result": "queued"}}),
], ids=["ding-html", "wecom-html", "ding-json-without-errcode", "wecom-json-without-errcode"])
def test_answers_in_no_documented_shape_are_retried_not_recorded_sent(robot, path, rule, post, robots, worker,
                                                                      settled, control):
    fault(control, pattern=path, times=2, **rule)
    record = settled(post(robot).json["id"])
    assert record["status"] == "sent"
    assert [a["outcome"] for a in record["history"]] == ["retry", "retry", "sent"]
    assert all("unexpected answer (HTTP 200)" in a["errmsg"] for a in record["history"][:2])
    assert record["failedAttempts"] == 2
    assert len(journal(control, path)) == 3


@pytest.mark.parametrize("notification_settings", [{**FAST, "max_attempts": 2}])
def test_unexpected_answers_spend_the_budget_and_the_last_one_is_kept(post, robots, worker, settled, control):
    fault(control, pattern="/dingtalk/robot/send", kind="page")
    record = settled(post(DING_ROBOT).json["id"])
    assert record["status"] == "dead" and record["attempts"] == 2
    assert "unexpected answer" in record["lastError"] and "<html>" in record["lastError"]
