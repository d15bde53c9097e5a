"""The REST side: validation, idempotency, records, lists, robots and templates, secrets never shown."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from config import demo
from models.deliveries import Delivery
from models.robots import Robot
from tests.notifications.conftest import SECRET_KEY, bearer
from tests.notifications.media import PDF, PNG, inline
from tests.sandbox_support import journal

QUEUE_MESSAGES = "imbridge-dramatiq:notifications.msgs"
TEXT = {"msgtype": "text", "text": {"content": "hi"}}


def queued(redis_client) -> int:
    """Messages waiting on the notifications queue."""
    return redis_client.hlen(QUEUE_MESSAGES)


def deliveries(runtime) -> int:
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(Delivery))


@pytest.mark.parametrize(("body", "fields"), [
    ({"channel": "dingtalk_robot", "robot": "nope", "message": {"msgtype": "txt"}}, {"robot", "message"}),
    ({"channel": "wecom_robot", "robot": "wecom", "message": {"msgtype": "markdown",
                                                              "markdown": {"content": "x" * 4097}}},
     {"message.markdown.content"}),
    ({"channel": "wecom_robot", "robot": "wecom",
      "message": {"msgtype": "news", "news": {"articles": [{"title": "t", "url": "u"}] * 9}}},
     {"message.news.articles"}),
    ({"channel": "dingtalk_work", "to": {"users": [f"u{i}" for i in range(101)], "tags": [1]},
      "message": {"msgtype": "file", "file": {}}}, {"to.users", "message.file"}),
    ({"channel": "wecom_app", "to": {}, "message": {"msgtype": "text", "text": {"content": "x" * 2049}},
      "extra": 1}, {"to", "message.text.content", "extra"}),
    ({"channel": "pigeon"}, {"body"}),
    ({"channel": "dingtalk_robot", "robot": "ding", "message": {"msgtype": "actionCard", "actionCard": {
        "title": "t", "text": "x", "singleTitle": "a", "singleURL": "b",
        "btns": [{"title": "c", "actionURL": "d"}]}}}, {"message.actionCard"}),
    ({"channel": "wecom_robot", "robot": "wecom",
      "message": {"msgtype": "image", "image": {"base64": "aGVsbG8=", "md5": "0" * 32}}}, {"message.image"}),
    ({"channel": "dingtalk_robot", "robot": "ding", "message": TEXT,
      "template": {"code": "missing-template"}}, {"template.code"}),
])
def test_bad_input_is_one_422_listing_every_problem_and_changes_nothing(body, fields, post, robots, runtime,
                                                                         redis_client):
    result = post(body)
    assert result.status_code == 422, result.text
    error = result.json["error"]
    assert error["code"] == "validation_error"
    reported = {d["field"] for d in error["details"]}
    assert fields <= reported or (fields == {"body"} and reported), reported
    assert deliveries(runtime) == 0
    assert queued(redis_client) == 0


def test_not_json_is_415_or_400(app, keys):
    assert app.simulate_post("/api/v1/notifications", body="x", headers={
        **bearer(keys["notify"]), "Content-Type": "text/plain"}).status_code == 415
    assert app.simulate_post("/api/v1/notifications", body="{", headers={
        **bearer(keys["notify"]), "Content-Type": "application/json"}).status_code == 400


def test_accepted_notification_is_recorded_and_queued_before_any_worker(post, robots, runtime, redis_client):
    result = post({"channel": "dingtalk_robot", "robot": "ding", "message": TEXT})
    assert result.status_code == 202
    assert result.json == {"id": result.json["id"], "status": "queued"}
    assert deliveries(runtime) == 1 and queued(redis_client) == 1


def test_repeated_idempotency_key_returns_the_first_record_and_sends_once(post, robots, worker, settled, control):
    body = {"channel": "dingtalk_robot", "robot": "ding", "message": TEXT}
    first = post(body, headers={"Idempotency-Key": "order-42"})
    assert first.status_code == 202
    settled(first.json["id"])
    again = post({**body, "message": {"msgtype": "text", "text": {"content": "other"}}},
                 headers={"Idempotency-Key": "order-42"})
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json == {"id": first.json["id"], "status": "sent"}
    other_client = post(body, key="other", headers={"Idempotency-Key": "order-42"})
    assert other_client.status_code == 202 and other_client.json["id"] != first.json["id"]
    settled(other_client.json["id"])
    assert len(journal(control, "/robot/send")) == 2  # once per client, not once per request


def test_record_shows_message_history_and_answer_but_no_secret(post, robots, worker, settled, app, keys):
    accepted = post({"channel": "dingtalk_robot", "robot": "ding", "message": TEXT})
    record = settled(accepted.json["id"])
    assert record["message"] == TEXT and record["robot"] == "ding" and record["attempts"] == 1
    assert [a["outcome"] for a in record["history"]] == ["sent"]
    listing = app.simulate_get("/api/v1/notifications", headers=bearer(keys["admin"]))
    robot = app.simulate_get("/api/v1/robots/dingtalk/ding", headers=bearer(keys["admin"]))
    for text in (str(record), listing.text, robot.text):
        assert demo.DINGTALK_ROBOT_TOKEN not in text and demo.DINGTALK_ROBOT_SECRET not in text
    assert robot.json["accessToken"] == demo.DINGTALK_ROBOT_TOKEN[:4] + "****"


def test_list_filters_pages_and_shows_only_own_to_notify_keys(post, robots, app, keys):
    ids = [post({"channel": "dingtalk_robot", "robot": "ding", "message": TEXT}).json["id"] for _ in range(3)]
    ids.append(post({"channel": "wecom_robot", "robot": "wecom", "message": TEXT}).json["id"])
    other = post({"channel": "wecom_robot", "robot": "wecom", "message": TEXT}, key="other").json["id"]

    def listing(key: str = "notify", **params):
        result = app.simulate_get("/api/v1/notifications", params=params, headers=bearer(keys[key]))
        assert result.status_code == 200, result.text
        return result.json

    mine = listing()
    assert mine["total"] == 4 and {i["id"] for i in mine["items"]} == set(ids)
    assert listing(key="admin")["total"] == 5
    assert [i["id"] for i in listing(channel="wecom_robot")["items"]] == [ids[3]]
    assert listing(robot="ding", status="queued")["total"] == 3
    page = listing(limit=2, page=2)
    assert len(page["items"]) == 2 and page["total"] == 4
    assert listing(since="2000-01-01T00:00:00Z", until="2000-01-02T00:00:00+08:00")["total"] == 0
    assert app.simulate_get("/api/v1/notifications", params={"status": "lost"},
                            headers=bearer(keys["notify"])).status_code == 422
    assert app.simulate_get(f"/api/v1/notifications/{other}", headers=bearer(keys["notify"])).status_code == 404


def test_robots_are_managed_with_unique_codes_and_sealed_credentials(app, keys, runtime):
    admin = bearer(keys["admin"])
    created = app.simulate_post("/api/v1/robots/wecom", json={"code": "ops", "name": "Ops", "key": "k-123456789"},
                                headers=admin)
    assert created.status_code == 201 and created.json["key"] == "****"
    assert app.simulate_post("/api/v1/robots/wecom", json={"code": "ops", "name": "x", "key": "k"},
                             headers=admin).status_code == 409
    bad = app.simulate_post("/api/v1/robots/dingtalk", json={"code": "d", "name": "D", "accessToken": "t",
                                                             "secret": "nosec"}, headers=admin)
    assert bad.status_code == 422
    updated = app.simulate_patch("/api/v1/robots/wecom/ops", json={"enabled": False, "remark": "paused"},
                                 headers=admin)
    assert updated.json["enabled"] is False and updated.json["remark"] == "paused"
    assert app.simulate_get("/api/v1/robots/wecom", headers=bearer(keys["notify"])).status_code == 403
    with runtime.database.session() as session:
        stored = session.scalars(select(Robot).where(Robot.code == "ops")).one()
        assert "k-123456789" not in stored.token_sealed
    from models.robots import open_credentials
    from models.secretbox import SecretBox
    with runtime.database.session() as session:
        robot = session.scalars(select(Robot).where(Robot.code == "ops")).one()
        assert open_credentials(robot, SecretBox(SECRET_KEY)).token == "k-123456789"
    assert app.simulate_delete("/api/v1/robots/wecom/ops", headers=admin).status_code == 204
    assert app.simulate_get("/api/v1/robots/wecom/ops", headers=admin).status_code == 404


def test_disabled_robot_is_refused_at_request_time(app, keys, robots, post):
    app.simulate_patch("/api/v1/robots/dingtalk/ding", json={"enabled": False}, headers=bearer(keys["admin"]))
    result = post({"channel": "dingtalk_robot", "robot": "ding", "message": TEXT})
    assert result.status_code == 422 and result.json["error"]["details"][0]["field"] == "robot"


def test_template_fills_the_text_and_a_missing_variable_is_a_422(app, keys, robots, post, worker, settled, control):
    admin = bearer(keys["admin"])
    created = app.simulate_post("/api/v1/notification-templates", json={
        "code": "deploy", "name": "Deploy", "content": "#### ${app} deployed\n> by ${who}, cost $$0"}, headers=admin)
    assert created.status_code == 201 and created.json["variables"] == ["app", "who"]
    assert app.simulate_post("/api/v1/notification-templates", json={
        "code": "broken", "name": "x", "content": "costs $5"}, headers=admin).status_code == 422
    preview = app.simulate_post("/api/v1/notification-templates/deploy/render",
                                json={"variables": {"app": "crm", "who": "ci"}}, headers=bearer(keys["notify"]))
    assert preview.json["text"] == "#### crm deployed\n> by ci, cost $0"
    body = {"channel": "dingtalk_robot", "robot": "ding",
            "message": {"msgtype": "markdown", "markdown": {"title": "Deploy"}},
            "template": {"code": "deploy", "variables": {"app": "crm"}}}
    missing = post(body)
    assert missing.status_code == 422
    assert missing.json["error"]["details"] == [{"field": "template.variables", "message": "no value for who",
                                                 "type": "missing"}]
    body["template"]["variables"]["who"] = "${app}"  # a value is text, never a template itself
    accepted = post(body)
    assert settled(accepted.json["id"])["status"] == "sent"
    [entry] = journal(control, "/robot/send")
    assert entry["json"]["markdown"] == {"title": "Deploy", "text": "#### crm deployed\n> by ${app}, cost $0"}


def test_uploaded_blob_is_referenced_by_id(app, keys, post, worker, settled, control):
    headers = {**bearer(keys["notify"]), "Content-Type": "application/pdf"}
    stored = app.simulate_post("/api/v1/blobs", params={"filename": "report.pdf"}, body=PDF, headers=headers)
    assert stored.status_code == 201
    again = app.simulate_post("/api/v1/blobs", params={"filename": "copy.pdf"}, body=PDF, headers=headers)
    assert again.json["blobId"] == stored.json["blobId"]
    accepted = post({"channel": "dingtalk_work", "to": {"users": ["u1"]},
                     "message": {"msgtype": "file", "file": {"media": {"blobId": stored.json["blobId"]}}}})
    assert settled(accepted.json["id"])["status"] == "sent"
    [upload] = journal(control, "/dingtalk/media/upload")
    assert upload["files"]["media"]["filename"] == "report.pdf"
    assert upload["files"]["media"]["content_type"] == "application/pdf"
    unknown = post({"channel": "dingtalk_work", "to": {"users": ["u1"]},
                    "message": {"msgtype": "file", "file": {"media": {"blobId": "f" * 64}}}})
    assert unknown.status_code == 422 and unknown.json["error"]["details"][0]["field"] == "message.file.media.blobId"


def test_same_media_bytes_are_stored_once(post, runtime):
    from models.blobs import Blob
    for _ in range(3):
        assert post({"channel": "wecom_app", "to": {"all": True}, "message": {
            "msgtype": "image", "image": {"media": inline(PNG, "a.png", "image/png")}}}).status_code == 202
    with runtime.database.session() as session:
        assert session.scalar(select(func.count()).select_from(Blob)) == 1


def test_openapi_lists_the_notification_routes(app):
    paths = app.simulate_get("/openapi.json").json["paths"]
    for path in ("/api/v1/notifications", "/api/v1/notifications/{delivery_id}", "/api/v1/robots/dingtalk",
                 "/api/v1/robots/wecom/{code}", "/api/v1/notification-templates", "/api/v1/blobs"):
        assert path in paths
