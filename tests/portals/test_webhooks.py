"""Outbound webhooks: admin CRUD with the secret sealed and masked, signed deliveries, bounded retries."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import falcon.testing
import pytest

from core.runtime import Runtime
from ingress import create_app
from models import InboundRecord, WebhookDelivery, WebhookSubscription
from models.api_clients import create_api_client
from models.secretbox import SecretBox
from models.webhooks import SECRET_PURPOSE, filter_matches
from sandbox import callbacks
from tests.portals.conftest import post_wechat
from tests.waiting import wait_for
from tests.webhook_subscriber import Subscriber
from tests.worker_support import running_worker, wait_until_idle

SECRET = "a-very-secret-signing-key-0001"


@pytest.fixture
def subscriber() -> Iterator:
    made: list[Subscriber] = []

    def make(*statuses: int) -> Subscriber:
        made.append(Subscriber(list(statuses)))
        return made[-1]

    yield make
    for server in made:
        server.close()


@pytest.fixture
def hooked(portal_settings) -> Iterator:
    """An app, a worker and an admin key on settings with fast webhook back-off, allowed to reach 127.0.0.1
    (where the tests' subscribers listen)."""
    yield from _deployment(portal_settings, allow_networks=["127.0.0.1/32"])


@pytest.fixture
def guarded(portal_settings) -> Iterator:
    """The same on the default policy: no network allowed beyond the public ones."""
    yield from _deployment(portal_settings)


def _deployment(portal_settings, **webhooks) -> Iterator:
    runtime = Runtime.from_settings(portal_settings(
        webhooks={"min_backoff_ms": 20, "max_backoff_ms": 100, "max_attempts": 3, "timeout_seconds": 2, **webhooks}))
    client = falcon.testing.TestClient(create_app(runtime.settings, runtime))
    with runtime.database.session() as session:
        from models import Scope

        _, key = create_api_client(session, "admin", Scope.ADMIN)
    with running_worker(runtime, threads=2, timeout_ms=20):
        yield client, runtime, {"Authorization": f"Bearer {key}"}
    runtime.close()


def text(settings, content: str, msg_id: int) -> dict:
    return {"ToUserName": callbacks.original_id(settings), "FromUserName": "oHook0001", "CreateTime": int(time.time()),
            "MsgType": "text", "Content": content, "MsgId": msg_id}


def inbound_records(runtime) -> list[InboundRecord]:
    with runtime.database.session() as session:
        return list(session.query(InboundRecord).order_by(InboundRecord.id))


def deliveries(runtime) -> list[WebhookDelivery]:
    with runtime.database.session() as session:
        return list(session.query(WebhookDelivery).order_by(WebhookDelivery.id))


# -- CRUD ------------------------------------------------------------------------------------------------------

def test_crud_keeps_the_secret_sealed_and_masked(client, admin, runtime):
    created = client.simulate_post("/api/v1/webhooks", headers=admin, json={
        "name": "crm", "url": "https://crm.example.com/wx", "events": ["text", "event:subscribe"], "secret": SECRET})
    assert created.status_code == 201, created.text
    hook = created.json
    assert hook["secret"] == "********" and SECRET not in created.text
    with runtime.database.session() as session:
        assert SECRET not in session.get(WebhookSubscription, hook["id"]).secret_sealed
    listed = client.simulate_get("/api/v1/webhooks", headers=admin)
    assert [h["name"] for h in listed.json["items"]] == ["crm"] and SECRET not in listed.text
    patched = client.simulate_patch(f"/api/v1/webhooks/{hook['id']}", headers=admin,
                                    json={"enabled": False, "events": ["*"], "secret": SECRET + "2"})
    assert (patched.json["enabled"], patched.json["events"], patched.json["secret"]) == (False, ["*"], "********")
    assert client.simulate_get(f"/api/v1/webhooks/{hook['id']}", headers=admin).json["enabled"] is False
    assert client.simulate_delete(f"/api/v1/webhooks/{hook['id']}", headers=admin).status_code == 204
    assert client.simulate_get(f"/api/v1/webhooks/{hook['id']}", headers=admin).status_code == 404


def test_a_generated_secret_is_shown_once(client, admin):
    created = client.simulate_post("/api/v1/webhooks", headers=admin,
                                   json={"name": "x", "url": "http://h.example/", "events": ["*"]})
    secret = created.json["secret"]
    assert len(secret) >= 32
    assert secret not in client.simulate_get(f"/api/v1/webhooks/{created.json['id']}", headers=admin).text


@pytest.mark.parametrize("body", [
    {"name": "x", "url": "ftp://h/", "events": ["*"]},
    {"name": "x", "url": "not a url", "events": ["*"]},
    {"name": "x", "url": "http://h/", "events": []},
    {"name": "x", "url": "http://h/", "events": ["event:"]},
    {"name": "x", "url": "http://h/", "events": ["*"], "secret": "short"},
    {"name": "", "url": "http://h/", "events": ["*"]},
])
def test_bad_subscriptions_are_422(client, admin, body):
    result = client.simulate_post("/api/v1/webhooks", headers=admin, json=body)
    assert result.status_code == 422, result.text


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:6379/", "http://[::1]:8000/", "http://0:8000/",
    "http://10.0.0.8/hooks", "http://100.64.0.1/", "http://[::ffff:127.0.0.1]/", "http://2130706433/",
    "http://0177.0.0.1/", "http://localhost:8000/", "https://[fe80::1]/", "http://192.168.1.10/",
])
def test_urls_into_our_own_networks_are_refused(client, admin, runtime, url):
    created = client.simulate_post("/api/v1/webhooks", headers=admin, json={"name": "x", "url": url, "events": ["*"]})
    assert created.status_code == 422, created.text
    error = created.json["error"]
    assert error["code"] == "validation_error" and "webhooks.allow-networks" in error["message"]
    assert error["details"][0]["field"] == "url"
    with runtime.database.session() as session:
        assert session.query(WebhookSubscription).count() == 0


def test_a_url_cannot_be_changed_into_our_own_network(client, admin):
    created = client.simulate_post("/api/v1/webhooks", headers=admin,
                                   json={"name": "x", "url": "https://crm.example.com/wx", "events": ["*"]}).json
    patched = client.simulate_patch(f"/api/v1/webhooks/{created['id']}", headers=admin,
                                    json={"url": "http://169.254.169.254/latest/meta-data/"})
    assert patched.status_code == 422, patched.text
    assert client.simulate_get(f"/api/v1/webhooks/{created['id']}", headers=admin).json["url"] == \
        "https://crm.example.com/wx"


def test_the_allow_list_opens_its_networks_and_no_other(hooked):
    client, _, admin = hooked
    for url, status in (("http://127.0.0.1:9/x", 201), ("http://localhost:9/x", 201), ("http://127.0.0.2:9/x", 422),
                        ("http://10.0.0.1/x", 422)):
        answer = client.simulate_post("/api/v1/webhooks", headers=admin,
                                      json={"name": "x", "url": url, "events": ["*"]})
        assert answer.status_code == status, (url, answer.text)


def test_webhooks_need_an_admin_key(client):
    assert client.simulate_get("/api/v1/webhooks").status_code == 401


def test_filters():
    assert filter_matches(["*"], "image", None)
    assert filter_matches(["text"], "text", None) and not filter_matches(["text"], "image", None)
    assert filter_matches(["event"], "event", "CLICK")
    assert filter_matches(["event:scan"], "event", "SCAN")
    assert not filter_matches(["event:subscribe"], "event", "unsubscribe")


# -- deliveries ------------------------------------------------------------------------------------------------

def test_a_delivery_is_signed_and_retried_after_a_500(hooked, subscriber):
    client, runtime, admin = hooked
    server = subscriber(500, 200)
    client.simulate_post("/api/v1/webhooks", headers=admin,
                         json={"name": "crm", "url": server.url, "events": ["text"], "secret": SECRET})
    settings = runtime.settings
    post_wechat(client, settings, text(settings, "订单 42", 8001))
    post_wechat(client, settings, {**text(settings, "", 0), "MsgType": "event", "Event": "subscribe",
                                   "EventKey": "", "MsgId": None})  # not wanted by the filter

    wait_for(lambda: [d.state for d in deliveries(runtime)] == ["delivered"])
    delivery = deliveries(runtime)[0]
    assert (delivery.attempts, delivery.last_status, delivery.last_error) == (2, 200, None)
    assert len(server.received) == 2
    for headers, body in server.received:
        timestamp = headers["x-imbridge-timestamp"]
        expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        assert headers["x-imbridge-signature"] == f"sha256={expected}"
        assert headers["x-imbridge-delivery"] == str(delivery.id)
        assert headers["content-type"] == "application/json"
        assert abs(int(timestamp) - time.time()) < 60
    payload = json.loads(server.received[-1][1])
    assert (payload["msgType"], payload["fields"]["Content"], payload["msgId"]) == ("text", "订单 42", "8001")
    listed = client.simulate_get(f"/api/v1/webhooks/{delivery.subscription_id}/deliveries", headers=admin).json
    assert listed["items"][0]["state"] == "delivered" and listed["items"][0]["attempts"] == 2


def test_retries_are_bounded_then_the_delivery_fails(hooked, subscriber):
    client, runtime, admin = hooked
    server = subscriber(503)
    client.simulate_post("/api/v1/webhooks", headers=admin,
                         json={"name": "down", "url": server.url, "events": ["*"], "secret": SECRET})
    post_wechat(client, runtime.settings, text(runtime.settings, "x", 8002))
    wait_for(lambda: [d.state for d in deliveries(runtime)] == ["failed"])
    wait_until_idle(runtime)  # and nothing more arrives after the bound
    delivery = deliveries(runtime)[0]
    assert (delivery.attempts, delivery.last_status, len(server.received)) == (3, 503, 3)


def test_a_4xx_fails_at_once(hooked, subscriber):
    client, runtime, admin = hooked
    server = subscriber(410)
    client.simulate_post("/api/v1/webhooks", headers=admin,
                         json={"name": "gone", "url": server.url, "events": ["*"], "secret": SECRET})
    post_wechat(client, runtime.settings, text(runtime.settings, "x", 8003))
    wait_for(lambda: [d.state for d in deliveries(runtime)] == ["failed"])
    assert (deliveries(runtime)[0].attempts, len(server.received)) == (1, 1)


def test_an_unreachable_subscriber_is_retried_as_a_timeout_would_be(hooked):
    client, runtime, admin = hooked
    client.simulate_post("/api/v1/webhooks", headers=admin,
                         json={"name": "nowhere", "url": "http://127.0.0.1:1/x", "events": ["*"], "secret": SECRET})
    post_wechat(client, runtime.settings, text(runtime.settings, "x", 8004))
    wait_for(lambda: [d.state for d in deliveries(runtime)] == ["failed"])
    delivery = deliveries(runtime)[0]
    assert (delivery.attempts, delivery.last_status) == (3, None)
    assert delivery.last_error == "connection failed"  # never the OS's words, which would map our ports
    listed = client.simulate_get(f"/api/v1/webhooks/{delivery.subscription_id}/deliveries", headers=admin).json
    assert listed["items"][0]["lastError"] == "connection failed"


def test_a_name_that_resolves_into_our_network_is_refused_at_delivery(guarded, subscriber):
    """A subscription whose name leads to loopback (stored before the policy, or a name whose DNS changed):
    nothing connects, and the delivery says why without saying what is there."""
    client, runtime, _ = guarded
    server = subscriber(200)
    port = server.server.server_address[1]
    with runtime.database.session() as session:
        hook = WebhookSubscription(name="sly", url=f"http://localhost:{port}/hooks", enabled=True,
                                   secret_sealed=SecretBox("portal-tests-secret-key", SECRET_PURPOSE).seal(SECRET))
        hook.events = ["*"]
        session.add(hook)
    post_wechat(client, runtime.settings, text(runtime.settings, "x", 8006))
    wait_for(lambda: [d.state for d in deliveries(runtime)] == ["failed"])
    delivery = deliveries(runtime)[0]
    assert (delivery.attempts, delivery.last_status, delivery.last_error) == (1, None, "destination refused")
    assert server.received == []


def test_disabled_subscriptions_get_nothing(hooked, subscriber):
    client, runtime, admin = hooked
    server = subscriber(200)
    client.simulate_post("/api/v1/webhooks", headers=admin, json={
        "name": "off", "url": server.url, "events": ["*"], "secret": SECRET, "enabled": False})
    post_wechat(client, runtime.settings, text(runtime.settings, "x", 8005))
    wait_for(lambda: inbound_records(runtime))
    wait_until_idle(runtime)
    assert deliveries(runtime) == [] and server.received == []
