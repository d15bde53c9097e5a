"""``GET /api/v1/system/status``: what the admin's System screen shows, read back after real traffic."""

from __future__ import annotations

from models.base import utcnow
from models.jobs import Job, JobStatus
from scheduler.jobs.tokens import refresh_tokens
from tests.notifications.conftest import bearer


def test_status_shows_tokens_queues_failures_and_deliveries_per_minute(app, keys, runtime, worker, post, settled):
    accepted = post({"channel": "dingtalk_work", "to": {"users": ["manager01"]},
                     "message": {"msgtype": "text", "text": {"content": "report ready"}}})
    assert accepted.status_code == 202, accepted.text
    assert settled(accepted.json["id"])["status"] == "sent"
    with runtime.database.session() as session:
        session.add(Job(kind="wechat.menu.publish", status=JobStatus.FAILED.value, error="errcode 40018: bad button",
                        errcode=40018, attempts=1, finished_at=utcnow()))

    result = app.simulate_get("/api/v1/system/status", params={"minutes": "15"}, headers=bearer(keys["admin"]))
    assert result.status_code == 200, result.text
    status = result.json

    tokens = {t["app"]: t for t in status["tokens"]}
    # the mini-program has its own token, and so has DingTalk's v1.0 API
    assert set(tokens) == {"wechat", "wechat_applet", "wecom", "dingtalk", "dingtalk_v1"}
    ding = tokens["dingtalk"]
    assert ding["cached"] and ding["fetchCount"] == 1 and ding["ageSeconds"] >= 0
    assert 0 < ding["refreshInSeconds"] < ding["expiresInSeconds"]
    assert tokens["wechat"]["fetchCount"] == 0 and tokens["wechat"]["refreshInSeconds"] == 0
    assert tokens["dingtalk_v1"]["appKey"] == "dingtalk-v1:" + runtime.settings.third.ding_talk.app_key

    queues = {q["queue"]: q for q in status["queues"]}
    assert {"notifications", "jobs", "default"} <= set(queues)
    assert all(isinstance(q[k], int) for q in queues.values() for k in ("ready", "delayed", "dead"))

    assert [(j["kind"], j["errcode"]) for j in status["recentJobFailures"]] == [("wechat.menu.publish", 40018)]

    minutes = status["deliveriesPerMinute"]
    assert len(minutes) == status["windowMinutes"] == 15
    assert minutes == sorted(minutes, key=lambda m: m["minute"])
    assert sum(m["counts"].get("sent", 0) for m in minutes) == 1


def test_status_query_is_validated(app, keys):
    result = app.simulate_get("/api/v1/system/status", params={"minutes": "0"}, headers=bearer(keys["admin"]))
    assert result.status_code == 422
    assert result.json["error"]["details"][0]["field"] == "minutes"


def test_the_scheduler_keeps_the_dingtalk_v1_token_in_its_own_slot(runtime):
    assert refresh_tokens(runtime)["dingtalk_v1"] == "ok"
    slot = "dingtalk-v1:" + runtime.settings.third.ding_talk.app_key
    token = runtime.clients.token_store.peek(slot)
    assert token and token != runtime.clients.token_store.peek("dingtalk:" + runtime.settings.third.ding_talk.app_key)
