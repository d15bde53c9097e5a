"""WeChat answers end to end: a sync answered in no documented shape is retried (never taken for "no templates"),
and the daily API quota (45009) fails for good and raises the alert, from a template message or from a job."""

from __future__ import annotations

from sandbox.wechat.seeds import APPROVAL_TEMPLATE_ID, LOGIN_TEMPLATE_ID, SHIPPED_TEMPLATE_ID
from tests.waiting import wait_for

SYNC = "/api/v1/wechat/templates/sync"
MESSAGES = "/api/v1/wechat/template-messages"
ALL_TEMPLATES = {LOGIN_TEMPLATE_ID, SHIPPED_TEMPLATE_ID, APPROVAL_TEMPLATE_ID}


def template_ids(api) -> set[str]:
    return {t["templateId"] for t in api.get("/api/v1/wechat/templates").json["items"]}


def alerts(api) -> list[dict]:
    return api.get("/api/v1/system/status").json["alerts"]


def test_a_sync_answered_without_a_template_list_is_retried_not_taken_for_none(api, worker, control):
    api.run("post", SYNC)
    assert template_ids(api) == ALL_TEMPLATES
    for body in ({}, {"status": 1111, "wait": 0}):
        control.post("/faults", json={"pattern": "/wechat/cgi-bin/template/get_all_private_template",
                                      "kind": "body", "body": body, "times": 1}).raise_for_status()
        job = api.run("post", SYNC)
        assert job["status"] == "succeeded" and job["attempts"] == 2, job
        assert job["result"]["deleted"] == 0
        assert template_ids(api) == ALL_TEMPLATES


def test_the_daily_quota_fails_a_template_message_and_raises_the_alert(api, login_template, control):
    assert alerts(api) == []
    control.post("/faults", json={"pattern": "/wechat/cgi-bin/message/template/send", "kind": "errcode",
                                  "errcode": 45009, "errmsg": "reach max api daily quota limit"}).raise_for_status()
    data = dict.fromkeys(("first", "keyword1", "keyword2", "remark"), "x")
    accepted = api.post(MESSAGES, {"touser": "oFollower1", "template_code": "login", "data": data})
    assert accepted.status_code == 202, accepted.text

    def failed():
        record = api.get(f"/api/v1/notifications/{accepted.json['id']}").json
        return record if record["status"] == "failed" else None
    record = wait_for(failed)
    assert record["errcode"] == 45009 and record["attempts"] == 1
    [alert] = wait_for(lambda: alerts(api))
    assert (alert["platform"], alert["window"], alert["errcode"]) == ("wechat", "day", 45009)
    assert "微信公众号" in alert["message"]["zh-CN"] and "daily quota" in alert["message"]["en"]


def test_the_daily_quota_met_by_a_job_raises_the_alert_too(api, worker, control):
    control.post("/faults", json={"pattern": "/wechat/cgi-bin/template/get_all_private_template", "kind": "errcode",
                                  "errcode": 45009, "errmsg": "reach max api daily quota limit"}).raise_for_status()
    job = api.run("post", SYNC)
    assert job["status"] == "failed" and job["errcode"] == 45009 and job["attempts"] == 1
    [alert] = wait_for(lambda: alerts(api))
    assert (alert["platform"], alert["window"]) == ("wechat", "day")
