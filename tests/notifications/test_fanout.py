"""``/api/v1/notification-groups``: one message to several targets, one record each, followed as one group."""

from __future__ import annotations

from sqlalchemy import func, select

from config import demo
from models.deliveries import Delivery, NotificationGroup
from tests.notifications.conftest import bearer
from tests.sandbox_support import journal
from tests.waiting import wait_for

GROUPS = "/api/v1/notification-groups"
TARGETS = [{"channel": "dingtalk_robot", "robot": "ding"}, {"channel": "wecom_robot", "robot": "wecom"},
           {"channel": "wecom_app", "to": {"users": ["zhangsan"]}},
           {"channel": "dingtalk_work", "to": {"users": ["manager01"]},
            "message": {"msgtype": "text", "text": {"content": "own words"}}}]


def count(runtime, model) -> int:
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def group_of(app, keys, group_id: str, key: str = "notify"):
    return app.simulate_get(f"{GROUPS}/{group_id}", headers=bearer(keys[key]))


def final_group(app, keys, group_id: str) -> dict:
    return wait_for(lambda: (g := group_of(app, keys, group_id).json)["status"] != "pending" and g, 30)


def test_one_request_reaches_every_target_in_its_platforms_shape(app, keys, robots, worker, control):
    result = app.simulate_post(GROUPS, headers=bearer(keys["notify"]), json={
        "targets": TARGETS, "message": {"format": "markdown", "title": "Deploy", "text": "**crm** is live"}})
    assert result.status_code == 202, result.text
    group = result.json
    assert group["size"] == 4 and group["status"] == "pending"
    assert [n["channel"] for n in group["notifications"]] == [t["channel"] for t in TARGETS]
    done = final_group(app, keys, group["id"])
    assert done["status"] == "sent" and done["counts"] == {"sent": 4}
    ding = journal(control, "/robot/send")[0]["json"]
    assert ding["markdown"] == {"title": "Deploy", "text": "**crm** is live"}
    assert journal(control, "/webhook/send")[0]["json"]["markdown"] == {"content": "**crm** is live"}
    assert journal(control, "/message/send")[0]["json"]["markdown"] == {"content": "**crm** is live"}
    [work] = journal(control, "/dingtalk/topapi/message/corpconversation/asyncsend_v2")
    assert work["json"]["msg"] == {"msgtype": "text", "text": {"content": "own words"}}


def test_a_mixed_outcome_is_partial_and_names_each_target(app, keys, robots, worker, control):
    control.delete(f"/robots/dingtalk/{demo.DINGTALK_ROBOT_TOKEN}").raise_for_status()  # DingTalk refuses for good
    result = app.simulate_post(GROUPS, headers=bearer(keys["notify"]), json={
        "targets": TARGETS[:2], "message": {"text": "disk 91% full"}})
    assert result.status_code == 202, result.text
    done = final_group(app, keys, result.json["id"])
    assert done["status"] == "partial" and done["counts"] == {"failed": 1, "sent": 1}
    by_channel = {n["channel"]: n for n in done["notifications"]}
    assert by_channel["dingtalk_robot"]["status"] == "failed" and by_channel["dingtalk_robot"]["lastError"]
    assert journal(control, "/webhook/send")[0]["json"] == {"msgtype": "text", "text": {"content": "disk 91% full"}}


def test_a_repeated_idempotency_key_answers_the_first_group_and_records_nothing(app, keys, robots, runtime):
    body = {"targets": TARGETS[:2], "message": {"text": "once"}}
    headers = {**bearer(keys["notify"]), "Idempotency-Key": "release-42"}
    first = app.simulate_post(GROUPS, headers=headers, json=body)
    again = app.simulate_post(GROUPS, headers=headers, json=body)
    assert first.status_code == 202 and again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true" and again.json["id"] == first.json["id"]
    assert count(runtime, Delivery) == 2 and count(runtime, NotificationGroup) == 1
    other = app.simulate_post(GROUPS, headers={**bearer(keys["other"]), "Idempotency-Key": "release-42"}, json=body)
    assert other.status_code == 202 and other.json["id"] != first.json["id"], "keys are per API key"


def test_an_invalid_target_is_a_422_naming_it_and_nothing_is_recorded(app, keys, robots, runtime):
    result = app.simulate_post(GROUPS, headers=bearer(keys["notify"]), json={
        "targets": [TARGETS[0], {"channel": "wecom_robot", "robot": "nope"}, {"channel": "wechat_template"}],
        "message": {"text": "x"}})
    assert result.status_code == 422, result.text
    fields = {d["field"] for d in result.json["error"]["details"]}
    assert {"targets.1.robot", "targets.2.message"} <= fields
    empty = app.simulate_post(GROUPS, headers=bearer(keys["notify"]), json={"targets": [], "message": {"text": "x"}})
    assert empty.status_code == 422 and empty.json["error"]["details"][0]["field"] == "targets"
    assert count(runtime, Delivery) == 0 and count(runtime, NotificationGroup) == 0


def test_a_template_fills_every_targets_text(app, keys, robots, worker, control):
    created = app.simulate_post("/api/v1/notification-templates", headers=bearer(keys["admin"]),
                                json={"code": "deploy", "name": "Deploy", "content": "${app} is live"})
    assert created.status_code == 201, created.text
    result = app.simulate_post(GROUPS, headers=bearer(keys["notify"]), json={
        "targets": TARGETS[:2], "message": {"format": "markdown", "title": "Deploy"},
        "template": {"code": "deploy", "variables": {"app": "crm"}}})
    assert result.status_code == 202, result.text
    assert final_group(app, keys, result.json["id"])["status"] == "sent"
    assert journal(control, "/robot/send")[0]["json"]["markdown"]["text"] == "crm is live"
    assert journal(control, "/webhook/send")[0]["json"]["markdown"]["content"] == "crm is live"


def test_a_group_is_seen_by_its_own_key_and_admins_only(app, keys, robots):
    group_id = app.simulate_post(GROUPS, headers=bearer(keys["notify"]),
                                 json={"targets": TARGETS[:1], "message": {"text": "mine"}}).json["id"]
    assert group_of(app, keys, group_id, "other").status_code == 404
    assert group_of(app, keys, group_id, "admin").status_code == 200
    assert group_of(app, keys, "no-such-group").json["error"]["code"] == "not_found"
