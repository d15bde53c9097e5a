"""Outcome callbacks: a producer subscribes to its notifications' final statuses and receives them signed the
Standard Webhooks way (checked here by a verifier written from the standard, and by the ``standardwebhooks``
package), through the same delivery machinery as the inbound webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from config import demo
from core.runtime import Runtime
from models import WebhookDelivery
from tests.notifications.conftest import FAST, SECRET_KEY, bearer
from tests.waiting import wait_for

CALLBACKS = "/api/v1/callbacks"
ROBOT = {"channel": "dingtalk_robot", "robot": "ding", "message": {"msgtype": "text", "text": {"content": "hi"}}}


class Receiver:
    """A producer's endpoint: answers 204 and keeps each request's headers and raw body."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/imbridge/outcomes"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _, body in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def runtime(make_settings, database_url, sandbox, control, redis_client) -> Iterator[Runtime]:
    host, port = sandbox[0].removeprefix("http://").split(":")
    settings = make_settings(database_url, sandbox={"host": host, "port": int(port)},
                             security={"secret_key": SECRET_KEY}, notifications=dict(FAST),
                             webhooks={"allow_networks": ["127.0.0.0/8"], "min_backoff_ms": 50})
    runtime = Runtime.from_settings(settings)
    yield runtime
    runtime.close()


def standard_verify(secret: str, headers: dict[str, str], body: bytes) -> dict:
    """Standard Webhooks, version 1, as its spec says: base64 HMAC-SHA256 of ``id.timestamp.body`` with the key
    after ``whsec_`` base64-decoded; the timestamp within five minutes."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    given = [s.split(",", 1)[1] for s in headers["webhook-signature"].split() if s.startswith("v1,")]
    assert any(hmac.compare_digest(expected, s) for s in given), "signature does not verify"
    assert abs(time.time() - int(headers["webhook-timestamp"])) < 300
    return json.loads(body)


def subscribe(app, key: str, url: str, **extra) -> dict:
    result = app.simulate_post(CALLBACKS, headers=bearer(key), json={"name": "crm outcomes", "url": url, **extra})
    assert result.status_code == 201, result.text
    return result.json


def test_outcomes_arrive_signed_so_ready_made_verifiers_accept_them(app, keys, robots, worker, receiver, control):
    callback = subscribe(app, keys["notify"], receiver.url)
    secret = callback["secret"]
    assert secret.startswith("whsec_") and callback["outcomes"] == ["sent", "failed", "dead"]
    sent = app.simulate_post("/api/v1/notifications", json=ROBOT, headers=bearer(keys["notify"])).json["id"]
    wait_for(lambda: receiver.received, 20)
    control.delete(f"/robots/dingtalk/{demo.DINGTALK_ROBOT_TOKEN}").raise_for_status()  # now refused for good
    failed = app.simulate_post("/api/v1/notifications", json=ROBOT, headers=bearer(keys["notify"])).json["id"]
    wait_for(lambda: len(receiver.received) == 2, 20)

    (first_headers, first_body), (headers, body) = receiver.received
    outcome = standard_verify(secret, first_headers, first_body)
    assert (outcome["type"], outcome["id"], outcome["status"], outcome["channel"]) == (
        "notification.sent", sent, "sent", "dingtalk_robot")
    assert Webhook(secret).verify(body, headers) == json.loads(body)  # the standardwebhooks package agrees
    refused = json.loads(body)
    assert (refused["id"], refused["status"], refused["errcode"]) == (failed, "failed", 300005)
    # The first scheme still signs every request, so receivers written for it keep working.
    legacy = hmac.new(secret.encode(), headers["x-imbridge-timestamp"].encode() + b"." + body, hashlib.sha256)
    assert headers["x-imbridge-signature"] == "sha256=" + legacy.hexdigest()
    tampered = body.replace(b'"failed"', b'"sent"')
    with pytest.raises(AssertionError):
        standard_verify(secret, headers, tampered)


def test_a_callback_hears_only_its_own_clients_chosen_outcomes(app, keys, robots, worker, receiver, runtime,
                                                               control):
    callback = subscribe(app, keys["notify"], receiver.url, outcomes=["failed"], secret="a-producers-own-secret-1")
    assert "secret" not in callback or callback["secret"] == "********"
    mine_sent = app.simulate_post("/api/v1/notifications", json=ROBOT, headers=bearer(keys["notify"])).json["id"]
    wait_for(lambda: app.simulate_get(f"/api/v1/notifications/{mine_sent}",
                                      headers=bearer(keys["notify"])).json["status"] == "sent", 20)
    control.delete(f"/robots/dingtalk/{demo.DINGTALK_ROBOT_TOKEN}").raise_for_status()
    others = app.simulate_post("/api/v1/notifications", json=ROBOT, headers=bearer(keys["other"])).json["id"]
    mine_failed = app.simulate_post("/api/v1/notifications", json=ROBOT, headers=bearer(keys["notify"])).json["id"]
    wait_for(lambda: receiver.received, 20)
    wait_for(lambda: app.simulate_get(f"/api/v1/notifications/{others}",
                                      headers=bearer(keys["other"])).json["status"] == "failed", 20)
    worker.join()  # every follow-up of the three notifications has run
    with runtime.database.session() as session:
        posted = session.scalars(select(WebhookDelivery.notification_id)
                                 .where(WebhookDelivery.subscription_id == callback["id"])).all()
    assert posted == [mine_failed], "not the sent one (not chosen), not the other client's"
    assert [b["id"] for b in receiver.bodies()] == [mine_failed]


def test_callbacks_are_their_owners_alone(app, keys, receiver):
    callback = subscribe(app, keys["notify"], receiver.url)
    assert [c["id"] for c in app.simulate_get(CALLBACKS, headers=bearer(keys["notify"])).json["items"]] == [
        callback["id"]]
    assert app.simulate_get(CALLBACKS, headers=bearer(keys["other"])).json["items"] == []
    assert app.simulate_delete(f"{CALLBACKS}/{callback['id']}", headers=bearer(keys["other"])).status_code == 404
    assert app.simulate_delete(f"{CALLBACKS}/{callback['id']}", headers=bearer(keys["notify"])).status_code == 204
    assert app.simulate_get(f"{CALLBACKS}/{callback['id']}", headers=bearer(keys["notify"])).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"name": "x", "url": "ftp://example.com/x"}, "url"),
    ({"name": "x", "url": "https://example.com/x", "outcomes": ["queued"]}, "outcomes.0"),
    ({"name": "x", "url": "https://example.com/x", "outcomes": []}, "outcomes"),
    ({"name": "x", "url": "https://example.com/x", "secret": "short"}, "secret"),
])
def test_bad_callbacks_are_422_naming_the_field(app, keys, body, field):
    result = app.simulate_post(CALLBACKS, headers=bearer(keys["notify"]), json=body)
    assert result.status_code == 422, result.text
    assert field in {d["field"] for d in result.json["error"]["details"]}


def test_the_migrations_make_the_tables_the_models_describe(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models import Base, Database

    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        database.dispose()
    assert [d for d in differences if "webhook" in str(d) or "group" in str(d)] == []


def test_an_operators_webhook_hears_every_clients_outcomes_and_invalid_producer_messages(app, keys, robots, worker,
                                                                                        receiver, tasks):
    import uuid

    from workers.producer import send_notification

    created = app.simulate_post("/api/v1/webhooks", headers=bearer(keys["admin"]), json={
        "name": "ops", "url": receiver.url, "events": ["outcome:failed", "outcome:sent"]})
    assert created.status_code == 201, created.text
    sent = app.simulate_post("/api/v1/notifications", json=ROBOT, headers=bearer(keys["other"])).json["id"]
    invalid = send_notification(tasks.broker, {"channel": "wecom_robot", "robot": "nope", "message": {}},
                                str(uuid.uuid4()))
    wait_for(lambda: len(receiver.received) == 2, 20)
    outcomes = {b["id"]: b for b in (standard_verify(created.json["secret"], h, body) for h, body in receiver.received)}
    assert outcomes[sent]["status"] == "sent"
    assert outcomes[invalid]["status"] == "failed" and outcomes[invalid]["lastError"].startswith("invalid request")
