"""Group messages as notification channels: DingTalk's enterprise robot to a group (``dingtalk_group``) and to
members (``dingtalk_robot_users``) on the v1.0 API, and WeCom app chats (``wecom_appchat``) - recorded, retried,
paced and idempotent like every other channel."""

from __future__ import annotations

import json

import pytest

from config import demo
from tests.sandbox_support import journal
from tests.waiting import wait_for

GROUP = "/dingtalk/v1.0/robot/groupMessages/send"
USERS = "/dingtalk/v1.0/robot/oToMessages/batchSend"
CHAT = "/wecom/cgi-bin/appchat/send"
MARKDOWN = {"msgKey": "sampleMarkdown", "msgParam": {"title": "发布", "text": "**v2** 已上线"}}


def admin(keys):
    return {"Authorization": f"Bearer {keys['admin']}"}


def test_a_group_message_goes_through_the_app_robot_with_msg_param_as_a_json_string(post, worker, settled, control):
    accepted = post({"channel": "dingtalk_group", "to": {"group": "cidGroup42"}, "message": MARKDOWN})
    assert accepted.status_code == 202, accepted.text
    record = settled(accepted.json["id"])
    assert record["status"] == "sent" and record["target"] == "cidGroup42" and record["msgtype"] == "sampleMarkdown"
    assert record["answer"]["processQueryKey"]
    [entry] = journal(control, GROUP)
    assert entry["json"]["robotCode"] == demo.DINGTALK_APP_KEY and entry["json"]["openConversationId"] == "cidGroup42"
    assert json.loads(entry["json"]["msgParam"]) == MARKDOWN["msgParam"]


def test_robot_messages_to_members_keep_who_was_not_reached(post, worker, settled, control):
    control.post("/config", json={"dingtalk_invalid_users": ["ghost"]}).raise_for_status()
    record = settled(post({"channel": "dingtalk_robot_users", "to": {"users": ["u1", "ghost"]},
                           "message": {"msgKey": "sampleText", "msgParam": {"content": "hi"}}}).json["id"])
    assert record["status"] == "sent" and record["answer"]["invalidUsers"] == ["ghost"]
    [entry] = journal(control, USERS)
    assert entry["json"]["userIds"] == ["u1", "ghost"]


def test_a_v1_server_error_is_retried(post, worker, settled, control):
    control.post("/faults", json={"pattern": GROUP, "kind": "http", "status": 503, "times": 1}).raise_for_status()
    record = settled(post({"channel": "dingtalk_group", "to": {"group": "cidG"}, "message": MARKDOWN}).json["id"])
    assert record["status"] == "sent" and [a["outcome"] for a in record["history"]] == ["retry", "sent"]


def test_a_revoked_v1_token_is_refreshed_once_within_the_same_attempt(post, worker, settled, control):
    settled(post({"channel": "dingtalk_group", "to": {"group": "cidG"}, "message": MARKDOWN}).json["id"])
    control.delete("/tokens", params={"platform": "dingtalk"}).raise_for_status()
    record = settled(post({"channel": "dingtalk_group", "to": {"group": "cidG"}, "message": MARKDOWN}).json["id"])
    assert record["status"] == "sent" and [a["outcome"] for a in record["history"]] == ["sent"]
    answers = [e["status"] for e in journal(control, GROUP)]
    assert answers == [200, 400, 200]  # the rejected call (HTTP 400 InvalidAuthentication), then a fresh token
    assert len(journal(control, "/dingtalk/v1.0/oauth2/accessToken")) == 2


def test_a_permanent_v1_error_fails_with_its_code(post, worker, settled, runtime):
    runtime.settings.third.ding_talk.robot_code = "someone-elses-robot"
    record = settled(post({"channel": "dingtalk_group", "to": {"group": "cidG"}, "message": MARKDOWN}).json["id"])
    assert record["status"] == "failed" and "InvalidParameter.RobotCode" in record["lastError"]


def test_an_app_chat_is_created_by_a_job_and_then_posted_to(app, keys, post, worker, settled, control):
    created = app.simulate_post("/api/v1/wecom/appchats", headers=admin(keys), json={
        "name": "值班群", "owner": "lisi", "userlist": ["zhangsan", "lisi"], "chatid": "oncall"})
    assert created.status_code == 202, created.text
    job = created.json["jobId"]
    wait_for(lambda: app.simulate_get(f"/api/v1/jobs/{job}", headers=admin(keys)).json["status"] == "succeeded")
    assert app.simulate_get(f"/api/v1/jobs/{job}", headers=admin(keys)).json["result"]["chatid"] == "oncall"
    message = {"msgtype": "markdown", "markdown": {"content": "**值班** 交接"}}
    record = settled(post({"channel": "wecom_appchat", "to": {"chat": "oncall"}, "message": message}).json["id"])
    assert record["status"] == "sent" and record["target"] == "oncall"
    [entry] = journal(control, CHAT)
    assert entry["json"] == {"chatid": "oncall", **message}


def test_a_chat_the_app_did_not_create_fails_for_good(post, worker, settled):
    record = settled(post({"channel": "wecom_appchat", "to": {"chat": "nosuchchat"},
                           "message": {"msgtype": "text", "text": {"content": "hi"}}}).json["id"])
    assert record["status"] == "failed" and record["errcode"] == 86003


def test_the_same_idempotency_key_sends_a_group_message_once(app, keys, worker, settled, control):
    headers = {"Authorization": f"Bearer {keys['notify']}", "Idempotency-Key": "group-1"}
    body = {"channel": "dingtalk_group", "to": {"group": "cidOnce"}, "message": MARKDOWN}
    first = app.simulate_post("/api/v1/notifications", json=body, headers=headers)
    again = app.simulate_post("/api/v1/notifications", json=body, headers=headers)
    assert first.json["id"] == again.json["id"]
    settled(first.json["id"])
    assert len(journal(control, GROUP)) == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"channel": "dingtalk_group", "to": {}, "message": MARKDOWN}, "to.group"),
    ({"channel": "dingtalk_group", "to": {"group": "cid"}, "message": {"msgKey": "sampleNothing", "msgParam": {}}},
     "message"),
    ({"channel": "dingtalk_group", "to": {"group": "cid"},
      "message": {"msgKey": "sampleText", "msgParam": {"text": "wrong field"}}}, "message.msgParam.content"),
    ({"channel": "dingtalk_robot_users", "to": {"users": [f"u{i}" for i in range(21)]}, "message": MARKDOWN},
     "to.users"),
    ({"channel": "wecom_appchat", "to": {"chat": "has space"},
      "message": {"msgtype": "text", "text": {"content": "x"}}}, "to.chat"),
    ({"channel": "wecom_appchat", "to": {"chat": "c1"}, "message": {"msgtype": "template_card",
                                                                    "template_card": {"card_type": "x"}}}, "message"),
])
def test_bad_group_requests_are_422_naming_the_field(post, body, field):
    refused = post(body)
    assert refused.status_code == 422, refused.text
    fields = [d["field"] for d in refused.json["error"]["details"]]
    assert any(f.startswith(field) for f in fields), fields


@pytest.mark.parametrize(("body", "field"), [
    ({"userlist": ["only-one"]}, "userlist"), ({"userlist": ["a", "b"], "owner": "c"}, "body"),
    ({"userlist": ["a", "b"], "chatid": "no spaces"}, "chatid"), ({"userlist": ["a", "b"], "extra": 1}, "extra"),
])
def test_bad_app_chats_are_422_naming_the_field(app, keys, body, field):
    refused = app.simulate_post("/api/v1/wecom/appchats", headers=admin(keys), json=body)
    assert refused.status_code == 422, refused.text
    assert field in [d["field"] for d in refused.json["error"]["details"]]


def test_a_fan_out_shapes_the_common_message_as_the_robots_template(app, keys, worker, control):
    result = app.simulate_post("/api/v1/notification-groups", headers={"Authorization": f"Bearer {keys['notify']}"},
                               json={"targets": [{"channel": "dingtalk_group", "to": {"group": "cidFan"}},
                                                 {"channel": "dingtalk_robot_users", "to": {"users": ["u1"]}}],
                                     "message": {"format": "markdown", "title": "Deploy", "text": "**crm** is live"}})
    assert result.status_code == 202, result.text
    wait_for(lambda: journal(control, GROUP) and journal(control, USERS))
    for path in (GROUP, USERS):
        [entry] = journal(control, path)
        assert entry["json"]["msgKey"] == "sampleMarkdown"
        assert json.loads(entry["json"]["msgParam"]) == {"title": "Deploy", "text": "**crm** is live"}
