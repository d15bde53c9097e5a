"""The control API: journal filters and reset, config, reset, clock, robots, deliveries."""

from __future__ import annotations

from config import demo


def test_journal_filters_by_path_platform_and_since(client, wechat_token, wecom_token):
    wechat_token()
    all_entries = client.simulate_get("/_sandbox/journal").json["entries"]
    assert [e["platform"] for e in all_entries] == ["wecom", "wechat"]
    by_platform = client.simulate_get("/_sandbox/journal", params={"platform": "wecom"}).json["entries"]
    assert [e["path"] for e in by_platform] == ["/wecom/cgi-bin/gettoken"]
    by_path = client.simulate_get("/_sandbox/journal", params={"path": "cgi-bin/token"}).json["entries"]
    assert {e["path"] for e in by_path} == {"/wechat/cgi-bin/token"}
    since = all_entries[0]["seq"]
    later = client.simulate_get("/_sandbox/journal", params={"since": since}).json["entries"]
    assert [e["seq"] for e in later] == [all_entries[1]["seq"]]
    entry = all_entries[0]
    assert set(entry) == {"seq", "time", "platform", "method", "path", "query", "json", "form", "files", "status",
                          "response"}


def test_journal_delete_empties_it(client, wecom_token):
    assert client.simulate_delete("/_sandbox/journal").json == {"ok": True}
    assert client.simulate_get("/_sandbox/journal").json == {"entries": []}


def test_control_requests_are_not_journaled(client):
    client.simulate_get("/_sandbox/config")
    assert client.simulate_get("/_sandbox/journal").json == {"entries": []}


def test_config_updates_validate(client):
    assert client.simulate_post("/_sandbox/config", json={"robot_rate_limit": None}).json[
        "robot_rate_limit"] is None
    assert client.simulate_post("/_sandbox/config", json={"no_such_knob": 1}).status_code == 400
    assert client.simulate_post("/_sandbox/config", json={"token_lifetime_seconds": 0}).status_code == 400
    assert client.simulate_post("/_sandbox/config", json={"ip_whitelist_fail": True}).json[
        "ip_whitelist_fail"] == ["wechat", "wecom", "dingtalk"]


def test_reset_restores_everything(client, state, wechat_token):
    token = wechat_token()
    client.simulate_post("/_sandbox/config", json={"robot_rate_limit": None})
    client.simulate_post("/_sandbox/faults", json={"pattern": "/*", "kind": "latency", "latency_ms": 1})
    client.simulate_post("/_sandbox/clock", json={"advance": 100})
    assert client.simulate_post("/_sandbox/reset").json == {"ok": True}
    assert client.simulate_get("/_sandbox/config").json["robot_rate_limit"] == 20
    assert client.simulate_get("/_sandbox/faults").json == {"faults": []}
    assert client.simulate_get("/_sandbox/journal").json == {"entries": []}
    menu = client.simulate_get("/wechat/cgi-bin/menu/get", params={"access_token": token})
    assert menu.json["errcode"] == 40001  # tokens are forgotten too
    robots = client.simulate_get("/_sandbox/robots").json["robots"]
    assert {r["token"] for r in robots} == {demo.DINGTALK_ROBOT_TOKEN, demo.WECOM_ROBOT_KEY}


def test_clock_only_moves_forward(client):
    before = client.simulate_get("/_sandbox/clock").json["now"]
    assert client.simulate_post("/_sandbox/clock", json={"advance": 3600}).json["now"] >= before + 3600
    assert client.simulate_post("/_sandbox/clock", json={"advance": -1}).status_code == 400


def test_robots_register_list_delete(client):
    created = client.simulate_post("/_sandbox/robots", json={"platform": "wecom", "key": "k2", "name": "ops"})
    assert created.status_code == 201 and created.json["token"] == "k2"
    body = {"msgtype": "text", "text": {"content": "x"}}
    assert client.simulate_post("/wecom/cgi-bin/webhook/send", params={"key": "k2"}, json=body).json[
        "errcode"] == 0
    assert client.simulate_delete("/_sandbox/robots/wecom/k2").status_code == 200
    assert client.simulate_post("/wecom/cgi-bin/webhook/send", params={"key": "k2"}, json=body).json[
        "errcode"] == 93000
    assert client.simulate_post("/_sandbox/robots", json={"platform": "slack", "token": "t"}).status_code == 400
    assert client.simulate_post("/_sandbox/robots", json={"platform": "wecom", "key": "k", "secret": "s"}
                                ).status_code == 400


def test_templates_can_be_added_like_in_the_console(client, wechat_token):
    body = {"template_id": "tpl-new", "title": "新模板", "content": "{{first.DATA}}"}
    assert client.simulate_post("/_sandbox/wechat/templates", json=body).status_code == 201
    listed = client.simulate_get("/wechat/cgi-bin/template/get_all_private_template",
                                 params={"access_token": wechat_token()}).json["template_list"]
    assert "tpl-new" in {t["template_id"] for t in listed}


def test_health_and_media_listing(client):
    assert client.simulate_get("/_sandbox/health").json["ok"] is True
    assert client.simulate_get("/_sandbox/media").json == {"media": []}


def test_journal_limit_keeps_the_newest_entries(client):
    client.simulate_post("/_sandbox/config", json={"journal_limit": 2})
    for _ in range(3):
        client.simulate_get("/wecom/cgi-bin/gettoken")
    assert [e["seq"] for e in client.simulate_get("/_sandbox/journal").json["entries"]] == [2, 3]


def test_deliveries_limit_keeps_the_newest_messages(client):
    client.simulate_post("/_sandbox/config", json={"deliveries_limit": 2})
    for n in range(3):
        client.simulate_post("/wecom/cgi-bin/webhook/send", params={"key": demo.WECOM_ROBOT_KEY},
                             json={"msgtype": "text", "text": {"content": f"m{n}"}})
    items = client.simulate_get("/_sandbox/deliveries").json["deliveries"]
    assert [d["message"]["text"]["content"] for d in items] == ["m1", "m2"]
