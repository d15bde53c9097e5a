"""``POST /api/v1/notifications/batch``: many notifications in one request, all accepted or none."""

from __future__ import annotations

import json

import falcon.testing
import pytest
from sqlalchemy import func, select

from core.runtime import Runtime
from ingress import create_app
from models.deliveries import Delivery
from scheduler.jobs.outbox import stranded, sweep_outbox
from tests.notifications.conftest import bearer
from tests.notifications.media import PNG, inline
from tests.sandbox_support import journal
from tests.worker_support import running_worker

BATCH = "/api/v1/notifications/batch"
QUEUE_MESSAGES = "imbridge-dramatiq:notifications.msgs"


def text(content: str) -> dict:
    return {"msgtype": "text", "text": {"content": content}}


def ding(content: str, **extra) -> dict:
    return {"channel": "dingtalk_robot", "robot": "ding", "message": text(content), **extra}


def count(runtime, model=Delivery) -> int:
    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def batch(app, keys):
    def send(body, key: str = "notify", app: falcon.testing.TestClient = app) -> falcon.testing.Result:
        return app.simulate_post(BATCH, json=body, headers=bearer(keys[key]))
    return send


def test_valid_batch_is_recorded_queued_and_delivered_in_request_order(batch, robots, worker, settled, control,
                                                                       record):
    items = [ding("batch-0"), {"channel": "wecom_robot", "robot": "wecom", "message": text("batch-1")},
             {"channel": "wecom_app", "to": {"users": ["u1"]}, "message": text("batch-2")}, ding("batch-3")]
    result = batch({"notifications": items})
    assert result.status_code == 202, result.text
    answers = result.json["notifications"]
    assert [a["status"] for a in answers] == ["queued"] * 4 and len({a["id"] for a in answers}) == 4
    for answer, item in zip(answers, items, strict=True):
        final = settled(answer["id"])
        assert final["status"] == "sent" and final["message"] == item["message"]
        assert final["channel"] == item["channel"]
    sent = [e["json"]["text"]["content"] for e in journal(control, "/robot/send")]
    assert sorted(sent) == ["batch-0", "batch-3"]
    assert [e["json"]["text"]["content"] for e in journal(control, "/webhook/send")] == ["batch-1"]
    assert [e["json"]["touser"] for e in journal(control, "/message/send")] == ["u1"]


def test_one_invalid_item_is_one_422_for_every_item_and_records_nothing(batch, robots, runtime, redis_client):
    items = [ding("fine", idempotency_key="k-1"),
             {"channel": "wecom_robot", "robot": "wecom",
              "message": {"msgtype": "file", "file": {"media": inline(PNG, "a.png", "image/png")}}},  # valid
             {"channel": "dingtalk_robot", "robot": "nope", "message": {"msgtype": "txt"}},
             "not an object",
             ding("x" * 30_000, idempotency_key="\x01")]
    result = batch({"notifications": items})
    assert result.status_code == 422, result.text
    error = result.json["error"]
    assert error["code"] == "validation_error"
    fields = {d["field"] for d in error["details"]}
    assert {"notifications.2.robot", "notifications.2.message", "notifications.3",
            "notifications.4.idempotency_key"} <= fields, fields
    assert not any(f.startswith(("notifications.0", "notifications.1")) for f in fields)
    assert count(runtime) == 0
    assert redis_client.hlen(QUEUE_MESSAGES) == 0
    # Nothing recorded means the valid item's key is still free.
    again = batch({"notifications": [ding("fine", idempotency_key="k-1")]})
    assert again.status_code == 202 and again.json["notifications"][0]["status"] == "queued"


def test_idempotency_keys_inside_and_across_batches_and_with_the_single_endpoint(batch, post, robots, worker,
                                                                                settled, control):
    first = batch({"notifications": [ding("a", idempotency_key="order-1"), ding("b"),
                                     ding("a again", idempotency_key="order-1")]})
    assert first.status_code == 202, first.text
    one, other, repeat = first.json["notifications"]
    assert repeat == one and other["id"] != one["id"]
    settled(one["id"])
    settled(other["id"])
    # A later batch: the known key answers its first record (now sent), new items are new.
    second = batch({"notifications": [ding("c"), ding("changed", idempotency_key="order-1")]})
    assert second.status_code == 202, second.text
    new, replay = second.json["notifications"]
    assert replay == {"id": one["id"], "status": "sent"}
    settled(new["id"])
    # The single endpoint's header and a batch item's key are the same key.
    single = post(ding("d"), headers={"Idempotency-Key": "order-1"})
    assert single.status_code == 200 and single.json["id"] == one["id"]
    via_header = post(ding("e"), headers={"Idempotency-Key": "order-2"})
    third = batch({"notifications": [ding("e again", idempotency_key="order-2")]})
    assert third.json["notifications"][0]["id"] == via_header.json["id"]
    settled(via_header.json["id"])
    # Keys are per API key: another client's same key is its own record.
    theirs = batch({"notifications": [ding("f", idempotency_key="order-1")]}, key="other")
    assert theirs.json["notifications"][0]["id"] != one["id"]
    settled(theirs.json["notifications"][0]["id"])
    sent = sorted(e["json"]["text"]["content"] for e in journal(control, "/robot/send"))
    assert sent == ["a", "b", "c", "e", "f"]


def test_over_the_limit_or_empty_batches_are_refused(make_settings, runtime, robots, keys, batch):
    assert batch({"notifications": [ding(str(n)) for n in range(101)]}).status_code == 413
    small = runtime.settings.model_copy(update={"ingress": runtime.settings.ingress.model_copy(
        update={"max_batch_notifications": 2})})
    limited = falcon.testing.TestClient(create_app(small, Runtime(small, runtime.redis, runtime.database)))
    over = batch({"notifications": [ding("1"), ding("2"), ding("3")]}, app=limited)
    assert over.status_code == 413 and over.json["error"]["code"] == "batch_too_large"
    assert batch({"notifications": [ding("1"), ding("2")]}, app=limited).status_code == 202
    for body in ({"notifications": []}, {"notifications": {}}, {}, [], {"notifications": [ding("1")], "x": 1}):
        assert batch(body).status_code == 422, body
    assert count(runtime) == 2


def test_wrong_scope_malformed_json_and_no_key(app, keys, robots, runtime):
    body = {"notifications": [ding("1")]}
    assert app.simulate_post(BATCH, json=body, headers=bearer(keys["admin"])).status_code == 202  # admin allows all
    assert app.simulate_post(BATCH, json=body).status_code == 401
    malformed = app.simulate_post(BATCH, body="{\"notifications\": [", headers={
        **bearer(keys["notify"]), "Content-Type": "application/json"})
    assert malformed.status_code == 400 and malformed.json["error"]["code"] == "invalid_json"
    assert count(runtime) == 1


def test_the_route_needs_the_notify_scope_and_documents_its_body(app):
    """No scope below ``notify`` exists today (``admin`` allows it too), so a 403 cannot be provoked here; the
    route states ``notify`` like the single endpoint, and the document carries the body a client must send."""
    document = app.simulate_get("/openapi.json").json
    post = document["paths"][BATCH]["post"]
    assert post["x-required-scope"] == "notify"
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["notifications"] and schema["properties"]["notifications"]["maxItems"] == 100
    assert "$defs" not in json.dumps(document) and "#/components/schemas/NotificationRequest" in str(schema)
    for ref in _refs(document):
        name = ref.removeprefix("#/components/schemas/")
        assert ref.startswith("#/components/schemas/") and name in document["components"]["schemas"], ref


def _refs(value) -> list[str]:
    if isinstance(value, dict):
        own = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        mapping = value.get("mapping") if isinstance(value.get("mapping"), dict) else {}
        return own + list(mapping.values()) + [r for v in value.values() for r in _refs(v)]
    return [r for v in value for r in _refs(v)] if isinstance(value, list) else []


def test_broker_down_still_answers_202_and_the_sweep_sends_every_item(runtime, tasks, robots, keys, settled, control):
    down = runtime.settings.model_copy(update={"broker": runtime.settings.broker.model_copy(
        update={"url": "redis://127.0.0.1:1/0"})})
    app = falcon.testing.TestClient(create_app(down, Runtime(down, runtime.redis, runtime.database)))
    accepted = app.simulate_post(BATCH, json={"notifications": [ding("x"), ding("y")]}, headers=bearer(keys["notify"]))
    assert accepted.status_code == 202, accepted.text
    ids = [a["id"] for a in accepted.json["notifications"]]
    assert sorted(stranded(runtime)) == sorted(ids)
    assert sweep_outbox(runtime, tasks) == 2
    with running_worker(runtime, threads=4):
        assert all(settled(i)["status"] == "sent" for i in ids)
    assert len(journal(control, "/robot/send")) == 2


def test_a_batch_is_queued_as_dramatiq_queues_a_message(batch, robots, redis_client):
    """One round trip for the whole batch, the layout Dramatiq's own enqueue writes (a worker reads them back in
    the delivery test above): one hash entry and one queue entry per new record, none for a repeat."""
    import json

    result = batch({"notifications": [ding("1"), ding("2", idempotency_key="k"), ding("3", idempotency_key="k")]})
    ids = [a["id"] for a in result.json["notifications"]]
    queued = [redis_client.hget(QUEUE_MESSAGES, rid) for rid in redis_client.lrange("imbridge-dramatiq:notifications",
                                                                                    0, -1)]
    messages = [json.loads(raw) for raw in queued]
    assert [m["args"] for m in messages] == [[ids[0]], [ids[1]]] and ids[1] == ids[2]
    assert all(m["actor_name"] == "deliver_notification" and m["queue_name"] == "notifications" for m in messages)
    assert redis_client.hlen(QUEUE_MESSAGES) == 2


def test_other_brokers_get_one_send_per_message():
    import dramatiq
    from dramatiq.brokers.stub import StubBroker

    from core.tasks import Task, Tasks

    broker = StubBroker()
    Tasks(broker).send_many(Task("probe", "batch_probe"), [(1,), (2,)])
    assert [dramatiq.Message.decode(raw).args for raw in broker.queues["probe"].queue] == [(1,), (2,)]
