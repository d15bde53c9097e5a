"""Notifications carry their account: ``account`` picks the app a channel sends through (omitted: the default),
an unknown or unfit one is a 422 naming ``account``, and each send uses its own account's token."""

from __future__ import annotations

from typing import Any

import pytest

from config import demo
from sandbox import callbacks
from tests.keys import bearer
from tests.sandbox_support import journal
from tests.waiting import wait_for

CUSTOM_SEND = "/wechat/cgi-bin/message/custom/send"
OPENID = "oAccountsFollower00000000001"


def custom(text: str, **extra: Any) -> dict[str, Any]:
    return {"channel": "wechat_custom", "message": {"touser": OPENID, "msgtype": "text", "text": {"content": text}},
            **extra}


@pytest.fixture
def post(client, keys):
    def send(body: Any) -> Any:
        return client.simulate_post("/api/v1/notifications", json=body, headers=bearer(keys["notify"]))
    return send


@pytest.fixture
def settled(client, admin):
    def wait(delivery_id: str) -> dict[str, Any]:
        def final() -> dict[str, Any] | None:
            record = client.simulate_get(f"/api/v1/notifications/{delivery_id}", headers=admin).json
            return record if record.get("status") in ("sent", "failed", "dead") else None
        return wait_for(final, 20)
    return wait


def issued_tokens(control) -> dict[str, set[str]]:
    """appid -> the access tokens the sandbox issued to it."""
    found: dict[str, set[str]] = {}
    for entry in journal(control, "/wechat/cgi-bin/stable_token"):
        if entry["response"] and "access_token" in entry["response"]:
            found.setdefault(entry["json"]["appid"], set()).add(entry["response"]["access_token"])
    return found


def test_a_second_accounts_notification_is_sent_with_its_credentials(post, worker, settled, control):
    control.post("/wechat/interactions", json={"openid": OPENID})
    to_sales, to_default = post(custom("from sales", account="sales")), post(custom("from default"))
    assert to_sales.status_code == 202 and to_default.status_code == 202, to_sales.text
    sales, default = settled(to_sales.json["id"]), settled(to_default.json["id"])
    assert (sales["status"], sales["account"]) == ("sent", "sales")
    assert (default["status"], default["account"]) == ("sent", "default")

    tokens = issued_tokens(control)
    used = {entry["json"]["text"]["content"]: entry["query"]["access_token"] for entry in journal(control, CUSTOM_SEND)}
    assert used["from sales"] in tokens["wxsales000000001"]
    assert used["from default"] in tokens[demo.WECHAT_APP_ID]
    assert not tokens["wxsales000000001"] & tokens[demo.WECHAT_APP_ID]  # the two accounts' tokens never mix


@pytest.mark.parametrize(("body", "why"), [
    (custom("x", account="nobody"), "no wechat account has the code 'nobody'"),
    (custom("x", account="support"), "no wechat account has the code 'support'"),  # support is a WeCom app
    (custom("x", account="Bad Code!"), "String should match pattern"),
    ({"channel": "wecom_robot", "robot": "ops", "account": "sales",
      "message": {"msgtype": "text", "text": {"content": "x"}}}, "takes no account"),
    ({"channel": "wechat_template", "account": "sales",
      "message": {"touser": OPENID, "template_code": "order", "data": {"a": "b"}}},
     "no WeChat template with code 'order'"),
])
def test_an_unknown_or_unfit_account_is_422_naming_account(post, runtime, body, why):
    result = post(body)
    assert result.status_code == 422, result.text
    details = result.json["error"]["details"]
    assert any(d["field"] in ("account", "message.template_code") and why in d["message"] for d in details), details


def test_an_omitted_account_is_the_default_and_the_list_shows_accounts(post, client, admin, worker, settled, control):
    control.post("/wechat/interactions", json={"openid": OPENID})
    accepted = post(custom("plain"))
    assert settled(accepted.json["id"])["account"] == "default"
    listed = client.simulate_get("/api/v1/notifications", headers=admin).json["items"]
    assert {item["account"] for item in listed} == {"default"}


def test_a_reply_goes_through_the_account_that_received_the_message(post, client, admin, worker, settled, control,
                                                                     runtime):
    sales = callbacks.as_account(runtime.settings, "sales")
    request = callbacks.build_wechat_callback(sales, callbacks.text_fields(sales, "help", OPENID))
    client.simulate_post("/wechat/portal/sales", params=request.params, body=request.body.encode(),
                         headers={"Content-Type": "text/xml"})
    inbound = wait_for(lambda: client.simulate_get("/api/v1/inbound", headers=admin).json["items"])[0]
    assert inbound["account"] == "sales"
    control.post("/wechat/interactions", json={"openid": OPENID})
    accepted = post({"replyTo": inbound["id"], "message": {"msgtype": "text", "text": {"content": "on it"}}})
    assert accepted.status_code == 202, accepted.text
    assert settled(accepted.json["id"])["account"] == "sales"
    [entry] = journal(control, CUSTOM_SEND)
    assert entry["query"]["access_token"] in issued_tokens(control)["wxsales000000001"]
    contradiction = post({"replyTo": inbound["id"], "account": "default",
                          "message": {"msgtype": "text", "text": {"content": "x"}}})
    assert contradiction.status_code == 422
    assert contradiction.json["error"]["details"][0]["field"] == "account"


def test_a_second_wecom_app_and_a_second_dingtalk_app_send_with_their_own_tokens(post, worker, settled, control):
    sends = [post({"channel": "wecom_app", "account": "ops", "to": {"users": ["zhangsan"]},
                   "message": {"msgtype": "text", "text": {"content": "from ops"}}}),
             post({"channel": "wecom_app", "to": {"users": ["zhangsan"]},
                   "message": {"msgtype": "text", "text": {"content": "from default"}}}),
             post({"channel": "dingtalk_work", "account": "hr", "to": {"users": ["manager"]},
                   "message": {"msgtype": "text", "text": {"content": "from hr"}}})]
    assert [s.status_code for s in sends] == [202, 202, 202], [s.text for s in sends]
    assert [settled(s.json["id"])["status"] for s in sends] == ["sent", "sent", "sent"]

    wecom_tokens = {e["query"]["corpsecret"]: e["response"]["access_token"]
                    for e in journal(control, "/wecom/cgi-bin/gettoken")}
    wecom_sends = {e["json"]["text"]["content"]: e for e in journal(control, "/wecom/cgi-bin/message/send")}
    assert wecom_sends["from ops"]["query"]["access_token"] == wecom_tokens["ops-wecom-secret"]
    assert wecom_sends["from ops"]["json"]["agentid"] == 1000010
    assert wecom_sends["from default"]["query"]["access_token"] == wecom_tokens[demo.WECOM_CORP_SECRET]
    assert wecom_tokens["ops-wecom-secret"] != wecom_tokens[demo.WECOM_CORP_SECRET]

    [hr_grant] = [e for e in journal(control, "/dingtalk/gettoken") if e["query"]["appkey"] == "dinghr0000000001"]
    [work] = journal(control, "asyncsend_v2")
    assert work["query"]["access_token"] == hr_grant["response"]["access_token"]
    assert str(work["form"].get("agent_id") or work["json"].get("agent_id")) == "4040"


def test_the_sandbox_refuses_another_apps_agent_with_a_token(control, sandbox, runtime):
    """The sandbox checks an app message's agent id against the app the token belongs to."""
    import httpx

    grant = httpx.get(f"{sandbox.url}/wecom/cgi-bin/gettoken",
                      params={"corpid": demo.WECOM_CORP_ID, "corpsecret": "ops-wecom-secret"}).json()
    answer = httpx.post(f"{sandbox.url}/wecom/cgi-bin/message/send", params={"access_token": grant["access_token"]},
                        json={"touser": "zhangsan", "agentid": demo.WECOM_AGENT_ID, "msgtype": "text",
                              "text": {"content": "x"}}).json()
    assert answer["errcode"] == 40056


def test_notifications_are_filtered_by_account(post, client, admin, worker, settled, control):
    control.post("/wechat/interactions", json={"openid": OPENID})
    ids = [post(custom("a", account="sales")).json["id"], post(custom("b")).json["id"]]
    for delivery_id in ids:
        settled(delivery_id)
    listed = client.simulate_get("/api/v1/notifications", params={"account": "sales"}, headers=admin).json["items"]
    assert [item["id"] for item in listed] == [ids[0]]
