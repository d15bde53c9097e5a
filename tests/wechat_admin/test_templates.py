"""Private templates: sync (insert, update, delete) against the sandbox, local fields, and template messages as
notifications on the ``wechat_template`` channel."""

from __future__ import annotations

import httpx

from sandbox.wechat.seeds import APPROVAL_TEMPLATE_ID, LOGIN_TEMPLATE_ID, SHIPPED_TEMPLATE_ID
from scheduler.jobs.admin_jobs import sync_wechat_templates
from tests.sandbox_support import journal
from tests.wechat_admin.conftest import job_count, queued_messages
from tests.wechat_admin.template_messages import MESSAGES, delivery

SYNC = "/api/v1/wechat/templates/sync"


def templates(api) -> dict[str, dict]:
    return {t["templateId"]: t for t in api.get("/api/v1/wechat/templates").json["items"]}


def test_first_sync_inserts_every_template_enabled_and_named_after_its_title(api, worker, control):
    job = api.run("post", SYNC)
    assert job["status"] == "succeeded" and job["kind"] == "wechat.templates.sync"
    assert job["result"] == {"inserted": 3, "updated": 0, "deleted": 0, "unchanged": 0, "total": 3}
    [listing] = journal(control, "get_all_private_template")
    assert listing["method"] == "GET" and set(listing["query"]) == {"access_token"}
    local = templates(api)
    assert set(local) == {LOGIN_TEMPLATE_ID, SHIPPED_TEMPLATE_ID, APPROVAL_TEMPLATE_ID}
    login = local[LOGIN_TEMPLATE_ID]
    assert login["name"] == login["title"] == "登录提醒" and login["enabled"] is True and login["code"] is None
    assert login["keys"] == ["first", "keyword1", "keyword2", "remark"]
    assert login["primaryIndustry"] == "IT科技" and login["deputyIndustry"] == "互联网|电子商务"


def test_sync_updates_changed_deletes_gone_and_keeps_local_fields(api, worker, control):
    api.run("post", SYNC)
    login = templates(api)[LOGIN_TEMPLATE_ID]
    edited = api.patch(f"/api/v1/wechat/templates/{login['id']}", {"code": "login", "name": "Login alert"})
    assert edited.status_code == 200
    # The platform changes: a template edited, one deleted, one added.
    control.post("/wechat/templates", json={"template_id": LOGIN_TEMPLATE_ID, "title": "登录提醒",
                                           "content": "{{first.DATA}}\n账号:{{keyword1.DATA}}\n{{remark.DATA}}",
                                           "example": "new"}).raise_for_status()
    control.post("/wechat/templates", json={"template_id": "NEW-TEMPLATE", "title": "新模板",
                                           "content": "{{thing1.DATA}}"}).raise_for_status()
    token = journal(control, "stable_token")[0]["response"]["access_token"]
    base = str(control.base_url).removesuffix("/_sandbox/")
    gone = httpx.post(f"{base}/wechat/cgi-bin/template/del_private_template", params={"access_token": token},
                      json={"template_id": SHIPPED_TEMPLATE_ID}).json()
    assert gone["errcode"] == 0
    job = api.run("post", SYNC)
    assert job["result"] == {"inserted": 1, "updated": 1, "deleted": 1, "unchanged": 1, "total": 3}
    local = templates(api)
    assert set(local) == {LOGIN_TEMPLATE_ID, APPROVAL_TEMPLATE_ID, "NEW-TEMPLATE"}
    assert local[LOGIN_TEMPLATE_ID]["code"] == "login" and local[LOGIN_TEMPLATE_ID]["name"] == "Login alert"
    assert local[LOGIN_TEMPLATE_ID]["keys"] == ["first", "keyword1", "remark"]
    assert local["NEW-TEMPLATE"]["name"] == "新模板" and local["NEW-TEMPLATE"]["enabled"] is True
    again = api.run("post", SYNC)
    assert again["result"] == {"inserted": 0, "updated": 0, "deleted": 0, "unchanged": 3, "total": 3}


def test_local_fields_are_edited_and_the_code_is_unique(api, worker):
    api.run("post", SYNC)
    items = sorted(templates(api).values(), key=lambda t: t["id"])
    first, second = items[0], items[1]
    changed = api.patch(f"/api/v1/wechat/templates/{first['id']}", {"code": "login", "enabled": False})
    assert changed.status_code == 200 and changed.json["code"] == "login" and changed.json["enabled"] is False
    assert api.get(f"/api/v1/wechat/templates/{first['id']}").json["code"] == "login"
    taken = api.patch(f"/api/v1/wechat/templates/{second['id']}", {"code": "login"})
    assert taken.status_code == 409 and taken.json["error"]["code"] == "conflict"
    invalid = api.patch(f"/api/v1/wechat/templates/{second['id']}", {"code": "no spaces", "name": "", "title": "x"})
    assert invalid.status_code == 422
    assert {d["field"] for d in invalid.json["error"]["details"]} == {"code", "name", "title"}
    assert api.get("/api/v1/wechat/templates", params={"enabled": "false"}).json["items"][0]["id"] == first["id"]
    assert api.get("/api/v1/wechat/templates/999999").status_code == 404


def test_the_scheduler_starts_one_sync_at_a_time(runtime, tasks, api, request):
    pending = sync_wechat_templates(runtime, tasks)
    assert pending is not None
    assert sync_wechat_templates(runtime, tasks) is None, "a second sync while the first waits"
    request.getfixturevalue("worker")
    job = api.job(pending)
    assert job["status"] == "succeeded" and job["source"] == "schedule" and job["params"] == {"trigger": "schedule"}
    assert len(templates(api)) == 3
    assert sync_wechat_templates(runtime, tasks) is not None


# --- template messages ---------------------------------------------------------------------------------------

def test_template_message_is_sent_by_code_and_records_the_msgid(api, login_template, control):
    body = {"touser": "oFollower1", "template_code": "login", "url": "https://example.com/login",
            "miniprogram": {"appid": "wxapp", "pagepath": "pages/index"},
            "data": {"first": "您的账号刚刚登录", "keyword1": {"value": "admin", "color": "#173177"},
                     "keyword2": "2024-05-01 10:00", "remark": 42}}
    accepted = api.post(MESSAGES, body)
    assert accepted.status_code == 202, accepted.text
    record = delivery(api, accepted.json["id"])
    assert record["status"] == "sent" and record["channel"] == "wechat_template"
    assert record["target"] == "oFollower1" and record["msgtype"] == "template"
    [send] = journal(control, "message/template/send")
    assert record["answer"] == {"msgid": send["response"]["msgid"]}
    client_msg_id = send["json"].pop("client_msg_id")
    assert client_msg_id and record["message"]["client_msg_id"] == client_msg_id
    assert send["json"] == {
        "touser": "oFollower1", "template_id": LOGIN_TEMPLATE_ID, "url": "https://example.com/login",
        "miniprogram": {"appid": "wxapp", "pagepath": "pages/index"},
        "data": {"first": {"value": "您的账号刚刚登录"}, "keyword1": {"value": "admin", "color": "#173177"},
                 "keyword2": {"value": "2024-05-01 10:00"}, "remark": {"value": "42"}}}


def test_template_message_by_platform_id_through_the_notifications_api(api, login_template, control):
    data = {k: {"value": k} for k in ("first", "keyword1", "keyword2", "remark")}
    accepted = api.post("/api/v1/notifications", {"channel": "wechat_template", "message": {
        "touser": "oFollower2", "template_id": LOGIN_TEMPLATE_ID, "data": data}})
    assert accepted.status_code == 202, accepted.text
    assert delivery(api, accepted.json["id"])["status"] == "sent"
    [send] = journal(control, "message/template/send")
    assert send["json"]["template_id"] == LOGIN_TEMPLATE_ID and send["json"]["data"] == data


def test_unknown_and_missing_keys_are_422_and_nothing_is_sent(runtime, api, login_template, control):
    worker_jobs, queued = job_count(runtime), queued_messages(runtime)
    refused = api.post(MESSAGES, {"touser": "oFollower1", "template_code": "login",
                                  "data": {"first": "hi", "keyword9": "x", "colour": {"value": "y"}}})
    assert refused.status_code == 422
    details = {(d["field"], d["type"]) for d in refused.json["error"]["details"]}
    assert details == {("data.keyword9", "unknown_key"), ("data.colour", "unknown_key"),
                       ("data.keyword1", "missing"), ("data.keyword2", "missing"), ("data.remark", "missing")}
    assert api.get("/api/v1/notifications").json["total"] == 0
    assert job_count(runtime) == worker_jobs and queued_messages(runtime) <= queued
    assert journal(control, "message/template/send") == []


def test_bad_template_messages_list_every_problem(api, login_template):
    unknown = api.post(MESSAGES, {"touser": "bad openid!", "template_code": "nope", "data": {"first": {"color": "red"}},
                                  "extra": 1})
    assert unknown.status_code == 422
    fields = {d["field"] for d in unknown.json["error"]["details"]}
    assert fields == {"touser", "data.first.value", "data.first.color", "extra"}
    no_template = api.post(MESSAGES, {"touser": "o1", "data": {}})
    assert no_template.status_code == 422
    assert [d["field"] for d in no_template.json["error"]["details"]] == ["body"]
    assert "template_code" in no_template.json["error"]["details"][0]["message"]
    not_synced = api.post(MESSAGES, {"touser": "o1", "template_code": "nope", "data": {}})
    assert [d["field"] for d in not_synced.json["error"]["details"]] == ["template_code"]
    other = api.post(MESSAGES, {"touser": "o1", "template_id": APPROVAL_TEMPLATE_ID, "template_code": "login",
                                "data": {}})
    assert [d["field"] for d in other.json["error"]["details"]] == ["template_code"]


def test_disabled_template_is_refused(api, login_template):
    api.patch(f"/api/v1/wechat/templates/{login_template['id']}", {"enabled": False})
    data = dict.fromkeys(("first", "keyword1", "keyword2", "remark"), "x")
    refused = api.post(MESSAGES, {"touser": "o1", "template_code": "login", "data": data})
    assert refused.status_code == 422 and "disabled" in refused.json["error"]["details"][0]["message"]


def test_non_follower_fails_for_good_with_43004(api, login_template, control):
    control.post("/config", json={"wechat_non_followers": ["oGone"]}).raise_for_status()
    data = dict.fromkeys(("first", "keyword1", "keyword2", "remark"), "x")
    accepted = api.post(MESSAGES, {"touser": "oGone", "template_code": "login", "data": data})
    record = delivery(api, accepted.json["id"])
    assert record["status"] == "failed" and record["errcode"] == 43004 and record["attempts"] == 1
    assert len(journal(control, "message/template/send")) == 1


def test_busy_platform_is_retried_and_the_client_msg_id_keeps_it_one_message(api, login_template, control):
    control.post("/faults", json={"pattern": "/wechat/cgi-bin/message/template/send", "kind": "errcode",
                                  "errcode": -1, "times": 2}).raise_for_status()
    data = dict.fromkeys(("first", "keyword1", "keyword2", "remark"), "x")
    accepted = api.post(MESSAGES, {"touser": "oFollower1", "template_code": "login", "data": data})
    record = delivery(api, accepted.json["id"])
    assert record["status"] == "sent" and record["attempts"] == 3
    sends = journal(control, "message/template/send")
    assert len(sends) == 3 and len({s["json"]["client_msg_id"] for s in sends}) == 1


def test_idempotency_key_sends_once(api, login_template, control):
    data = dict.fromkeys(("first", "keyword1", "keyword2", "remark"), "x")
    body = {"touser": "oFollower1", "template_code": "login", "data": data}
    first = api.post(MESSAGES, body, headers={"Idempotency-Key": "order-1"})
    again = api.post(MESSAGES, body, headers={"Idempotency-Key": "order-1"})
    assert first.status_code == 202 and again.status_code == 200 and again.json["id"] == first.json["id"]
    assert delivery(api, first.json["id"])["status"] == "sent"
    assert len(journal(control, "message/template/send")) == 1
