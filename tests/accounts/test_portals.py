"""``/wechat/portal/{code}`` and ``/wecom/portal/{code}``: each account's callbacks, verified and decrypted with
that account's token and key, recorded with the account, routed to the handlers that serve it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from ingress.portals.handler import HANDLERS, Handler, HandlerContext
from models import InboundRecord
from platforms.wechat import InboundMessage, Reply, TextReply
from sandbox import callbacks
from tests.waiting import wait_for

OPENID = "oAccounts0000000000000000001"


class SalesOnly(Handler, register=False):
    """Answers the ``sales`` account's texts only."""

    priority = 1000
    accounts = ("sales",)

    def handle(self, message: InboundMessage, context: HandlerContext) -> Reply | None:
        return TextReply(f"sales desk ({context.account})")


@pytest.fixture
def sales_desk() -> Iterator[None]:
    with HANDLERS.registered(SalesOnly):
        yield


def post(client, path: str, request: callbacks.CallbackRequest):
    return client.simulate_post(path, params=request.params, body=request.body.encode(),
                                headers={"Content-Type": "text/xml"})


def text(settings, content: str) -> dict:
    return callbacks.text_fields(settings, content, OPENID)


def test_an_accounts_portal_answers_with_that_accounts_key(sales_desk, client, runtime):
    sales = callbacks.as_account(runtime.settings, "sales")
    result = post(client, "/wechat/portal/sales", callbacks.build_wechat_callback(sales, text(sales, "hi")))
    assert result.status_code == 200
    reply = callbacks.read_reply(result, sales)  # decrypts and checks the signature with sales' key
    assert reply["Content"] == "sales desk (sales)" and reply["ToUserName"] == OPENID


def test_a_handler_for_one_account_leaves_the_others_alone(sales_desk, client, runtime):
    settings = runtime.settings
    result = post(client, "/wechat/portal", callbacks.build_wechat_callback(settings, text(settings, "hi")))
    assert result.status_code == 200
    assert (callbacks.read_reply(result, settings) or {}).get("Content") != "sales desk (sales)"


def test_a_callback_signed_for_one_account_is_refused_at_anothers_portal(client, runtime):
    settings, sales = runtime.settings, callbacks.as_account(runtime.settings, "sales")
    default_signed = callbacks.build_wechat_callback(settings, text(settings, "to sales"))
    assert post(client, "/wechat/portal/sales", default_signed).status_code == 401
    sales_signed = callbacks.build_wechat_callback(sales, text(sales, "to default"))
    assert post(client, "/wechat/portal", sales_signed).status_code == 401
    plain = callbacks.build_wechat_callback(settings, text(settings, "plain"), safe=False)
    assert post(client, "/wechat/portal/sales", plain).status_code == 401
    assert list(runtime.redis.scan_iter("imbridge:portal:*")) == []  # nothing was claimed


def test_a_wecom_callback_signed_for_another_app_is_refused(client, runtime):
    settings, support = runtime.settings, callbacks.as_account(runtime.settings, "support")
    fields = callbacks.wecom_text_fields(settings, "hello")
    assert post(client, "/wecom/portal/support", callbacks.build_wecom_callback(settings, fields)).status_code == 401
    own = callbacks.build_wecom_callback(support, callbacks.wecom_text_fields(support, "hello"))
    assert post(client, "/wecom/portal/support", own).status_code == 200


@pytest.mark.parametrize("path", ["/wechat/portal/nobody", "/wecom/portal/nobody", "/wecom/portal/sales",
                                  "/wechat/portal/support"])
def test_an_unknown_account_is_404_on_the_portal(client, runtime, path):
    settings = runtime.settings
    request = callbacks.build_wechat_callback(settings, text(settings, "hi"))
    for result in (post(client, path, request), client.simulate_get(path, params=request.params)):
        assert result.status_code == 404
        assert result.json["error"]["code"] == "unknown_account"


def test_the_url_check_of_an_accounts_portal_uses_its_token(client, runtime):
    sales = callbacks.as_account(runtime.settings, "sales")
    stamp, nonce = str(int(time.time())), "7788"
    params = {"signature": callbacks.wechat_signer(sales).signature(stamp, nonce), "timestamp": stamp,
              "nonce": nonce, "echostr": "4242"}
    assert client.simulate_get("/wechat/portal/sales", params=params).text == "4242"
    assert client.simulate_get("/wechat/portal", params=params).status_code == 401


def test_inbound_records_carry_their_account(worker, client, runtime, admin):
    settings = runtime.settings
    sales, support = callbacks.as_account(settings, "sales"), callbacks.as_account(settings, "support")
    post(client, "/wechat/portal/sales", callbacks.build_wechat_callback(sales, text(sales, "to sales")))
    post(client, "/wechat/portal", callbacks.build_wechat_callback(settings, text(settings, "to default")))
    post(client, "/wecom/portal/support",
         callbacks.build_wecom_callback(support, callbacks.wecom_text_fields(support, "to support")))

    def recorded() -> dict[str, str]:
        with runtime.database.session() as session:
            return {r.fields["Content"]: r.account for r in session.query(InboundRecord)}

    assert wait_for(lambda: len(recorded()) == 3 and recorded()) == {
        "to sales": "sales", "to default": "default", "to support": "support"}
    listed = client.simulate_get("/api/v1/inbound", headers=admin).json
    rows = listed.get("items", listed.get("data", listed)) if isinstance(listed, dict) else listed
    assert {row["account"] for row in rows} == {"sales", "default", "support"}


def test_inbound_records_are_filtered_by_account(worker, client, runtime, admin):
    settings, sales = runtime.settings, callbacks.as_account(runtime.settings, "sales")
    post(client, "/wechat/portal/sales", callbacks.build_wechat_callback(sales, text(sales, "to sales")))
    post(client, "/wechat/portal", callbacks.build_wechat_callback(settings, text(settings, "to default")))
    wait_for(lambda: client.simulate_get("/api/v1/inbound", headers=admin).json["total"] == 2)
    only = client.simulate_get("/api/v1/inbound", params={"account": "sales"}, headers=admin).json
    assert [row["fields"]["Content"] for row in only["items"]] == ["to sales"]
    bad = client.simulate_get("/api/v1/inbound", params={"account": "Not A Code"}, headers=admin)
    assert bad.status_code == 422
