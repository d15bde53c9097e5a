"""A forged QR-login scan logs nobody in (issue 15).

The attack: apply for a QR code, take a genuine callback's query from an access log (the signature covers the
token, timestamp and nonce, never a plaintext body) and post it again with a plaintext ``SCAN`` of
``login_<qrCodeKey>`` by a bound follower's openid; then ``/token/login`` as that follower. It is refused whatever
the account's mode, and the login scene itself marks a key only from a verified callback.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from config import demo
from ingress.login.messages import Code
from ingress.portals import build_portals
from platforms.callback import OpenedCallback
from sandbox import callbacks
from tests.login.conftest import OPENID, apply, code, create_user, login, status

#: The deployments the attack is tried on, and the refusal each gives.
DEPLOYMENTS = {"aes-key": "plaintext_refused", "plaintext-allowed": "nonce_reused",
               "plaintext-account": "nonce_reused"}


@pytest.fixture
def sections(request, sandbox_url) -> dict[str, Any]:
    """The deployment named by the test's parameter: the demo account (AES key), the same with plaintext allowed,
    or the demo app in plaintext mode (its token, no AES key)."""
    name = getattr(request, "param", "aes-key")
    if name == "plaintext-allowed":
        return {"portal": {"allow_plaintext": True}}
    if name == "plaintext-account":
        return {"third": {"wechat": {"app_id": demo.WECHAT_APP_ID, "app_secret": demo.WECHAT_APP_SECRET,
                                     "token": demo.WECHAT_TOKEN, "api_base_url": f"{sandbox_url}/wechat"}}}
    return {}


def post(client, request: callbacks.CallbackRequest):
    return client.simulate_post(callbacks.WECHAT_PORTAL, params=request.params, body=request.body,
                                headers={"Content-Type": "text/xml"})


def logged_query(client, settings) -> dict[str, str]:
    """A genuine callback (safe mode where the account has a key), answered; what an access log keeps of it."""
    safe = settings.third.wechat.encoding_aes_key is not None
    genuine = callbacks.build_wechat_callback(settings, callbacks.text_fields(settings, "hi", "oSomeoneElse01"),
                                              safe=safe)
    assert post(client, genuine).status_code == 200
    return genuine.params


@pytest.mark.parametrize(("sections", "refusal"), list(DEPLOYMENTS.items()), indirect=["sections"])
def test_a_forged_scan_under_a_logged_query_is_refused_and_logs_nobody_in(client, runtime, admin, filled_pool,
                                                                            refusal):
    settings = runtime.settings
    create_user(client, admin, "victim", ("wechat", OPENID))
    key = apply(client)["qrCodeKey"]
    query = {name: value for name, value in logged_query(client, settings).items()
             if name not in ("encrypt_type", "msg_signature")}
    scan = callbacks.scan_fields(settings, key, OPENID, existing=True)
    forged = post(client, callbacks.CallbackRequest(query, callbacks.render_xml(scan)))
    assert forged.status_code == 401
    assert forged.json["error"]["code"] == refusal
    assert status(client, key) == "wait"
    assert code(login(client, key)) == Code.NOT_SCANNED


@pytest.mark.parametrize("sections", ["plaintext-account"], indirect=True)
def test_an_account_in_plaintext_mode_logs_in_by_a_genuine_plaintext_scan(client, runtime, admin, filled_pool):
    settings = runtime.settings
    create_user(client, admin, "grace", ("wechat", OPENID))
    key = apply(client)["qrCodeKey"]
    scan = callbacks.build_wechat_callback(settings, callbacks.scan_fields(settings, key, OPENID), safe=False)
    assert post(client, scan).status_code == 200
    assert status(client, key) == "ok"
    assert code(login(client, key)) == 0


def test_the_login_scene_ignores_a_plaintext_scan_the_account_does_not_take(client, runtime, tasks, filled_pool):
    """Past the callback's own gate: were a plaintext scan dispatched on an account with an AES key (no
    ``allow-plaintext``), the scene would still not mark the key; the same scan encrypted does."""
    portals = build_portals(runtime.settings, runtime, tasks)
    endpoint = portals.wechat.endpoint
    assert endpoint is not None
    key = apply(client)["qrCodeKey"]
    fields = callbacks.scan_fields(runtime.settings, key, OPENID, existing=True)

    def dispatch(encrypted: bool, create_time: int) -> None:
        values = {name: str(value) for name, value in {**fields, "CreateTime": create_time}.items()}
        opened = OpenedCallback(values, encrypted=encrypted, nonce=str(create_time), timestamp=str(create_time),
                                digest=bytes(32))
        portals.dispatcher.dispatch(endpoint, opened)

    now = int(time.time())
    dispatch(False, now)
    assert status(client, key) == "wait"
    dispatch(True, now + 1)
    assert status(client, key) == "ok"
