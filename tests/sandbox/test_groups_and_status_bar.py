"""The fake platforms' own checks for WeCom app chats (``appchat/create``, ``appchat/send``) and the DingTalk OA
status bar (``status_bar/update``)."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import errcode
from tests.sandbox.dingtalk_calls import notice, topapi

OA = {"msgtype": "oa", "oa": {"head": {"bgcolor": "FFBBBBBB", "text": "审批"}, "body": {"title": "请假"}}}


def appchat(client, token, path, body):
    return client.simulate_post(f"/wecom/cgi-bin/appchat/{path}", params={"access_token": token}, json=body)


def test_a_chat_is_created_once_and_only_created_chats_take_messages(client, wecom_token):
    text = {"msgtype": "text", "text": {"content": "hi"}}
    assert errcode(appchat(client, wecom_token, "send", {"chatid": "team", **text})) == 86003
    created = appchat(client, wecom_token, "create", {"userlist": ["a", "b"], "owner": "b", "chatid": "team"})
    assert errcode(created) == 0 and created.json["chatid"] == "team"
    assert errcode(appchat(client, wecom_token, "create", {"userlist": ["a", "b"], "chatid": "team"})) == 86215
    assert errcode(appchat(client, wecom_token, "send", {"chatid": "team", **text})) == 0
    assert errcode(appchat(client, wecom_token, "send", {"chatid": "team", "msgtype": "template_card",
                                                          "template_card": {"card_type": "x"}})) == 40008
    generated = appchat(client, wecom_token, "create", {"userlist": ["a", "b"]}).json["chatid"]
    assert generated and generated != "team"
    delivered = client.simulate_get("/_sandbox/deliveries", params={"platform": "wecom"}).json["deliveries"]
    assert [(d["channel"], d["target"], d["delivered"]) for d in delivered] == [("appchat", "team", ["a", "b"])]


@pytest.mark.parametrize(("body", "code"), [
    ({"userlist": ["a"]}, 86004), ({"userlist": "a,b"}, 86004), ({"userlist": ["a", "b"], "owner": "c"}, 86005),
    ({"userlist": ["a", "b"], "chatid": "no spaces"}, 86001),
])
def test_bad_chats_are_refused(client, wecom_token, body, code):
    assert errcode(appchat(client, wecom_token, "create", body)) == code


def test_the_status_bar_is_only_for_a_known_oa_task(client, settings, dingtalk_token):
    agent = settings.third.ding_talk.agent_id
    oa_task = topapi(client, "asyncsend_v2", dingtalk_token, notice(settings, **OA)).json["task_id"]
    text_task = topapi(client, "asyncsend_v2", dingtalk_token, notice(settings)).json["task_id"]
    bar = {"agent_id": agent, "status_value": "已同意", "status_bg": "0xFF78C06E"}
    assert errcode(topapi(client, "status_bar/update", dingtalk_token, {**bar, "task_id": oa_task})) == 0
    assert errcode(topapi(client, "status_bar/update", dingtalk_token, {**bar, "task_id": text_task})) == 40035
    assert errcode(topapi(client, "status_bar/update", dingtalk_token, {**bar, "task_id": 1})) == 40035
    for wrong in ({"status_bg": "green"}, {"status_value": ""}, {"status_value": "x" * 21}):
        assert errcode(topapi(client, "status_bar/update", dingtalk_token,
                              {**bar, "task_id": oa_task, **wrong})) == 40035, wrong
