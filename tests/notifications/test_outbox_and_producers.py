"""Nothing is lost: the outbox sweep re-enqueues what never reached (or fell off) the broker; producers that
skip REST put one documented message on the broker."""

from __future__ import annotations

import json
import uuid

import falcon.testing
from sqlalchemy import update

from core.runtime import Runtime
from ingress import create_app
from models.base import utcnow
from models.deliveries import Delivery
from scheduler.jobs.outbox import stranded, sweep_outbox
from tests.notifications.conftest import bearer
from tests.sandbox_support import journal
from tests.worker_support import running_worker
from workers.producer import notification_message, raw_message, send_notification

ROBOT = {"channel": "dingtalk_robot", "robot": "ding", "message": {"msgtype": "text", "text": {"content": "hi"}}}
NAMESPACE = "imbridge-dramatiq"


def test_broker_down_still_answers_202_and_the_sweep_sends_it_later(runtime, tasks, robots, keys, settled, control):
    down = runtime.settings.model_copy(update={"broker": runtime.settings.broker.model_copy(
        update={"url": "redis://127.0.0.1:1/0"})})
    app = falcon.testing.TestClient(create_app(down, Runtime(down, runtime.redis, runtime.database)))
    accepted = app.simulate_post("/api/v1/notifications", json=ROBOT, headers=bearer(keys["notify"]))
    assert accepted.status_code == 202
    delivery_id = accepted.json["id"]
    assert stranded(runtime) == [delivery_id]
    assert sweep_outbox(runtime, tasks) == 1  # the scheduler's broker is the good one
    assert stranded(runtime) == []
    with running_worker(runtime, threads=4):
        assert settled(delivery_id)["status"] == "sent"
    assert len(journal(control, "/robot/send")) == 1


def test_lost_messages_and_abandoned_sends_are_swept(post, robots, runtime, tasks, redis_client, settled, control):
    lost, abandoned = post(ROBOT).json["id"], post(ROBOT).json["id"]
    redis_client.delete(f"{NAMESPACE}:notifications", f"{NAMESPACE}:notifications.msgs")  # the broker forgot
    long_ago = utcnow().replace(year=2000)
    with runtime.database.session() as session:
        session.execute(update(Delivery).where(Delivery.id == lost).values(enqueued_at=long_ago))
        session.execute(update(Delivery).where(Delivery.id == abandoned).values(
            status="sending", lease_until=long_ago))  # a worker died holding it
    assert sorted(stranded(runtime)) == sorted([lost, abandoned])
    assert sweep_outbox(runtime, tasks) == 2
    with running_worker(runtime, threads=4):
        assert settled(lost)["status"] == settled(abandoned)["status"] == "sent"


def test_producer_message_creates_the_record_and_is_idempotent_on_its_id(app, tasks, robots, worker, settled,
                                                                         control):
    delivery_id = str(uuid.uuid4())
    assert send_notification(tasks.broker, ROBOT, delivery_id) == delivery_id
    record = settled(delivery_id)
    assert record["status"] == "sent" and record["source"] == "broker"
    send_notification(tasks.broker, ROBOT, delivery_id)
    tasks.broker.join("notifications")
    assert len(journal(control, "/robot/send")) == 1


def test_invalid_producer_message_is_recorded_as_failed_with_the_reasons(app, tasks, robots, worker, settled):
    delivery_id = send_notification(tasks.broker, {"channel": "dingtalk_robot", "robot": "nope",
                                                   "message": {"msgtype": "text"}})
    record = settled(delivery_id)
    assert record["status"] == "failed" and record["lastError"].startswith("invalid request")
    assert {p["field"] for p in record["problems"]} == {"robot", "message.text"}


def test_raw_message_on_redis_as_documented(app, robots, worker, settled, redis_client):
    """What a producer in another language does: HSET the message, RPUSH its id (README, "Producers")."""
    delivery_id = str(uuid.uuid4())
    message = json.loads(raw_message(ROBOT, delivery_id))
    redis_id = str(uuid.uuid4())
    message["options"]["redis_message_id"] = redis_id
    redis_client.hset(f"{NAMESPACE}:notifications.msgs", redis_id, json.dumps(message))
    redis_client.rpush(f"{NAMESPACE}:notifications", redis_id)
    assert settled(delivery_id)["status"] == "sent"


def test_helper_message_matches_the_documented_contract():
    message = notification_message(ROBOT, "6f1c2b9e-0d4a-4a55-9d1f-3c2b1a0f9e8d")
    assert (message.queue_name, message.actor_name) == ("notifications", "submit_notification")
    assert message.args == ({**ROBOT, "id": "6f1c2b9e-0d4a-4a55-9d1f-3c2b1a0f9e8d"},)
