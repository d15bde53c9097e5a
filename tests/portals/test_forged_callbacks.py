"""Forged and replayed callbacks (issue 15): no body of one's choice under a signed query.

WeChat's plaintext signature covers the token, ``timestamp`` and ``nonce``, never the body, and every proxy's
access log keeps the query. So: an account with an AES key takes no plaintext unless the operator allows it; an
account without one is in plaintext mode and takes it; and a ``(timestamp, nonce)`` is taken with one body only
while it is in the replay window (the platform's own retries, same body, are answered from the dedup record).
"""

from __future__ import annotations

import json
import secrets
import time

import falcon.testing
import pytest

from config import ConfigError
from core.runtime import Runtime
from ingress import create_app
from platforms.crypto import CallbackSigner
from sandbox import callbacks
from tests.portals.conftest import PLAINTEXT_ACCOUNT, PLAINTEXT_ALLOWED, PLAINTEXT_ONLY, post, reply_of

OPENID = "oForged000000000000000000001"
INBOX = "imbridge:inbound:inbox"


def text(settings, content: str = "hello") -> dict:
    return {"ToUserName": callbacks.original_id(settings), "FromUserName": OPENID, "CreateTime": int(time.time()),
            "MsgType": "text", "Content": content, "MsgId": secrets.randbits(63)}


def plain_under(query: dict[str, str], fields: dict) -> callbacks.CallbackRequest:
    """A plaintext body of one's choice under a logged query (safe mode's extras dropped, its signature kept)."""
    kept = {name: value for name, value in query.items() if name not in ("encrypt_type", "msg_signature")}
    return callbacks.CallbackRequest(kept, callbacks.render_xml(fields))


def inbox(runtime) -> list[dict]:
    return [json.loads(item) for item in runtime.redis.lrange(INBOX, 0, -1)]


# -- plaintext where the account has an AES key -----------------------------------------------------------------

def test_plaintext_is_refused_where_the_account_has_an_aes_key(nothing_processed, client, runtime):
    settings = runtime.settings
    result = post(client, callbacks.WECHAT_PORTAL, callbacks.build_wechat_callback(settings, text(settings),
                                                                                    safe=False))
    assert result.status_code == 401
    assert result.json["error"]["code"] == "plaintext_refused"
    assert "portal.allow-plaintext" in result.json["error"]["message"]


def test_a_captured_safe_mode_query_with_a_plaintext_body_is_refused(probe, client, runtime):
    settings = runtime.settings
    genuine = callbacks.build_wechat_callback(settings, text(settings, "genuine"))
    assert reply_of(post(client, callbacks.WECHAT_PORTAL, genuine), settings)
    forged = post(client, callbacks.WECHAT_PORTAL, plain_under(genuine.params, text(settings, "forged")))
    assert (forged.status_code, forged.json["error"]["code"]) == (401, "plaintext_refused")
    assert [m.fields["Content"] for m in probe.seen] == ["genuine"]
    assert [entry["kind"] for entry in inbox(runtime)] == ["inbound", "reply"]  # the genuine one's only


@PLAINTEXT_ALLOWED
def test_plaintext_is_taken_when_the_operator_allows_it(probe, client, runtime):
    settings = runtime.settings
    plain = reply_of(post(client, callbacks.WECHAT_PORTAL,
                          callbacks.build_wechat_callback(settings, text(settings, "plain"), safe=False)), settings)
    safe = reply_of(post(client, callbacks.WECHAT_PORTAL,
                         callbacks.build_wechat_callback(settings, text(settings, "safe"))), settings)
    assert plain and safe
    assert [m.fields["Content"] for m in probe.seen] == ["plain", "safe"]
    assert [e["encrypted"] for e in inbox(runtime) if e["kind"] == "inbound"] == [False, True]


def test_wecom_takes_no_plaintext(nothing_processed, client, runtime):
    """WeCom has no plaintext mode: a message body without ``Encrypt``, however signed, is refused."""
    settings = runtime.settings
    wecom = settings.third.wecom
    crypto = callbacks.wecom_crypto(settings)
    stamp, nonce = str(int(time.time())), "31"
    body = callbacks.render_xml({"ToUserName": wecom.corp_id, "FromUserName": "u", "CreateTime": int(stamp),
                                 "MsgType": "text", "Content": "x", "MsgId": 1, "AgentID": wecom.agent_id})
    for query in ({"msg_signature": crypto.signature(stamp, nonce), "timestamp": stamp, "nonce": nonce},
                  {"signature": crypto.signature(stamp, nonce), "timestamp": stamp, "nonce": nonce,
                   "encrypt_type": "raw"}):
        result = post(client, callbacks.WECOM_PORTAL, callbacks.CallbackRequest(query, body))
        assert result.status_code in (400, 401), result.text


# -- an account in plaintext mode ------------------------------------------------------------------------------

@PLAINTEXT_ONLY
def test_an_account_without_an_aes_key_is_served_in_plaintext(probe, client, runtime):
    settings = runtime.settings
    assert settings.third.wechat.encoding_aes_key is None
    stamp, nonce = str(int(time.time())), "7"
    echo = client.simulate_get(callbacks.WECHAT_PORTAL, params={
        "signature": callbacks.wechat_signer(settings).signature(stamp, nonce), "timestamp": stamp, "nonce": nonce,
        "echostr": "5927782489442352469"})
    assert (echo.status_code, echo.text) == (200, "5927782489442352469")
    result = post(client, callbacks.WECHAT_PORTAL,
                  callbacks.build_wechat_callback(settings, text(settings, "plain"), safe=False))
    reply = reply_of(result, settings)
    assert reply["ToUserName"] == OPENID and "<Encrypt>" not in result.text
    assert [m.fields["Content"] for m in probe.seen] == ["plain"]


@PLAINTEXT_ONLY
def test_an_account_without_an_aes_key_refuses_safe_mode(nothing_processed, client, runtime):
    settings = runtime.settings
    stamp, nonce = str(int(time.time())), "8"
    signer = callbacks.wechat_signer(settings)
    query = {"signature": signer.signature(stamp, nonce), "timestamp": stamp, "nonce": nonce,
             "encrypt_type": "aes", "msg_signature": signer.signature(stamp, nonce, "QUJD")}
    result = post(client, callbacks.WECHAT_PORTAL,
                  callbacks.CallbackRequest(query, "<xml><ToUserName>x</ToUserName><Encrypt>QUJD</Encrypt></xml>"))
    assert (result.status_code, result.json["error"]["code"]) == (400, "undecryptable")


@PLAINTEXT_ONLY
@pytest.mark.parametrize("forgery", ["other-token", "no-signature", "stale", "signature-of-another-nonce"])
def test_plaintext_mode_still_checks_the_signature(forgery, nothing_processed, client, runtime):
    settings = runtime.settings
    now = int(time.time())
    stamp, nonce = str(now - 3600 if forgery == "stale" else now), "9"
    signer = callbacks.wechat_signer(settings)
    signature = {"other-token": CallbackSigner("not-the-token").signature(stamp, nonce), "no-signature": "",
                 "stale": signer.signature(stamp, nonce),
                 "signature-of-another-nonce": signer.signature(stamp, "10")}[forgery]
    query = {"signature": signature, "timestamp": stamp, "nonce": nonce}
    result = post(client, callbacks.WECHAT_PORTAL, callbacks.CallbackRequest(query, callbacks.render_xml(
        text(settings, "forged"))))
    assert result.status_code in (400, 401), result.text
    echo = client.simulate_get(callbacks.WECHAT_PORTAL, params={**query, "echostr": "5927782489442352469"})
    assert echo.status_code in (400, 401) and "5927782489442352469" not in echo.text


def test_an_empty_aes_key_in_the_config_is_plaintext_mode(portal_settings):
    """``encoding-aes-key: ""`` (the seed's block with the field left blank) is an account without a key."""
    account = {"third": {"wechat": {**PLAINTEXT_ACCOUNT["third"]["wechat"], "encoding_aes_key": ""}}}
    settings = portal_settings(**account)
    runtime = Runtime.from_settings(settings)
    try:
        client = falcon.testing.TestClient(create_app(settings, runtime))
        stamp, nonce = str(int(time.time())), "11"
        echo = client.simulate_get(callbacks.WECHAT_PORTAL, params={
            "signature": callbacks.wechat_signer(settings).signature(stamp, nonce), "timestamp": stamp,
            "nonce": nonce, "echostr": "1234567890"})
        assert (echo.status_code, echo.text) == (200, "1234567890")
    finally:
        runtime.close()


def test_require_encryption_keeps_its_meaning_for_an_account_without_a_key(portal_settings):
    """Who set ``portal.require-encryption`` takes no plaintext at all: without a key there is no portal."""
    settings = portal_settings(portal={"require_encryption": True}, **PLAINTEXT_ACCOUNT)
    runtime = Runtime.from_settings(settings)
    try:
        client = falcon.testing.TestClient(create_app(settings, runtime))
        result = post(client, callbacks.WECHAT_PORTAL,
                      callbacks.build_wechat_callback(settings, text(settings), safe=False))
        assert (result.status_code, result.json["error"]["code"]) == (404, "not_configured")
        assert "encoding-aes-key" in result.json["error"]["message"]
    finally:
        runtime.close()


def test_allowing_and_requiring_encryption_at_once_is_a_config_error(portal_settings):
    with pytest.raises(ConfigError, match="contradict"):
        portal_settings(portal={"require_encryption": True, "allow_plaintext": True})


# -- one body per (timestamp, nonce) ---------------------------------------------------------------------------

@pytest.mark.parametrize("sections", [{"portal": {"allow_plaintext": True}}, PLAINTEXT_ACCOUNT],
                         ids=["plaintext-allowed", "plaintext-account"])
def test_a_replayed_query_with_another_body_is_refused_and_nothing_recorded(probe, client, runtime):
    settings = runtime.settings
    genuine = callbacks.build_wechat_callback(settings, text(settings, "genuine"), safe=False)
    assert reply_of(post(client, callbacks.WECHAT_PORTAL, genuine), settings)
    recorded = inbox(runtime)
    forged = post(client, callbacks.WECHAT_PORTAL, plain_under(genuine.params, text(settings, "forged")))
    assert forged.status_code == 401
    assert forged.json["error"]["code"] == "nonce_reused"
    assert [m.fields["Content"] for m in probe.seen] == ["genuine"]
    assert inbox(runtime) == recorded
    assert runtime.redis.llen("imbridge-dramatiq:inbound") == 1  # the genuine one's drain, no other


@pytest.mark.parametrize(("safe", "sections"), [(True, {}), (False, PLAINTEXT_ACCOUNT)], ids=["safe", "plain"])
def test_the_platforms_retry_of_the_same_request_is_answered_from_the_dedup_record(probe, client, runtime, safe):
    settings = runtime.settings
    request = callbacks.build_wechat_callback(settings, text(settings, "once"), safe=safe)
    first = reply_of(post(client, callbacks.WECHAT_PORTAL, request), settings)
    second = reply_of(post(client, callbacks.WECHAT_PORTAL, request), settings)
    assert first["Content"] == second["Content"] == "TextMessage:text:"
    assert len(probe.seen) == 1
    assert [entry["kind"] for entry in inbox(runtime)] == ["inbound", "reply"]


def test_a_pair_is_remembered_until_its_timestamp_leaves_the_window(probe, client, runtime):
    settings = runtime.settings
    window = settings.portal.replay_window_seconds
    stamp = str(int(time.time()) - window + 100)
    request = callbacks.build_wechat_callback(settings, text(settings), timestamp=stamp, nonce="4242")
    assert post(client, callbacks.WECHAT_PORTAL, request).status_code == 200
    keys = list(runtime.redis.scan_iter("imbridge:portal:stamp:*"))
    assert [key.decode().rsplit(":", 2)[1:] for key in keys] == [[stamp, "4242"]]
    assert 90 <= runtime.redis.ttl(keys[0]) <= 102

