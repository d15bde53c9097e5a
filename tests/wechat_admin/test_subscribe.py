"""Subscription messages: the templates of the Official Account and the mini-program synced with their keys, data
checked against each key type's rule before anything is recorded, and the two channels (``wechat_subscribe``,
``applet_subscribe``) sent with each account's own token; 43101 (not subscribed) fails for good."""

from __future__ import annotations

import pytest

from config import demo
from sandbox.wechat.seeds import APPLET_SUBSCRIBE_TEMPLATE_ID, SUBSCRIBE_TEMPLATE_ID
from tests.sandbox_support import journal
from tests.wechat_admin.conftest import job_count, queued_messages
from tests.wechat_admin.test_templates import delivery

SYNC = "/api/v1/wechat/subscribe-templates/sync"
OA_MESSAGES = "/api/v1/wechat/subscribe-messages"
APPLET_MESSAGES = "/api/v1/wechat/applet-subscribe-messages"
TICKET = {"thing1": "打印机故障", "phrase2": "已完成", "time3": "2024-05-01 10:00"}
ORDER = {"character_string1": "20240501001", "amount2": "¥99.00", "thing3": "年度会员", "date4": "2024年5月1日 10:00"}


def templates(api) -> dict[str, dict]:
    return {t["templateId"]: t for t in api.get("/api/v1/wechat/subscribe-templates").json["items"]}


@pytest.fixture
def synced(api, worker) -> dict[str, dict]:
    """Both accounts' templates synced, coded ``ticket`` (Official Account) and ``order`` (mini-program)."""
    api.run("post", SYNC)
    local = templates(api)
    api.patch(f"/api/v1/wechat/subscribe-templates/{local[SUBSCRIBE_TEMPLATE_ID]['id']}", {"code": "ticket"})
    api.patch(f"/api/v1/wechat/subscribe-templates/{local[APPLET_SUBSCRIBE_TEMPLATE_ID]['id']}", {"code": "order"})
    return local


def test_sync_takes_both_accounts_templates_with_their_keys(api, worker, control):
    job = api.run("post", SYNC)
    assert job["status"] == "succeeded" and job["kind"] == "wechat.subscribe_templates.sync"
    assert job["result"] == {"inserted": 2, "updated": 0, "deleted": 0, "unchanged": 0, "total": 2,
                             "apps": ["applet", "oa"]}
    local = templates(api)
    oa, applet = local[SUBSCRIBE_TEMPLATE_ID], local[APPLET_SUBSCRIBE_TEMPLATE_ID]
    assert (oa["app"], oa["account"], oa["keys"], oa["name"], oa["enabled"]) == (
        "oa", "default", ["thing1", "phrase2", "time3"], "工单进度通知", True)
    assert (applet["app"], applet["keys"]) == ("applet", ["character_string1", "amount2", "thing3", "date4"])
    assert oa["keyRules"] == [  # what the admin page shows for each key
        {"key": "thing1", "type": "thing", "maxChars": 20, "formatted": False},
        {"key": "phrase2", "type": "phrase", "maxChars": 5, "formatted": False},
        {"key": "time3", "type": "time", "maxChars": 64, "formatted": True}]
    listings = journal(control, "/wxaapi/newtmpl/gettemplate")
    assert len({entry["query"]["access_token"] for entry in listings}) == 2  # each account with its own token
    assert api.run("post", SYNC)["result"]["unchanged"] == 2
    applet_only = api.get("/api/v1/wechat/subscribe-templates", params={"app": "applet"}).json["items"]
    assert [t["templateId"] for t in applet_only] == [APPLET_SUBSCRIBE_TEMPLATE_ID]
    bad = api.get("/api/v1/wechat/subscribe-templates", params={"app": "web"})
    assert bad.status_code == 422 and bad.json["error"]["details"][0]["field"] == "app"


def test_an_official_account_subscription_message_is_sent_by_code(api, synced, control):
    accepted = api.post(OA_MESSAGES, {"touser": "oFollower1", "template_code": "ticket", "data": TICKET,
                                      "miniprogram": {"appid": "wxapp", "pagepath": "pages/ticket"}})
    assert accepted.status_code == 202, accepted.text
    record = delivery(api, accepted.json["id"])
    assert (record["status"], record["channel"], record["target"], record["msgtype"]) == (
        "sent", "wechat_subscribe", "oFollower1", "subscribe")
    [send] = journal(control, "/cgi-bin/message/subscribe/bizsend")
    assert send["json"] == {"touser": "oFollower1", "template_id": SUBSCRIBE_TEMPLATE_ID,
                            "miniprogram": {"appid": "wxapp", "pagepath": "pages/ticket"},
                            "data": {key: {"value": value} for key, value in TICKET.items()}}


def test_a_mini_program_subscription_message_goes_with_the_mini_programs_token(api, synced, control):
    accepted = api.post("/api/v1/notifications", {"channel": "applet_subscribe", "message": {
        "touser": "oApplet1", "template_code": "order", "data": ORDER, "page": "pages/order?id=1",
        "miniprogram_state": "trial", "lang": "zh_CN"}})
    assert accepted.status_code == 202, accepted.text
    assert delivery(api, accepted.json["id"])["status"] == "sent"
    [send] = journal(control, "/cgi-bin/message/subscribe/send")
    assert send["json"]["template_id"] == APPLET_SUBSCRIBE_TEMPLATE_ID and send["json"]["lang"] == "zh_CN"
    applet_tokens = [e["response"]["access_token"] for e in journal(control, "/cgi-bin/stable_token")
                     if e["json"]["appid"] == demo.WECHAT_APPLET_APP_ID]
    assert send["query"]["access_token"] in applet_tokens


def test_a_user_who_did_not_subscribe_fails_for_good_with_43101(api, synced, control):
    control.post("/config", json={"wechat_unsubscribed": ["oRefused"]}).raise_for_status()
    accepted = api.post(APPLET_MESSAGES, {"touser": "oRefused", "template_code": "order", "data": ORDER})
    record = delivery(api, accepted.json["id"])
    assert record["status"] == "failed" and record["errcode"] == 43101 and record["attempts"] == 1
    assert "refuse" in record["lastError"]
    assert len(journal(control, "/cgi-bin/message/subscribe/send")) == 1


@pytest.mark.parametrize(("key", "value", "says"), [
    ("thing1", "一" * 21, "at most 20"), ("phrase2", "已经全部完成了", "at most 5"), ("time3", "tomorrow", "a time"),
])
def test_a_value_breaking_its_keys_rule_is_a_422_naming_the_key(runtime, api, synced, control, key, value, says):
    queued, jobs = queued_messages(runtime), job_count(runtime)
    refused = api.post(OA_MESSAGES, {"touser": "oFollower1", "template_code": "ticket",
                                     "data": {**TICKET, key: value}})
    assert refused.status_code == 422
    [detail] = refused.json["error"]["details"]
    assert detail["field"] == f"data.{key}.value" and says in detail["message"]
    assert api.get("/api/v1/notifications").json["total"] == 0
    assert queued_messages(runtime) <= queued and job_count(runtime) == jobs
    assert journal(control, "/cgi-bin/message/subscribe/bizsend") == []


def test_unknown_and_missing_keys_and_the_other_accounts_template_are_422(api, synced):
    refused = api.post(OA_MESSAGES, {"touser": "oFollower1", "template_code": "ticket",
                                     "data": {"thing1": "x", "thing9": "y"}})
    assert {(d["field"], d["type"]) for d in refused.json["error"]["details"]} == {
        ("data.thing9", "unknown_key"), ("data.phrase2", "missing"), ("data.time3", "missing")}
    other = api.post(OA_MESSAGES, {"touser": "oFollower1", "template_code": "order", "data": ORDER})
    assert other.status_code == 422 and [d["field"] for d in other.json["error"]["details"]] == ["template_code"]
    wrong_field = api.post(APPLET_MESSAGES, {"touser": "o1", "template_code": "order", "data": ORDER,
                                             "miniprogram": {"appid": "wx", "pagepath": "p"}, "lang": "fr"})
    assert {d["field"] for d in wrong_field.json["error"]["details"]} == {"miniprogram", "lang"}


def test_the_scheduler_keeps_the_mini_programs_token_in_its_own_slot(runtime, control):
    from scheduler.jobs.tokens import refresh_tokens

    assert refresh_tokens(runtime)["wechat_applet"] == "ok"
    applet = runtime.clients.token_store.peek(f"wechat_applet:{demo.WECHAT_APPLET_APP_ID}")
    official = runtime.clients.token_store.peek(f"wechat:{demo.WECHAT_APP_ID}")
    assert applet and official and applet != official
    fetched = {e["json"]["appid"] for e in journal(control, "/cgi-bin/stable_token")}
    assert fetched == {demo.WECHAT_APP_ID, demo.WECHAT_APPLET_APP_ID}
