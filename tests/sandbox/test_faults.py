"""Injected faults: latency, errcode -1, HTTP 5xx, timeouts; rate, times and patterns."""

from __future__ import annotations

from tests.sandbox.conftest import errcode, last_entry

MENU = "/wechat/cgi-bin/menu/get"


def add_fault(client, **spec):
    result = client.simulate_post("/_sandbox/faults", json=spec)
    assert result.status_code == 201, result.text
    return result.json


def test_errcode_fault_answers_system_busy_with_http_200(client, wechat_token):
    add_fault(client, pattern="/wechat/cgi-bin/menu/*", kind="errcode")
    answer = client.simulate_get(MENU, params={"access_token": wechat_token()})
    assert errcode(answer) == -1 and answer.json["errmsg"].startswith("system error")
    assert last_entry(client, "menu/get")["response"]["errcode"] == -1


def test_errcode_fault_can_carry_any_code(client, dingtalk_token):
    add_fault(client, pattern="/dingtalk/*", kind="errcode", errcode=90002, errmsg="qps limit", times=1)
    path = "/dingtalk/topapi/message/corpconversation/getsendprogress"
    first = client.simulate_post(path, params={"access_token": dingtalk_token}, json={})
    assert first.json["errcode"] == 90002 and "request_id" in first.json
    assert errcode(client.simulate_post(path, params={"access_token": dingtalk_token}, json={})) != 90002


def test_http_fault_answers_a_gateway_page(client):
    add_fault(client, pattern="/wecom/*", kind="http", status=502)
    answer = client.simulate_get("/wecom/cgi-bin/gettoken")
    assert answer.status_code == 502 and "502 Bad Gateway" in answer.text
    entry = last_entry(client, "gettoken")
    assert entry["status"] == 502 and entry["response"] is None


def test_timeout_fault_holds_then_answers_504(client):
    add_fault(client, pattern="/wechat/*", kind="timeout", hold_seconds=0.05)
    answer = client.simulate_get(MENU)
    assert answer.status_code == 504
    assert last_entry(client, "menu/get")["status"] == 504


def test_latency_fault_then_normal_answer(client, wechat_token):
    add_fault(client, pattern=MENU, kind="latency", latency_ms=20)
    assert errcode(client.simulate_get(MENU, params={"access_token": wechat_token()})) == 46003
    rules = client.simulate_get("/_sandbox/faults").json["faults"]
    assert rules[0]["hits"] == 1


def test_rate_zero_never_fires_and_patterns_must_match(client, wechat_token):
    add_fault(client, pattern=MENU, kind="errcode", rate=0)
    add_fault(client, pattern="/wecom/*", kind="errcode")
    assert errcode(client.simulate_get(MENU, params={"access_token": wechat_token()})) == 46003


def test_fractional_rate_hits_some_requests(client):
    add_fault(client, pattern="/wecom/*", kind="errcode", rate=0.5)
    codes = [client.simulate_get("/wecom/cgi-bin/gettoken").json["errcode"] for _ in range(40)]
    assert 0 < codes.count(-1) < 40


def test_faults_are_removed_one_by_one_or_all(client, wechat_token):
    rule = add_fault(client, pattern=MENU, kind="errcode")
    assert client.simulate_delete(f"/_sandbox/faults/{rule['id']}").status_code == 200
    assert errcode(client.simulate_get(MENU, params={"access_token": wechat_token()})) == 46003
    add_fault(client, pattern=MENU, kind="errcode")
    client.simulate_delete("/_sandbox/faults")
    assert errcode(client.simulate_get(MENU, params={"access_token": wechat_token()})) == 46003
    assert client.simulate_delete("/_sandbox/faults/999").status_code == 404


def test_bad_fault_specs_are_refused(client):
    assert client.simulate_post("/_sandbox/faults", json={"pattern": "/x", "kind": "explode"}).status_code == 400
    assert client.simulate_post("/_sandbox/faults", json={"kind": "errcode"}).status_code == 400
    assert client.simulate_post("/_sandbox/faults", json={"pattern": "/x", "kind": "http",
                                                          "status": 200}).status_code == 400
    assert client.simulate_post("/_sandbox/faults", json={"pattern": "/x", "kind": "errcode",
                                                          "colour": "red"}).status_code == 400


def test_faults_from_the_constructor_side(settings, state):
    from falcon.testing import TestClient

    from sandbox import create_app

    state.faults.add({"pattern": "/wecom/*", "kind": "busy"})
    assert TestClient(create_app(settings, state)).simulate_get("/wecom/cgi-bin/gettoken").json["errcode"] == -1


ROBOT = "/dingtalk/robot/send"


def test_flow_control_fault_answers_the_gateway_throttle_without_an_errcode(client):
    add_fault(client, pattern=ROBOT, kind="flow_control", wait=2, times=1)
    answer = client.simulate_post(ROBOT, params={"access_token": "fault-test-robot-token"}, json={"msgtype": "text"})
    assert answer.status_code == 200
    assert answer.json["status"] == 1111 and answer.json["wait"] == 2 and answer.json["punish"] == "deny"
    assert "errcode" not in answer.json
    assert "errcode" in client.simulate_post(ROBOT, params={"access_token": "fault-test-robot-token"}, json={}).json


def test_page_fault_answers_html_with_http_200(client):
    add_fault(client, pattern="/wecom/*", kind="html")
    answer = client.simulate_get("/wecom/cgi-bin/gettoken")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert "<html>" in answer.text and "errcode" not in answer.text


def test_body_fault_answers_any_json(client):
    add_fault(client, pattern="/wechat/*", kind="body", body={"ok": True})
    answer = client.simulate_get("/wechat/cgi-bin/token")
    assert answer.status_code == 200 and answer.json == {"ok": True}
    assert client.simulate_post("/_sandbox/faults", json={"pattern": "/x", "kind": "body"}).status_code == 400
