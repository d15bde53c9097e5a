"""Every channel and message type, REST -> broker -> worker -> sandbox: the journal shows the exact request."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from config import demo
from tests.notifications.media import AMR, MP4, PDF, PNG, inline, md5
from tests.sandbox_support import journal
from tests.wire_witness import dingtalk_robot_sign

ROBOT_SEND = "/dingtalk/robot/send"
WEBHOOK_SEND = "/wecom/cgi-bin/webhook/send"
ASYNCSEND = "/dingtalk/topapi/message/corpconversation/asyncsend_v2"
APP_SEND = "/wecom/cgi-bin/message/send"

DINGTALK_ROBOT_MESSAGES = [
    {"msgtype": "text", "text": {"content": "服务器 CPU 90%"}, "at": {"atMobiles": ["13800000000"], "isAtAll": False}},
    {"msgtype": "text", "text": {"content": "everyone"}, "at": {"atUserIds": ["u1", "u2"], "isAtAll": True}},
    {"msgtype": "link", "link": {"title": "Release", "text": "v2 is out", "messageUrl": "https://example.com/r",
                                 "picUrl": "https://example.com/p.png"}},
    {"msgtype": "markdown", "markdown": {"title": "Deploy", "text": "#### done\n> **crm** @13800000000"},
     "at": {"atMobiles": ["13800000000"]}},
    {"msgtype": "actionCard", "actionCard": {"title": "Approve", "text": "### leave request", "btnOrientation": "0",
                                             "singleTitle": "Open", "singleURL": "https://example.com/a"}},
    {"msgtype": "actionCard", "actionCard": {"title": "Vote", "text": "lunch?", "btnOrientation": "1", "btns": [
        {"title": "Yes", "actionURL": "https://example.com/y"}, {"title": "No", "actionURL": "https://example.com/n"}]}},
    {"msgtype": "feedCard", "feedCard": {"links": [
        {"title": "One", "messageURL": "https://example.com/1", "picURL": "https://example.com/1.png"},
        {"title": "Two", "messageURL": "https://example.com/2", "picURL": "https://example.com/2.png"}]}},
]


@pytest.mark.parametrize("message", DINGTALK_ROBOT_MESSAGES, ids=lambda m: m["msgtype"])
def test_dingtalk_robot_message_is_sent_signed_as_given(message, post, robots, worker, settled, control):
    accepted = post({"channel": "dingtalk_robot", "robot": "ding", "message": message})
    assert accepted.status_code == 202, accepted.text
    assert settled(accepted.json["id"])["status"] == "sent"
    [entry] = journal(control, ROBOT_SEND)
    assert entry["json"] == message
    query = entry["query"]
    assert query["access_token"] == demo.DINGTALK_ROBOT_TOKEN
    # DingTalk's formula, computed by the tests' own code (the SDK signed, the sandbox checked with its own).
    assert query["sign"] == dingtalk_robot_sign(demo.DINGTALK_ROBOT_SECRET, query["timestamp"])
    assert abs(int(query["timestamp"]) - entry["time"] * 1000) < 3600_000  # DingTalk refuses an hour off


def test_unsigned_dingtalk_robot_sends_no_signature(app, keys, post, worker, settled, control):
    control.post("/robots", json={"platform": "dingtalk", "token": "plain-robot"}).raise_for_status()
    created = app.simulate_post("/api/v1/robots/dingtalk", json={"code": "plain", "name": "Plain",
                                                                 "accessToken": "plain-robot"},
                                headers={"Authorization": f"Bearer {keys['admin']}"})
    assert created.status_code == 201, created.text
    accepted = post({"channel": "dingtalk_robot", "robot": "plain",
                     "message": {"msgtype": "text", "text": {"content": "hi"}}})
    assert settled(accepted.json["id"])["status"] == "sent"
    [entry] = journal(control, ROBOT_SEND)
    assert entry["query"] == {"access_token": "plain-robot"}


WECOM_ROBOT_MESSAGES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"msgtype": "text", "text": {"content": "hello", "mentioned_list": ["wangqing", "@all"],
                                  "mentioned_mobile_list": ["13800001111"]}}, {}),
    ({"msgtype": "markdown", "markdown": {"content": "实时新增 <font color=\"warning\">132例</font>"}}, {}),
    ({"msgtype": "markdown_v2", "markdown_v2": {"content": "# title\n- item"}}, {}),
    ({"msgtype": "image", "image": {"base64": base64.b64encode(PNG).decode(), "md5": md5(PNG)}},
     {"msgtype": "image", "image": {"base64": base64.b64encode(PNG).decode(), "md5": md5(PNG)}}),
    ({"msgtype": "image", "image": {"media": inline(PNG, "chart.png", "image/png")}},
     {"msgtype": "image", "image": {"base64": base64.b64encode(PNG).decode(), "md5": md5(PNG)}}),
    ({"msgtype": "news", "news": {"articles": [{"title": "中秋", "description": "今年中秋", "url": "https://x/1",
                                                "picurl": "https://x/1.png"}]}}, {}),
    ({"msgtype": "template_card", "template_card": {"card_type": "text_notice", "main_title": {"title": "欢迎"},
                                                    "card_action": {"type": 1, "url": "https://x"}}}, {}),
]


@pytest.mark.parametrize(("message", "expected"), WECOM_ROBOT_MESSAGES,
                         ids=lambda v: v.get("msgtype", "") + ("-media" if "media" in str(v) else ""))
def test_wecom_robot_message_is_sent_as_the_platform_takes_it(message, expected, post, robots, worker, settled,
                                                              control):
    accepted = post({"channel": "wecom_robot", "robot": "wecom", "message": message})
    assert accepted.status_code == 202, accepted.text
    assert settled(accepted.json["id"])["status"] == "sent"
    [entry] = journal(control, WEBHOOK_SEND)
    assert entry["query"] == {"key": demo.WECOM_ROBOT_KEY}
    assert entry["json"] == (expected or message)


@pytest.mark.parametrize(("msgtype", "content", "filename"), [("file", PDF, "report.pdf"), ("voice", AMR, "hi.amr")])
def test_wecom_robot_file_and_voice_are_uploaded_first_with_the_robot_key(msgtype, content, filename, post, robots,
                                                                          worker, settled, control):
    accepted = post({"channel": "wecom_robot", "robot": "wecom",
                     "message": {"msgtype": msgtype, msgtype: {"media": inline(content, filename, "x/y")}}})
    assert settled(accepted.json["id"])["status"] == "sent"
    [upload] = journal(control, "/wecom/cgi-bin/webhook/upload_media")
    assert upload["query"] == {"key": demo.WECOM_ROBOT_KEY, "type": msgtype}
    assert upload["files"]["media"]["filename"] == filename and upload["files"]["media"]["md5"] == md5(content)
    [send] = journal(control, WEBHOOK_SEND)
    assert send["json"] == {"msgtype": msgtype, msgtype: {"media_id": upload["response"]["media_id"]}}


DINGTALK_WORK_MESSAGES = [
    {"msgtype": "text", "text": {"content": "月度报告已生成"}},
    {"msgtype": "link", "link": {"messageUrl": "https://x/1", "picUrl": "@lALOAAAAAMzIzMg", "title": "报告",
                                 "text": "点击查看"}},
    {"msgtype": "oa", "oa": {"message_url": "https://x/oa", "head": {"bgcolor": "FFBBBBBB", "text": "审批"},
                             "body": {"title": "请假", "form": [{"key": "姓名:", "value": "张三"}]}}},
    {"msgtype": "markdown", "markdown": {"title": "周报", "text": "# 周报\n- 完成"}},
    {"msgtype": "action_card", "action_card": {"title": "审批", "markdown": "请审批", "single_title": "查看",
                                               "single_url": "https://x/a"}},
    {"msgtype": "action_card", "action_card": {"title": "投票", "markdown": "午饭?", "btn_orientation": "1",
                                               "btn_json_list": [{"title": "是", "action_url": "https://x/y"}]}},
]


@pytest.mark.parametrize("message", DINGTALK_WORK_MESSAGES, ids=lambda m: m["msgtype"])
def test_dingtalk_work_notification_goes_to_asyncsend_with_the_app_agent(message, post, worker, settled, control):
    accepted = post({"channel": "dingtalk_work", "to": {"users": ["u1", "u2"], "departments": [7]},
                     "message": message})
    assert accepted.status_code == 202, accepted.text
    record = settled(accepted.json["id"])
    assert record["status"] == "sent", str(record)
    [entry] = journal(control, ASYNCSEND)
    assert entry["json"] == {"agent_id": demo.DINGTALK_AGENT_ID, "userid_list": "u1,u2", "dept_id_list": "7",
                             "msg": message}
    assert record["answer"]["taskId"] == entry["response"]["task_id"]


@pytest.mark.parametrize(("msgtype", "content", "filename", "extra"), [
    ("image", PNG, "chart.png", {}), ("voice", AMR, "memo.amr", {"duration": "10"}),
    ("file", PDF, "report.pdf", {})])
def test_dingtalk_work_media_is_uploaded_right_before_the_send(msgtype, content, filename, extra, post, worker,
                                                               settled, control):
    accepted = post({"channel": "dingtalk_work", "to": {"all": True},
                     "message": {"msgtype": msgtype, msgtype: {"media": inline(content, filename, "x/y"), **extra}}})
    assert settled(accepted.json["id"])["status"] == "sent"
    [upload] = journal(control, "/dingtalk/media/upload")
    assert upload["query"]["type"] == msgtype
    assert upload["files"]["media"] == {"filename": filename, "size": len(content), "content_type": "x/y",
                                        "md5": md5(content)}
    [send] = journal(control, ASYNCSEND)
    assert send["seq"] > upload["seq"]
    assert send["json"]["to_all_user"] is True
    assert send["json"]["msg"] == {"msgtype": msgtype, msgtype: {"media_id": upload["response"]["media_id"], **extra}}


def test_dingtalk_send_result_is_read_back_and_failed_recipients_recorded(post, worker, settled, record, control):
    control.post("/config", json={"dingtalk_forbidden_users": ["boss"], "dingtalk_failed_users": ["gone"],
                                  "dingtalk_invalid_users": ["nobody"]}).raise_for_status()
    accepted = post({"channel": "dingtalk_work", "to": {"users": ["u1", "boss", "gone", "nobody"]},
                     "message": {"msgtype": "text", "text": {"content": "read me"}}})
    assert settled(accepted.json["id"])["status"] == "sent"
    from tests.waiting import wait_for
    answer = wait_for(lambda: (a := record(accepted.json["id"])["answer"]).get("sendResult") is not None and a)
    assert answer["forbiddenUsers"] == ["boss"]
    assert answer["failedUsers"] == ["gone"]
    assert answer["invalidUsers"] == ["nobody"]
    [result] = journal(control, "/corpconversation/getsendresult")
    assert result["json"] == {"agent_id": demo.DINGTALK_AGENT_ID, "task_id": answer["taskId"]}


WECOM_APP_MESSAGES: list[dict[str, Any]] = [
    {"msgtype": "text", "text": {"content": "你的快递已到"}, "safe": 0, "enable_duplicate_check": 1,
     "duplicate_check_interval": 1800},
    {"msgtype": "textcard", "textcard": {"title": "领奖通知", "description": "<div class=\"gray\">2016年9月26日</div>",
                                         "url": "https://x/card", "btntxt": "更多"}},
    {"msgtype": "news", "news": {"articles": [{"title": "中秋", "description": "今年", "url": "https://x/n",
                                               "picurl": "https://x/n.png"}]}},
    {"msgtype": "markdown", "markdown": {"content": "您的会议室已经预定\n>**事项详情**"}},
    {"msgtype": "template_card", "template_card": {"card_type": "text_notice", "main_title": {"title": "欢迎"},
                                                   "card_action": {"type": 1, "url": "https://x"}}},
]


@pytest.mark.parametrize("message", WECOM_APP_MESSAGES, ids=lambda m: m["msgtype"])
def test_wecom_app_message_names_recipients_the_platform_way(message, post, worker, settled, control):
    accepted = post({"channel": "wecom_app", "to": {"users": ["zhangsan", "lisi"], "departments": [1, 2],
                                                    "tags": ["3"]}, "message": message})
    assert accepted.status_code == 202, accepted.text
    record = settled(accepted.json["id"])
    assert record["status"] == "sent"
    [entry] = journal(control, APP_SEND)
    assert entry["json"] == {**message, "touser": "zhangsan|lisi", "toparty": "1|2", "totag": "3",
                             "agentid": demo.WECOM_AGENT_ID}
    assert record["answer"]["msgid"] == entry["response"]["msgid"]


@pytest.mark.parametrize(("msgtype", "content", "filename", "extra"), [
    ("image", PNG, "chart.png", {}), ("voice", AMR, "memo.amr", {}), ("file", PDF, "report.pdf", {}),
    ("video", MP4, "clip.mp4", {"title": "Clip", "description": "demo"})])
def test_wecom_app_media_is_uploaded_and_reused(msgtype, content, filename, extra, post, worker, settled, control):
    message = {"msgtype": msgtype, msgtype: {"media": inline(content, filename, "x/y"), **extra}}
    for _ in range(2):
        accepted = post({"channel": "wecom_app", "to": {"all": True}, "message": message})
        assert settled(accepted.json["id"])["status"] == "sent"
    [upload] = journal(control, "/wecom/cgi-bin/media/upload")  # WeCom ids live 3 days: one upload serves both
    assert upload["query"]["type"] == msgtype and upload["files"]["media"]["md5"] == md5(content)
    sends = journal(control, APP_SEND)
    assert [s["json"] for s in sends] == [{"msgtype": msgtype, "touser": "@all", "agentid": demo.WECOM_AGENT_ID,
                                           msgtype: {"media_id": upload["response"]["media_id"], **extra}}] * 2


def test_wecom_app_mpnews_thumbnail_is_uploaded(post, worker, settled, control):
    article = {"title": "Title", "thumb_media": inline(PNG, "thumb.png", "image/png"), "author": "Me",
               "content": "<p>body</p>", "digest": "short"}
    accepted = post({"channel": "wecom_app", "to": {"users": ["zhangsan"]},
                     "message": {"msgtype": "mpnews", "mpnews": {"articles": [article]}}})
    assert settled(accepted.json["id"])["status"] == "sent"
    [upload] = journal(control, "/wecom/cgi-bin/media/upload")
    [send] = journal(control, APP_SEND)
    sent = send["json"]["mpnews"]["articles"][0]
    assert sent["thumb_media_id"] == upload["response"]["media_id"] and "thumb_media" not in sent


def test_wecom_invalid_recipients_are_recorded(post, worker, settled, control):
    control.post("/config", json={"wecom_invalid_users": ["ghost"], "wecom_invalid_parties": ["99"],
                                  "wecom_invalid_tags": ["7"]}).raise_for_status()
    accepted = post({"channel": "wecom_app", "to": {"users": ["zhangsan", "ghost"], "departments": [1, 99],
                                                    "tags": [7]},
                     "message": {"msgtype": "text", "text": {"content": "hi"}}})
    record = settled(accepted.json["id"])
    assert record["status"] == "sent"
    assert record["answer"]["invalidUsers"] == ["ghost"]
    assert record["answer"]["invalidParties"] == ["99"]
    assert record["answer"]["invalidTags"] == ["7"]
