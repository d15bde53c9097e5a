"""WeCom: tokens, app messages with partly invalid recipients, recall, media, group robots."""

from __future__ import annotations

import base64
import hashlib

import pytest

from config import demo
from sandbox import SandboxOptions
from tests.sandbox.conftest import errcode, last_entry, multipart

ROBOT = {"key": demo.WECOM_ROBOT_KEY}


@pytest.fixture
def options() -> SandboxOptions:
    return SandboxOptions(robot_rate_limit=3, robot_window_seconds=60, wecom_member_rate_limit=2,
                          wecom_invalid_users=["ghost"])


def send(client, token, body):
    return client.simulate_post("/wecom/cgi-bin/message/send", params={"access_token": token}, json=body)


def text(settings, **recipients):
    return {"msgtype": "text", "agentid": settings.third.wecom.agent_id, "text": {"content": "hello"},
            **recipients}


def test_gettoken_answers_the_same_token_until_it_expires(client, settings, state):
    params = {"corpid": settings.third.wecom.corp_id, "corpsecret": settings.third.wecom.corp_secret}
    first = client.simulate_get("/wecom/cgi-bin/gettoken", params=params).json
    assert first["errcode"] == 0 and first["expires_in"] == 7200
    assert client.simulate_get("/wecom/cgi-bin/gettoken", params=params).json["access_token"] == first[
        "access_token"]
    state.clock.advance(7201)
    assert errcode(send(client, first["access_token"], text(settings, touser="a"))) == 42001
    assert client.simulate_get("/wecom/cgi-bin/gettoken", params=params).json["access_token"] != first[
        "access_token"]
    assert errcode(client.simulate_get("/wecom/cgi-bin/gettoken", params={**params, "corpsecret": "x"})) == 40001
    assert last_entry(client, "gettoken")["query"]["corpid"] == settings.third.wecom.corp_id


def test_wecom_errmsg_has_hint_and_unknown_token_is_40014(client, settings):
    answer = send(client, "bogus", text(settings, touser="a")).json
    assert answer["errcode"] == 40014 and "more info at https://open.work.weixin.qq.com" in answer["errmsg"]


def test_send_reports_invalid_users_with_errcode_0(client, settings, wecom_token):
    answer = send(client, wecom_token, text(settings, touser="alice|ghost")).json
    assert answer["errcode"] == 0 and answer["invaliduser"] == "ghost" and answer["msgid"]
    assert last_entry(client, "message/send")["json"]["touser"] == "alice|ghost"
    assert errcode(send(client, wecom_token, text(settings, touser="ghost"))) == 81013


def test_send_checks_agent_type_and_media(client, settings, wecom_token):
    assert errcode(send(client, wecom_token, {**text(settings, touser="a"), "agentid": 1})) == 40056
    assert errcode(send(client, wecom_token, {**text(settings, touser="a"), "msgtype": "fax"})) == 40008
    image = {"msgtype": "image", "agentid": settings.third.wecom.agent_id, "touser": "a",
             "image": {"media_id": "unknown"}}
    assert errcode(send(client, wecom_token, image)) == 40007
    too_many = text(settings, touser="|".join(f"u{i}" for i in range(1001)))
    assert errcode(send(client, wecom_token, too_many)) == 40031


def test_member_rate_excess_is_dropped_silently(client, settings, wecom_token):
    for _ in range(3):
        assert errcode(send(client, wecom_token, text(settings, touser="bob"))) == 0
    deliveries = client.simulate_get("/_sandbox/deliveries", params={"platform": "wecom"}).json["deliveries"]
    assert [d["delivered"] for d in deliveries] == [["bob"], ["bob"], []]
    assert deliveries[-1]["dropped"] == ["bob"]


def test_member_hourly_excess_is_dropped_silently_until_the_hour_moves_on(client, settings, state, wecom_token):
    state.configure({"wecom_member_rate_limit": None, "wecom_member_hourly_limit": 3})
    for _ in range(4):
        assert errcode(send(client, wecom_token, text(settings, touser="carol|dave"))) == 0
        state.clock.advance(61)  # past every minute window: only the hour counts
    deliveries = client.simulate_get("/_sandbox/deliveries", params={"platform": "wecom"}).json["deliveries"]
    assert [d["delivered"] for d in deliveries] == [["carol", "dave"]] * 3 + [[]]
    assert deliveries[-1]["dropped"] == ["carol", "dave"]
    state.clock.advance(3600 - 4 * 61 + 1)  # the first send has left the hour
    assert errcode(send(client, wecom_token, text(settings, touser="carol"))) == 0
    deliveries = client.simulate_get("/_sandbox/deliveries", params={"platform": "wecom"}).json["deliveries"]
    assert deliveries[-1]["delivered"] == ["carol"]


def test_recall(client, settings, wecom_token):
    msgid = send(client, wecom_token, text(settings, touser="a")).json["msgid"]
    recall = {"msgid": msgid}
    url = "/wecom/cgi-bin/message/recall"
    assert client.simulate_post(url, params={"access_token": wecom_token}, json=recall).json == {
        "errcode": 0, "errmsg": "ok"}
    assert errcode(client.simulate_post(url, params={"access_token": wecom_token}, json=recall)) != 0
    assert last_entry(client, "recall")["json"] == recall


def test_media_upload_created_at_is_a_string(client, wecom_token):
    answer = client.simulate_post("/wecom/cgi-bin/media/upload",
                                  params={"access_token": wecom_token, "type": "file"},
                                  **multipart({"media": ("r.pdf", b"%PDF-1.4 report", "application/pdf")})).json
    assert answer["errcode"] == 0 and answer["type"] == "file" and isinstance(answer["created_at"], str)
    assert last_entry(client, "/wecom/cgi-bin/media/upload")["files"]["media"]["size"] == 15
    tiny = client.simulate_post("/wecom/cgi-bin/media/upload", params={"access_token": wecom_token, "type": "file"},
                                **multipart({"media": ("r.txt", b"12345", "text/plain")}))
    assert errcode(tiny) == 40006


def robot_send(client, body, key=demo.WECOM_ROBOT_KEY):
    return client.simulate_post("/wecom/cgi-bin/webhook/send", params={"key": key}, json=body)


def test_robot_send_text_and_journal(client):
    body = {"msgtype": "text", "text": {"content": "hi", "mentioned_list": ["@all"]}}
    assert robot_send(client, body).json == {"errcode": 0, "errmsg": "ok"}
    entry = last_entry(client, "webhook/send")
    assert entry["query"] == ROBOT and entry["json"] == body


def test_robot_unknown_key_is_93000(client):
    assert errcode(robot_send(client, {"msgtype": "text", "text": {"content": "x"}}, key="nope")) == 93000


def test_robot_rate_limit_45009_then_window_frees(client, state):
    body = {"msgtype": "text", "text": {"content": "x"}}
    assert [errcode(robot_send(client, body)) for _ in range(4)] == [0, 0, 0, 45009]
    state.clock.advance(61)
    assert errcode(robot_send(client, body)) == 0
    client.simulate_post("/_sandbox/config", json={"robot_rate_limit": None})
    assert {errcode(robot_send(client, body)) for _ in range(10)} == {0}


def test_robot_markdown_over_4096_bytes(client):
    answer = robot_send(client, {"msgtype": "markdown", "markdown": {"content": "字" * 1366}}).json
    assert answer["errcode"] == 40058 and "markdown.content exceed max length 4096" in answer["errmsg"]
    assert errcode(robot_send(client, {"msgtype": "markdown", "markdown": {"content": "字" * 1365}})) == 0


def test_robot_image_md5_must_match(client):
    raw = b"\x89PNG fake image"
    good = {"msgtype": "image", "image": {"base64": base64.b64encode(raw).decode(),
                                          "md5": hashlib.md5(raw).hexdigest()}}
    assert errcode(robot_send(client, good)) == 0
    bad = {"msgtype": "image", "image": {**good["image"], "md5": "0" * 32}}
    assert errcode(robot_send(client, bad)) == 301019


def test_robot_news_article_count(client):
    article = {"title": "t", "url": "https://example.com"}
    assert errcode(robot_send(client, {"msgtype": "news", "news": {"articles": [article] * 9}})) == 45008


def test_robot_upload_media_then_file_message(client):
    upload = client.simulate_post("/wecom/cgi-bin/webhook/upload_media",
                                  params={"key": demo.WECOM_ROBOT_KEY, "type": "file"},
                                  **multipart({"media": ("log.txt", b"line one\n", "text/plain")})).json
    assert upload["errcode"] == 0 and upload["type"] == "file" and isinstance(upload["created_at"], str)
    assert last_entry(client, "upload_media")["files"]["media"]["filename"] == "log.txt"
    assert errcode(robot_send(client, {"msgtype": "file", "file": {"media_id": upload["media_id"]}})) == 0
    assert errcode(robot_send(client, {"msgtype": "file", "file": {"media_id": "other"}})) == 40007
