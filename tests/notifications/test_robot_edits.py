"""Robot edits: a PATCH takes effect on the very next send in every worker (the cache is invalidated through
Redis, not left to expire), and a webhook URL pasted whole is reduced to its credential - or refused with a 422
naming the field when its host is not the platform's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from config import demo
from core import robot_versions
from models.robots import Robot, open_credentials
from models.secretbox import SecretBox
from tests.notifications.conftest import SECRET_KEY, bearer
from tests.sandbox_support import journal
from workers.notifications.robots import RobotCache

TEXT = {"msgtype": "text", "text": {"content": "hi"}}
ROBOT = {"channel": "dingtalk_robot", "robot": "ding", "message": TEXT}


def stored_token(runtime, code: str) -> str:
    with runtime.database.session() as session:
        robot = session.scalars(select(Robot).where(Robot.code == code)).one()
        return open_credentials(robot, SecretBox(SECRET_KEY)).token


def test_a_fixed_secret_is_used_by_the_retry_right_after_the_patch(app, keys, robots, post, worker, settled):
    admin = bearer(keys["admin"])
    app.simulate_patch("/api/v1/robots/dingtalk/ding", json={"secret": "SECwrong-secret-value"}, headers=admin)
    delivery_id = post(ROBOT).json["id"]
    assert settled(delivery_id)["errcode"] == 310000  # the worker has the wrong secret cached now
    fixed = app.simulate_patch("/api/v1/robots/dingtalk/ding", json={"secret": demo.DINGTALK_ROBOT_SECRET},
                               headers=admin)
    assert fixed.status_code == 200
    assert app.simulate_post(f"/api/v1/notifications/{delivery_id}/retry", headers=admin).status_code == 202
    record = settled(delivery_id)
    assert record["status"] == "sent", record["lastError"]


def test_another_process_cache_sees_the_edit_on_its_next_read(app, keys, robots, runtime):
    # Two caches with a clock that never moves: only the version in Redis can make them read the robot again.
    frozen = lambda: 1000.0  # noqa: E731
    box = SecretBox(SECRET_KEY)
    first = RobotCache(runtime.database, lambda: box, runtime.redis, clock=frozen)
    second = RobotCache(runtime.database, lambda: box, runtime.redis, clock=frozen)
    with runtime.database.session() as session:
        robot_id = session.scalars(select(Robot.id).where(Robot.code == "wecom")).one()
    assert first.credentials(robot_id, "wecom").token == second.credentials(robot_id, "wecom").token
    changed = app.simulate_patch("/api/v1/robots/wecom/wecom", json={"key": "new-key-0001"},
                                 headers=bearer(keys["admin"]))
    assert changed.status_code == 200
    assert first.credentials(robot_id, "wecom").token == "new-key-0001"
    assert second.credentials(robot_id, "wecom").token == "new-key-0001"
    app.simulate_patch("/api/v1/robots/wecom/wecom", json={"enabled": False}, headers=bearer(keys["admin"]))
    with pytest.raises(Exception, match="disabled"):
        first.credentials(robot_id, "wecom")


def test_without_a_version_change_the_cache_is_not_reread(robots, runtime):
    box = SecretBox(SECRET_KEY)
    cache = RobotCache(runtime.database, lambda: box, runtime.redis, clock=lambda: 1000.0)
    with runtime.database.session() as session:
        robot = session.scalars(select(Robot).where(Robot.code == "wecom")).one()
        robot_id = robot.id
    assert cache.credentials(robot_id, "wecom").token == demo.WECOM_ROBOT_KEY
    with runtime.database.session() as session:  # changed around the API: no version bump
        robot = session.get(Robot, robot_id)
        robot.token_sealed = box.seal("changed-behind-our-back")
    assert cache.credentials(robot_id, "wecom").token == demo.WECOM_ROBOT_KEY
    robot_versions.bump(runtime.redis, robot_id)
    assert cache.credentials(robot_id, "wecom").token == "changed-behind-our-back"


@pytest.mark.parametrize(("platform", "field", "url", "expected"), [
    ("dingtalk", "accessToken", "https://oapi.dingtalk.com/robot/send?access_token=abc123def", "abc123def"),
    ("dingtalk", "accessToken", "  https://oapi.dingtalk.com/robot/send?access_token=abc123def  ", "abc123def"),
    ("wecom", "key", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
     "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"),
    ("wecom", "key", "https://QYAPI.weixin.qq.com/cgi-bin/webhook/send?debug=1&key=k-1", "k-1"),
])
def test_a_pasted_webhook_url_is_reduced_to_its_credential_on_create_and_patch(platform, field, url, expected, app,
                                                                               keys, runtime):
    admin = bearer(keys["admin"])
    created = app.simulate_post(f"/api/v1/robots/{platform}", json={"code": "pasted", "name": "P", field: url},
                                headers=admin)
    assert created.status_code == 201, created.text
    assert stored_token(runtime, "pasted") == expected
    patched = app.simulate_patch(f"/api/v1/robots/{platform}/pasted", json={field: url.replace(expected, "x-2")},
                                 headers=admin)
    assert patched.status_code == 200, patched.text
    assert stored_token(runtime, "pasted") == "x-2"


@pytest.mark.parametrize(("platform", "field", "url"), [
    ("dingtalk", "accessToken", "https://evil.example.com/robot/send?access_token=abc"),
    ("dingtalk", "accessToken", "https://oapi.dingtalk.com.evil.example/robot/send?access_token=abc"),
    ("dingtalk", "accessToken", "http://oapi.dingtalk.com/robot/send?access_token=abc"),
    ("dingtalk", "accessToken", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"),
    ("dingtalk", "accessToken", "https://oapi.dingtalk.com/robot/send?timestamp=1"),
    ("dingtalk", "accessToken", "https://oapi.dingtalk.com/robot/send?access_token=&timestamp=1"),
    ("dingtalk", "accessToken", "https://user@oapi.dingtalk.com:8443/robot/send?access_token=abc"),
    ("wecom", "key", "https://oapi.dingtalk.com/robot/send?access_token=abc"),
    ("wecom", "key", "https://qyapi.weixin.qq.com/cgi-bin/other?key=abc"),
    ("wecom", "key", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a&key=b"),
    ("wecom", "key", "https://[::1/cgi-bin/webhook/send?key=abc"),
], ids=["other-host", "lookalike-host", "http", "wecom-url-for-dingtalk", "no-token", "empty-token", "other-port",
        "dingtalk-url-for-wecom", "other-path", "two-keys", "broken-url"])
def test_a_webhook_url_of_another_host_or_shape_is_a_422_naming_the_field_and_changes_nothing(platform, field, url,
                                                                                              app, keys, runtime):
    admin = bearer(keys["admin"])
    created = app.simulate_post(f"/api/v1/robots/{platform}", json={"code": "bad", "name": "B", field: url},
                                headers=admin)
    assert created.status_code == 422, created.text
    assert [d["field"] for d in created.json["error"]["details"]] == [field]
    assert app.simulate_get(f"/api/v1/robots/{platform}/bad", headers=admin).status_code == 404
    app.simulate_post(f"/api/v1/robots/{platform}", json={"code": "kept", "name": "K", field: "original-1"},
                      headers=admin)
    patched = app.simulate_patch(f"/api/v1/robots/{platform}/kept", json={field: url}, headers=admin)
    assert patched.status_code == 422 and patched.json["error"]["details"][0]["field"] == field
    assert stored_token(runtime, "kept") == "original-1"


def test_a_robot_created_from_its_pasted_url_sends(app, keys, post, worker, settled, control):
    url = f"https://oapi.dingtalk.com/robot/send?access_token={demo.DINGTALK_ROBOT_TOKEN}"
    created = app.simulate_post("/api/v1/robots/dingtalk", json={"code": "from-url", "name": "U", "accessToken": url,
                                                                 "secret": demo.DINGTALK_ROBOT_SECRET},
                                headers=bearer(keys["admin"]))
    assert created.status_code == 201
    record = settled(post({**ROBOT, "robot": "from-url"}).json["id"])
    assert record["status"] == "sent"
    assert journal(control, "/robot/send")[-1]["query"]["access_token"] == demo.DINGTALK_ROBOT_TOKEN
