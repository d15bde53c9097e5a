"""DingTalk: tokens, work notifications and their results, one-shot media, custom robots."""

from __future__ import annotations

import pytest

from config import demo
from sandbox import SandboxOptions
from tests.sandbox.conftest import errcode, last_entry, multipart
from tests.sandbox.dingtalk_calls import NOTICE, notice, topapi
from tests.wire_witness import dingtalk_robot_sign


@pytest.fixture
def options() -> SandboxOptions:
    return SandboxOptions(robot_rate_limit=3, robot_window_seconds=60, dingtalk_robot_penalty_seconds=120,
                          dingtalk_invalid_users=["ghost"], dingtalk_forbidden_users=["muted"])


def test_gettoken_shape_same_token_renewed(client, settings, state):
    params = {"appkey": settings.third.ding_talk.app_key, "appsecret": settings.third.ding_talk.app_secret}
    first = client.simulate_get("/dingtalk/gettoken", params=params).json
    assert first["errcode"] == 0 and first["expires_in"] == 7200 and first["access_token"]
    state.clock.advance(7000)
    again = client.simulate_get("/dingtalk/gettoken", params=params).json
    assert again["access_token"] == first["access_token"] and again["expires_in"] == 7200
    assert errcode(client.simulate_get("/dingtalk/gettoken", params={**params, "appsecret": "x"})) == 40089
    assert last_entry(client, "/dingtalk/gettoken")["query"]["appkey"] == params["appkey"]


def test_unknown_and_expired_tokens(client, settings, state, dingtalk_token):
    answer = topapi(client, "asyncsend_v2", "bogus", notice(settings)).json
    assert answer["errcode"] == 40014 and "request_id" in answer
    state.clock.advance(7201)
    assert errcode(topapi(client, "asyncsend_v2", dingtalk_token, notice(settings))) == 42001


def test_asyncsend_progress_and_result(client, settings, dingtalk_token):
    sent = topapi(client, "asyncsend_v2", dingtalk_token, notice(settings, "alice,ghost,muted")).json
    assert sent["errcode"] == 0 and isinstance(sent["task_id"], int)
    assert last_entry(client, "asyncsend_v2")["json"]["userid_list"] == "alice,ghost,muted"
    ask = {"agent_id": settings.third.ding_talk.agent_id, "task_id": sent["task_id"]}
    progress = topapi(client, "getsendprogress", dingtalk_token, ask).json
    assert progress["progress"] == {"progress_in_percent": 100, "status": 2}
    result = topapi(client, "getsendresult", dingtalk_token, ask).json["send_result"]
    assert result == {"invalid_user_id_list": ["ghost"], "forbidden_user_id_list": ["muted"],
                      "unread_user_id_list": ["alice"]}
    assert last_entry(client, "getsendresult")["response"]["send_result"] == result


def test_same_content_twice_a_day_is_forbidden_although_send_succeeds(client, settings, dingtalk_token):
    topapi(client, "asyncsend_v2", dingtalk_token, notice(settings, "alice"))
    again = topapi(client, "asyncsend_v2", dingtalk_token, notice(settings, "alice")).json
    assert again["errcode"] == 0
    ask = {"agent_id": settings.third.ding_talk.agent_id, "task_id": again["task_id"]}
    result = topapi(client, "getsendresult", dingtalk_token, ask).json["send_result"]
    assert result == {"forbidden_user_id_list": ["alice"]}


def test_progress_runs_over_task_seconds(client, settings, state, dingtalk_token):
    client.simulate_post("/_sandbox/config", json={"dingtalk_task_seconds": 10})
    task_id = topapi(client, "asyncsend_v2", dingtalk_token, notice(settings)).json["task_id"]
    ask = {"agent_id": settings.third.ding_talk.agent_id, "task_id": task_id}
    state.clock.advance(5)
    assert topapi(client, "getsendprogress", dingtalk_token, ask).json["progress"]["status"] == 1
    assert topapi(client, "getsendresult", dingtalk_token, ask).json["send_result"] == {}
    state.clock.advance(5)
    assert topapi(client, "getsendprogress", dingtalk_token, ask).json["progress"]["status"] == 2


def test_asyncsend_limits(client, settings, dingtalk_token):
    users = ",".join(f"u{i}" for i in range(101))
    assert errcode(topapi(client, "asyncsend_v2", dingtalk_token, notice(settings, users))) == 40035
    assert errcode(topapi(client, "asyncsend_v2", dingtalk_token, {**notice(settings), "agent_id": 1})) == 40056
    no_content = notice(settings, msgtype="markdown", markdown={"title": "t"})
    assert errcode(topapi(client, "asyncsend_v2", dingtalk_token, no_content)) == 40035


def test_asyncsend_accepts_urlencoded_with_msg_as_json_string(client, settings, dingtalk_token):
    body = (f"agent_id={settings.third.ding_talk.agent_id}&userid_list=carol"
            "&msg=%7B%22msgtype%22%3A%22text%22%2C%22text%22%3A%7B%22content%22%3A%22hi%22%7D%7D")
    answer = client.simulate_post(f"{NOTICE}/asyncsend_v2", params={"access_token": dingtalk_token}, body=body,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"}).json
    assert answer["errcode"] == 0
    assert last_entry(client, "asyncsend_v2")["form"]["userid_list"] == "carol"


def test_recall(client, settings, dingtalk_token):
    task_id = topapi(client, "asyncsend_v2", dingtalk_token, notice(settings)).json["task_id"]
    body = {"agent_id": settings.third.ding_talk.agent_id, "msg_task_id": task_id}
    assert errcode(topapi(client, "recall", dingtalk_token, body)) == 0
    assert errcode(topapi(client, "recall", dingtalk_token, {**body, "msg_task_id": 1})) == 40035
    assert last_entry(client, "recall")["json"] == {**body, "msg_task_id": 1}


def test_media_id_works_once(client, settings, dingtalk_token):
    upload = client.simulate_post("/dingtalk/media/upload", params={"access_token": dingtalk_token, "type": "image"},
                                  **multipart({"media": ("p.png", b"\x89PNG....", "image/png")})).json
    assert upload["errcode"] == 0 and upload["media_id"].startswith("@")
    assert last_entry(client, "media/upload")["files"]["media"]["filename"] == "p.png"
    message = notice(settings, msgtype="image", image={"media_id": upload["media_id"]})
    assert errcode(topapi(client, "asyncsend_v2", dingtalk_token, message)) == 0
    second = topapi(client, "asyncsend_v2", dingtalk_token, message).json
    assert second["errcode"] == 40007 and second["errmsg"] == "不合法的媒体文件id"


def robot_send(client, body, *, token=demo.DINGTALK_ROBOT_TOKEN, timestamp=None, sign=None, state=None):
    params = {"access_token": token}
    if timestamp is not None:
        params.update(timestamp=str(timestamp), sign=sign)
    return client.simulate_post("/dingtalk/robot/send", params=params, json=body)


def signed(client, state, body, secret=demo.DINGTALK_ROBOT_SECRET, skew_ms=0):
    timestamp = state.clock.now_ms() + skew_ms
    return robot_send(client, body, timestamp=timestamp, sign=dingtalk_robot_sign(secret, timestamp))


TEXT = {"msgtype": "text", "text": {"content": "build ok"}, "at": {"atMobiles": [], "isAtAll": False}}


def test_robot_signature_good_wrong_and_stale(client, state):
    assert signed(client, state, TEXT).json == {"errcode": 0, "errmsg": "ok"}
    entry = last_entry(client, "robot/send")
    assert entry["json"] == TEXT and set(entry["query"]) == {"access_token", "timestamp", "sign"}
    wrong = signed(client, state, TEXT, secret="SECwrong").json
    assert wrong["errcode"] == 310000 and "sign not match" in wrong["errmsg"] and "request_id" not in wrong
    stale = signed(client, state, TEXT, skew_ms=-3_600_001).json
    assert stale["errcode"] == 310000 and "timestamp" in stale["errmsg"]
    assert errcode(robot_send(client, TEXT)) == 310000  # a signing robot needs timestamp and sign


def test_robot_unknown_token_and_content_type(client, state):
    assert errcode(robot_send(client, TEXT, token="nope")) == 300005
    timestamp = state.clock.now_ms()
    plain = client.simulate_post("/dingtalk/robot/send", body='{"msgtype":"text","text":{"content":"x"}}',
                                 headers={"Content-Type": "text/plain"},
                                 params={"access_token": demo.DINGTALK_ROBOT_TOKEN, "timestamp": str(timestamp),
                                         "sign": dingtalk_robot_sign(demo.DINGTALK_ROBOT_SECRET, timestamp)})
    assert errcode(plain) == 43004


def test_robot_rate_limit_then_penalty(client, state):
    assert [errcode(signed(client, state, TEXT)) for _ in range(4)] == [0, 0, 0, 130101]
    state.clock.advance(61)
    assert errcode(signed(client, state, TEXT)) == 130101  # still in the penalty box
    state.clock.advance(60)
    assert errcode(signed(client, state, TEXT)) == 0


def test_robot_bodies_per_msgtype(client, state):
    client.simulate_post("/_sandbox/config", json={"robot_rate_limit": None})
    good = [
        {"msgtype": "link", "link": {"text": "t", "title": "T", "picUrl": "", "messageUrl": "https://x"}},
        {"msgtype": "markdown", "markdown": {"title": "T", "text": "# hi"}},
        {"msgtype": "actionCard", "actionCard": {"title": "T", "text": "x", "singleTitle": "go",
                                                 "singleURL": "https://x"}},
        {"msgtype": "actionCard", "actionCard": {"title": "T", "text": "x", "btnOrientation": "0",
                                                 "btns": [{"title": "a", "actionURL": "https://x"}]}},
        {"msgtype": "feedCard", "feedCard": {"links": [{"title": "a", "messageURL": "https://x",
                                                        "picURL": "https://x/p.png"}]}},
    ]
    assert [errcode(signed(client, state, body)) for body in good] == [0] * len(good)
    bad = [{"msgtype": "text", "text": {}}, {"msgtype": "actionCard", "actionCard": {"title": "T", "text": "x"}},
           {"msgtype": "voice"}]
    assert [errcode(signed(client, state, body)) for body in bad] == [40035] * len(bad)
    too_long = {"msgtype": "text", "text": {"content": "x" * 20001}}
    answer = signed(client, state, too_long).json
    assert answer["errcode"] == 460101 and "too long" in answer["errmsg"]


def test_registered_robot_with_keywords(client, state):
    robot = {"platform": "dingtalk", "token": "t-keywords", "keywords": ["alert"]}
    assert client.simulate_post("/_sandbox/robots", json=robot).status_code == 201
    body = {"msgtype": "text", "text": {"content": "all good"}}
    answer = robot_send(client, body, token="t-keywords").json
    assert answer["errcode"] == 310000 and "keywords" in answer["errmsg"]
    assert errcode(robot_send(client, {"msgtype": "text", "text": {"content": "alert: disk"}},
                              token="t-keywords")) == 0
