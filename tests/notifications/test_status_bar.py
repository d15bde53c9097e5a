"""``POST /api/v1/notifications/{id}/status-bar``: a sent DingTalk OA message's status bar, set later and recorded
as an attempt on its notification."""

from __future__ import annotations

import pytest

from config import demo
from tests.sandbox_support import journal
from tests.waiting import wait_for

OA = {"msgtype": "oa", "oa": {"message_url": "https://x/oa", "head": {"bgcolor": "FFBBBBBB", "text": "审批"},
                              "body": {"title": "请假", "form": [{"key": "姓名:", "value": "张三"}]}}}
PATH = "/dingtalk/topapi/message/corpconversation/status_bar/update"


def _bar(app, keys, delivery_id, body):
    return app.simulate_post(f"/api/v1/notifications/{delivery_id}/status-bar", json=body,
                             headers={"Authorization": f"Bearer {keys['notify']}"})


def test_the_status_bar_is_set_and_recorded_as_an_attempt(post, worker, settled, app, keys, control, record):
    delivery_id = post({"channel": "dingtalk_work", "to": {"users": ["u1"]}, "message": OA}).json["id"]
    task_id = settled(delivery_id)["answer"]["taskId"]
    accepted = _bar(app, keys, delivery_id, {"value": "已同意", "color": "#78c06e"})
    assert accepted.status_code == 202, accepted.text
    wait_for(lambda: any(a["outcome"] == "status_set" for a in record(delivery_id)["history"]))
    [entry] = journal(control, PATH)
    assert entry["json"] == {"agent_id": demo.DINGTALK_AGENT_ID, "task_id": task_id, "status_value": "已同意",
                             "status_bg": "0xFF78C06E"}
    shown = record(delivery_id)
    assert [a["outcome"] for a in shown["history"]] == ["sent", "status_set"]
    assert shown["history"][1]["number"] == 2 and "已同意" in shown["history"][1]["errmsg"]
    assert shown["status"] == "sent" and shown["attempts"] == 1  # a status bar is no send
    assert shown["answer"]["statusBar"]["value"] == "已同意"


def test_a_refused_status_bar_is_a_failed_attempt_and_the_send_stays_sent(post, worker, settled, app, keys, control,
                                                                          record):
    delivery_id = post({"channel": "dingtalk_work", "to": {"users": ["u1"]}, "message": OA}).json["id"]
    settled(delivery_id)
    control.post("/faults", json={"pattern": PATH, "kind": "errcode", "errcode": 40035, "errmsg": "不合法的参数"}
                 ).raise_for_status()
    assert _bar(app, keys, delivery_id, {"value": "已拒绝"}).status_code == 202
    wait_for(lambda: any(a["outcome"] == "status_failed" for a in record(delivery_id)["history"]))
    shown = record(delivery_id)
    assert shown["status"] == "sent" and shown["history"][-1]["errcode"] == 40035
    assert "statusBarError" in shown["answer"]


def test_only_a_sent_oa_work_notification_has_a_status_bar(post, worker, settled, app, keys):
    text = post({"channel": "dingtalk_work", "to": {"users": ["u1"]},
                 "message": {"msgtype": "text", "text": {"content": "hi"}}}).json["id"]
    settled(text)
    refused = _bar(app, keys, text, {"value": "已同意"})
    assert refused.status_code == 409 and "msgtype oa" in refused.json["error"]["message"]
    assert _bar(app, keys, "no-such-id", {"value": "已同意"}).status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({}, "value"), ({"value": ""}, "value"), ({"value": "   "}, "value"), ({"value": "x" * 21}, "value"),
    ({"value": "ok", "color": "green"}, "color"), ({"value": "ok", "color": "#12345"}, "color"),
    ({"value": "ok", "extra": 1}, "extra"),
])
def test_bad_input_is_422_naming_the_field(app, keys, body, field):
    refused = _bar(app, keys, "any-id", body)
    assert refused.status_code == 422, refused.text
    assert field in [d["field"] for d in refused.json["error"]["details"]]
