"""Webhook subscriptions may name accounts: a subscriber then hears only of what those accounts received and sent
(omitted: every account, as before); an unknown code is a 422 naming it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.runtime import Runtime
from models import InboundRecord, WebhookDelivery
from sandbox import callbacks
from tests.accounts.conftest import FAST, SECRET_KEY
from tests.keys import bearer
from tests.waiting import wait_for
from tests.webhook_subscriber import Subscriber

OPENID = "oAccountsHook000000000000001"


@pytest.fixture
def runtime(make_settings, database_url, sandbox, redis_client, extra_accounts) -> Iterator[Runtime]:
    """The accounts' deployment, its webhooks allowed to reach the tests' subscribers on 127.0.0.1."""
    settings = make_settings(database_url, sandbox=sandbox.section, security={"secret_key": SECRET_KEY},
                             notifications=FAST, third={"accounts": extra_accounts},
                             webhooks={"allow_networks": ["127.0.0.1/32"], "min_backoff_ms": 20})
    runtime = Runtime.from_settings(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def subscriber() -> Iterator[Subscriber]:
    server = Subscriber([200])
    yield server
    server.close()


@pytest.fixture
def subscribe(client, admin, subscriber):
    def make(name: str, events: list[str], **extra) -> int:
        created = client.simulate_post("/api/v1/webhooks", headers=admin, json={
            "name": name, "url": subscriber.url, "events": events, "secret": "a-long-enough-signing-key", **extra})
        assert created.status_code == 201, created.text
        return created.json["id"]
    return make


def delivered(runtime, subscription_id: int) -> list[WebhookDelivery]:
    with runtime.database.session() as session:
        return list(session.query(WebhookDelivery).filter_by(subscription_id=subscription_id)
                    .order_by(WebhookDelivery.id))


def say(client, settings, content: str, path: str) -> None:
    fields = callbacks.text_fields(settings, content, OPENID)
    request = callbacks.build_wechat_callback(settings, fields)
    answer = client.simulate_post(path, params=request.params, body=request.body.encode(),
                                  headers={"Content-Type": "text/xml"})
    assert answer.status_code == 200, answer.text


def test_a_subscription_naming_accounts_hears_only_their_inbound_traffic(client, runtime, worker, subscribe):
    every, sales_only, default_only = (subscribe("every", ["text"]), subscribe("sales", ["text"], accounts=["sales"]),
                                       subscribe("default", ["text"], accounts=["default"]))
    say(client, callbacks.as_account(runtime.settings, "sales"), "给销售号", "/wechat/portal/sales")
    say(client, runtime.settings, "给默认号", "/wechat/portal")

    wait_for(lambda: len(delivered(runtime, every)) == 2)  # both were stored and fanned out
    with runtime.database.session() as session:
        account_of = {r.id: r.account for r in session.query(InboundRecord)}
    assert [account_of[d.inbound_id] for d in delivered(runtime, sales_only)] == ["sales"]
    assert [account_of[d.inbound_id] for d in delivered(runtime, default_only)] == ["default"]


def test_a_subscription_naming_accounts_hears_only_their_notifications_outcomes(client, runtime, worker, keys,
                                                                                 subscribe, control):
    every, sales_only = subscribe("every", ["outcome:sent"]), subscribe("sales", ["outcome:sent"], accounts=["sales"])
    control.post("/wechat/interactions", json={"openid": OPENID})
    sent = {}
    for account in ("sales", None):
        body = {"channel": "wechat_custom", "message": {"touser": OPENID, "msgtype": "text",
                                                        "text": {"content": f"from {account}"}}}
        if account:
            body["account"] = account
        answer = client.simulate_post("/api/v1/notifications", json=body, headers=bearer(keys["notify"]))
        assert answer.status_code == 202, answer.text
        sent[account or "default"] = answer.json["id"]

    wait_for(lambda: len(delivered(runtime, every)) == 2, 30)
    assert [d.notification_id for d in delivered(runtime, sales_only)] == [sent["sales"]]


def test_accounts_are_shown_changed_and_checked(client, admin, subscriber):
    body = {"name": "crm", "url": subscriber.url, "events": ["*"], "secret": "a-long-enough-signing-key"}
    created = client.simulate_post("/api/v1/webhooks", headers=admin, json={**body, "accounts": ["sales", "ops"]})
    assert created.status_code == 201 and created.json["accounts"] == ["sales", "ops"]
    path = f"/api/v1/webhooks/{created.json['id']}"
    assert client.simulate_patch(path, headers=admin, json={"accounts": None}).json["accounts"] is None  # all again
    assert client.simulate_post("/api/v1/webhooks", headers=admin, json=body).json["accounts"] is None

    unknown = client.simulate_patch(path, headers=admin, json={"accounts": ["sales", "nobody"]})
    assert unknown.status_code == 422
    assert unknown.json["error"]["details"] == [{"field": "accounts.1", "message": "no account has the code 'nobody'",
                                                 "type": "not_found"}]
    malformed = client.simulate_post("/api/v1/webhooks", headers=admin, json={**body, "accounts": ["Not A Code"]})
    assert malformed.status_code == 422
    assert [d["field"] for d in malformed.json["error"]["details"]] == ["accounts.0"]
    assert client.simulate_get(path, headers=admin).json["accounts"] is None  # the refused changes changed nothing
