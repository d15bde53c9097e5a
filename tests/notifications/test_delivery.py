"""The worker's side: permanent failures, retries, budgets, throttles, token refresh, one-shot media, idempotency."""

from __future__ import annotations

import pytest

from config import demo
from models.base import utcnow
from tests.notifications.conftest import FAST
from tests.sandbox_support import journal
from tests.waiting import wait_for
from tests.worker_support import running_worker, wait_until_idle
from workers.actors.notifications import deliver_notification
from workers.notifications.channels import PAUSE_KEY, credential_digest

TEXT = {"msgtype": "text", "text": {"content": "hi"}}
ROBOT = {"channel": "dingtalk_robot", "robot": "ding", "message": TEXT}


def fault(control, **rule) -> None:
    control.post("/faults", json=rule).raise_for_status()


def test_permanent_error_fails_at_once_with_the_errcode(post, robots, worker, settled, control):
    control.delete(f"/robots/dingtalk/{demo.DINGTALK_ROBOT_TOKEN}").raise_for_status()  # the robot was removed
    record = settled(post(ROBOT).json["id"])
    assert record["status"] == "failed"
    assert record["errcode"] == 300005 and record["attempts"] == 1
    assert "token is not exist" in record["lastError"]
    assert [a["outcome"] for a in record["history"]] == ["failed"]


def test_wrong_sign_secret_is_permanent_and_secrets_stay_out_of_the_record(app, keys, robots, post, worker,
                                                                          settled):
    app.simulate_patch("/api/v1/robots/dingtalk/ding", json={"secret": "SECwrong-secret-value"},
                       headers={"Authorization": f"Bearer {keys['admin']}"})
    record = settled(post(ROBOT).json["id"])
    assert record["status"] == "failed" and record["errcode"] == 310000
    assert "SECwrong" not in str(record) and demo.DINGTALK_ROBOT_TOKEN not in str(record)


def test_retryable_errors_are_retried_until_sent(post, robots, worker, settled, control):
    fault(control, pattern="/dingtalk/robot/send", kind="errcode", errcode=-1, times=2)
    record = settled(post(ROBOT).json["id"])
    assert record["status"] == "sent"
    assert [a["outcome"] for a in record["history"]] == ["retry", "retry", "sent"]
    assert record["history"][0]["errcode"] == -1 and record["failedAttempts"] == 2


@pytest.mark.parametrize("notification_settings", [{**FAST, "max_attempts": 3}])
def test_budget_spent_is_dead_with_the_reason(post, robots, worker, settled, control):
    fault(control, pattern="/dingtalk/robot/send", kind="http", status=502)
    record = settled(post(ROBOT).json["id"])
    assert record["status"] == "dead" and record["attempts"] == 3
    assert record["lastError"].startswith("gave up after 3 failed attempts")
    assert "HTTP 502" in record["lastError"]


def test_dingtalk_media_is_uploaded_again_for_a_retry(post, worker, settled, control):
    from tests.notifications.media import PDF, inline
    fault(control, pattern="*/asyncsend_v2", kind="errcode", errcode=-1, times=1)
    accepted = post({"channel": "dingtalk_work", "to": {"users": ["u1"]},
                     "message": {"msgtype": "file", "file": {"media": inline(PDF, "a.pdf", "x/y")}}})
    record = settled(accepted.json["id"])
    assert record["status"] == "sent" and record["attempts"] == 2
    uploads = journal(control, "/dingtalk/media/upload")
    sends = journal(control, "/asyncsend_v2")
    ids = [u["response"]["media_id"] for u in uploads]
    assert len(ids) == 2 and ids[0] != ids[1]
    assert [s["json"]["msg"]["file"]["media_id"] for s in sends] == ids


def test_rejected_token_is_refreshed_by_the_transport_within_one_attempt(post, worker, settled, control):
    first = settled(post({"channel": "wecom_app", "to": {"users": ["a"]}, "message": TEXT}).json["id"])
    control.delete("/tokens").raise_for_status()
    second = settled(post({"channel": "wecom_app", "to": {"users": ["a"]},
                           "message": {"msgtype": "text", "text": {"content": "again"}}}).json["id"])
    assert first["status"] == second["status"] == "sent"
    assert second["attempts"] == 1
    sends = journal(control, "/cgi-bin/message/send")
    assert [s["response"]["errcode"] for s in sends][-2] in (40014, 42001, 40001)
    assert len(journal(control, "/cgi-bin/gettoken")) == 2


@pytest.mark.parametrize("notification_settings", [{**FAST, "robot_rate_limit": None,
                                                    "dingtalk_robot_penalty_seconds": 1.0}])
def test_130101_pauses_the_robot_and_throttled_attempts_do_not_spend_the_budget(post, robots, worker, settled,
                                                                                 control, runtime):
    # Our own limiter is off here, so the platform's limit is what stops us.
    control.post("/config", json={"robot_rate_limit": 2, "robot_window_seconds": 1,
                                  "dingtalk_robot_penalty_seconds": 1}).raise_for_status()
    ids = [post({**ROBOT, "message": {"msgtype": "text", "text": {"content": f"m{i}"}}}).json["id"]
           for i in range(5)]
    pause = PAUSE_KEY.format(f"dingtalk_robot:{credential_digest(demo.DINGTALK_ROBOT_TOKEN)}")
    wait_for(lambda: runtime.redis.exists(pause))
    records = [settled(i, timeout=30) for i in ids]
    assert all(r["status"] == "sent" for r in records)
    throttled = [a for r in records for a in r["history"] if a["outcome"] == "throttled"]
    assert throttled and all(a["errcode"] == 130101 for a in throttled)
    assert all(r["failedAttempts"] == 0 for r in records)


def test_a_sent_record_is_never_sent_again(post, robots, tasks, actor_context, worker, settled, control, runtime):
    delivery_id = post(ROBOT).json["id"]
    settled(delivery_id)
    deliver_notification(actor_context, delivery_id)
    for _ in range(3):
        tasks.deliver_notification(delivery_id)
    wait_until_idle(runtime)
    assert len(journal(control, "/robot/send")) == 1


def test_duplicate_broker_messages_send_once(post, robots, app, tasks, runtime, control, settled):
    delivery_id = post(ROBOT).json["id"]
    for _ in range(5):
        tasks.deliver_notification(delivery_id)
    with running_worker(runtime, threads=8) as worker:
        assert settled(delivery_id)["status"] == "sent"
        worker.join()
    assert len(journal(control, "/robot/send")) == 1


def test_disabled_or_deleted_robot_fails_the_queued_delivery(post, robots, app, keys, actor_context, settled,
                                                             control):
    delivery_id = post(ROBOT).json["id"]
    app.simulate_delete("/api/v1/robots/dingtalk/ding", headers={"Authorization": f"Bearer {keys['admin']}"})
    deliver_notification(actor_context, delivery_id)
    record = settled(delivery_id)
    assert record["status"] == "failed" and "was deleted" in record["lastError"] and record["attempts"] == 0
    assert journal(control, "/robot/send") == []


def test_retry_endpoint_sends_a_failed_notification_again(post, robots, worker, settled, control, app, keys):
    fault(control, pattern="/dingtalk/robot/send", kind="errcode", errcode=40035, errmsg="bad", times=1)
    delivery_id = post(ROBOT).json["id"]
    assert settled(delivery_id)["status"] == "failed"
    notify, admin = ({"Authorization": f"Bearer {keys[k]}"} for k in ("notify", "admin"))
    assert app.simulate_post(f"/api/v1/notifications/{delivery_id}/retry", headers=notify).status_code == 403
    retried = app.simulate_post(f"/api/v1/notifications/{delivery_id}/retry", headers=admin)
    assert retried.status_code == 202
    wait_for(lambda: app.simulate_get(f"/api/v1/notifications/{delivery_id}", headers=admin).json["status"] == "sent")
    assert app.simulate_post(f"/api/v1/notifications/{delivery_id}/retry", headers=admin).status_code == 409


@pytest.mark.parametrize(("channel", "path"), [("dingtalk_work", "/corpconversation/recall"),
                                               ("wecom_app", "/cgi-bin/message/recall")])
def test_work_notifications_can_be_recalled(channel, path, post, worker, settled, app, keys, control, record):
    delivery_id = post({"channel": channel, "to": {"users": ["u1"]}, "message": TEXT}).json["id"]
    answer = settled(delivery_id)["answer"]
    recalled = app.simulate_post(f"/api/v1/notifications/{delivery_id}/recall",
                                 headers={"Authorization": f"Bearer {keys['notify']}"})
    assert recalled.status_code == 202
    wait_for(lambda: record(delivery_id)["recallStatus"] == "recalled")
    [entry] = journal(control, path)
    expected = {"agent_id": demo.DINGTALK_AGENT_ID, "msg_task_id": answer["taskId"]} if channel == "dingtalk_work" \
        else {"msgid": answer["msgid"]}
    assert entry["json"] == expected


def test_robot_messages_cannot_be_recalled(post, robots, worker, settled, app, keys):
    delivery_id = post(ROBOT).json["id"]
    settled(delivery_id)
    assert app.simulate_post(f"/api/v1/notifications/{delivery_id}/recall",
                             headers={"Authorization": f"Bearer {keys['notify']}"}).status_code == 409


def test_budget_counts_age_too():
    from datetime import timedelta

    from core.retry import RetryPolicy
    policy = RetryPolicy(base_seconds=1, max_seconds=8, max_attempts=10, max_age_seconds=60)
    now = utcnow()
    assert policy.give_up(2, now, now + timedelta(seconds=30)) is None
    assert "within 60 s" in policy.give_up(2, now, now + timedelta(seconds=61))
    assert "after 10" in policy.give_up(10, now, now)
    for n in range(1, 8):
        ceiling = min(8, 2 ** (n - 1))
        assert ceiling / 2 <= policy.delay(n) <= ceiling
    assert policy.delay(1, retry_after=60) == 60
