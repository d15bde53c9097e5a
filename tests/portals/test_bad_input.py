"""Hostile or broken callbacks: a clear 4xx, nothing processed, nothing recorded, never a 5xx or a trace."""

from __future__ import annotations

import time

import pytest

from sandbox import callbacks
from tests.portals.bad_callbacks import refused, signed_plain, signed_safe, text_fields
from tests.portals.conftest import PLAINTEXT_ALLOWED, post, wechat_request

OPENID = "oAttacker000000000000000001"
DTD_BODIES = {
    "internal-entity": '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e "boom">]><xml><Content>&e;</Content></xml>',
    "external-entity": '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                       "<xml><Content>&e;</Content></xml>",
    "billion-laughs": '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">'
                      '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                      "<xml><Content>&c;</Content></xml>",
    "doctype-only": '<!DOCTYPE xml SYSTEM "http://example.com/x.dtd"><xml><MsgType>text</MsgType></xml>',
}
MALFORMED_BODIES = {
    "not-xml": "hello",
    "unclosed": "<xml><MsgType>text</MsgType>",
    "wrong-root": "<message><MsgType>text</MsgType></message>",
    "binary": "\x00\x01\x02",
}


# -- signatures ----------------------------------------------------------------------------------------------

@PLAINTEXT_ALLOWED
def test_wrong_plain_signature_is_401(nothing_processed, client, runtime):
    request = wechat_request(runtime.settings, text_fields(runtime.settings), safe=False)
    request.params["signature"] = "0" * 40
    refused(post(client, callbacks.WECHAT_PORTAL, request), 401, "bad_signature")


def test_wrong_msg_signature_is_401(nothing_processed, client, runtime):
    request = wechat_request(runtime.settings, text_fields(runtime.settings), safe=True)
    request.params["msg_signature"] = "0" * 40
    refused(post(client, callbacks.WECHAT_PORTAL, request), 401, "bad_signature")


def test_safe_mode_with_a_wrong_plain_signature_is_401(nothing_processed, client, runtime):
    request = wechat_request(runtime.settings, text_fields(runtime.settings), safe=True)
    request.params["signature"] = "0" * 40
    refused(post(client, callbacks.WECHAT_PORTAL, request), 401, "bad_signature")


def test_a_tampered_ciphertext_is_401(nothing_processed, client, runtime):
    request = wechat_request(runtime.settings, text_fields(runtime.settings), safe=True)
    body = request.body.replace("<Encrypt><![CDATA[", "<Encrypt><![CDATA[AAAA", 1)
    refused(post(client, callbacks.WECHAT_PORTAL, request, body=body), 401, "bad_signature")


@PLAINTEXT_ALLOWED
@pytest.mark.parametrize("missing", ["signature", "timestamp", "nonce"])
def test_missing_signature_parameters_are_401(nothing_processed, client, runtime, missing):
    request = wechat_request(runtime.settings, text_fields(runtime.settings), safe=False)
    del request.params[missing]
    refused(post(client, callbacks.WECHAT_PORTAL, request), 401)


def test_wrong_wecom_signature_is_401(nothing_processed, client, runtime):
    wecom = runtime.settings.third.wecom
    request = callbacks.build_wecom_callback(runtime.settings, {
        "ToUserName": wecom.corp_id, "FromUserName": "u", "CreateTime": int(time.time()), "MsgType": "text",
        "Content": "x", "MsgId": 1})
    request.params["msg_signature"] = "a" * 40
    refused(post(client, callbacks.WECOM_PORTAL, request), 401, "bad_signature")


# -- malformed bodies ------------------------------------------------------------------------------------------

@PLAINTEXT_ALLOWED
@pytest.mark.parametrize("name", list(DTD_BODIES))
def test_dtd_and_entities_are_400_in_plain_mode(nothing_processed, client, runtime, name):
    refused(post(client, callbacks.WECHAT_PORTAL, signed_plain(runtime.settings, DTD_BODIES[name])), 400)


@pytest.mark.parametrize("name", list(DTD_BODIES))
def test_dtd_and_entities_are_400_inside_the_ciphertext(nothing_processed, client, runtime, name):
    refused(post(client, callbacks.WECHAT_PORTAL, signed_safe(runtime.settings, DTD_BODIES[name])), 400)


@pytest.mark.parametrize("name", list(DTD_BODIES))
def test_dtd_and_entities_are_400_in_the_envelope(nothing_processed, client, runtime, name):
    request = wechat_request(runtime.settings, text_fields(runtime.settings), safe=True)
    refused(post(client, callbacks.WECHAT_PORTAL, request, body=DTD_BODIES[name]), 400)


@PLAINTEXT_ALLOWED
@pytest.mark.parametrize("name", list(MALFORMED_BODIES))
def test_malformed_xml_is_400(nothing_processed, client, runtime, name):
    refused(post(client, callbacks.WECHAT_PORTAL, signed_plain(runtime.settings, MALFORMED_BODIES[name])), 400,
            "bad_message")
    refused(post(client, callbacks.WECHAT_PORTAL, signed_safe(runtime.settings, MALFORMED_BODIES[name])), 400,
            "bad_message")


@PLAINTEXT_ALLOWED
def test_an_empty_body_is_400(nothing_processed, client, runtime):
    refused(post(client, callbacks.WECHAT_PORTAL, signed_plain(runtime.settings, "")), 400)


def test_a_body_over_64_kib_is_400(nothing_processed, client, runtime):
    big = callbacks.render_xml(text_fields(runtime.settings, Content="x" * (64 * 1024)))
    refused(post(client, callbacks.WECHAT_PORTAL, signed_plain(runtime.settings, big)), 400, "body_too_large")


def test_a_chunked_body_over_64_kib_is_400_too(nothing_processed, client, runtime):
    """No Content-Length (a chunked upload): never read without bound, refused (the platforms send a length)."""
    import io
    import json
    from urllib.parse import urlencode

    import falcon.testing

    big = callbacks.render_xml(text_fields(runtime.settings, Content="x" * (64 * 1024))).encode()
    request = signed_plain(runtime.settings, "")
    environ = falcon.testing.create_environ(callbacks.WECHAT_PORTAL, query_string=urlencode(request.params),
                                            method="POST", headers={"Content-Type": "text/xml"})
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BytesIO(big)
    start_response = falcon.testing.StartResponseMock()
    body = b"".join(client.app(environ, start_response))
    assert start_response.status.startswith("400")
    assert json.loads(body)["error"]["code"] in ("body_too_large", "bad_message")


@pytest.mark.parametrize("override", [
    {"FromUserName": None}, {"ToUserName": None}, {"CreateTime": None}, {"MsgType": None},
    {"Content": None}, {"CreateTime": "yesterday"}, {"MsgType": "event"},
], ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
@PLAINTEXT_ALLOWED
@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
def test_a_missing_or_bad_field_is_400(nothing_processed, client, runtime, override, safe):
    fields = text_fields(runtime.settings, **override)
    xml = callbacks.render_xml(fields)
    request = signed_safe(runtime.settings, xml) if safe else signed_plain(runtime.settings, xml)
    refused(post(client, callbacks.WECHAT_PORTAL, request), 400, "bad_message")


def test_an_envelope_without_encrypt_is_400(nothing_processed, client, runtime):
    request = wechat_request(runtime.settings, text_fields(runtime.settings), safe=True)
    refused(post(client, callbacks.WECHAT_PORTAL, request, body="<xml><ToUserName>x</ToUserName></xml>"), 400)


def test_a_signed_but_undecryptable_ciphertext_is_400(nothing_processed, client, runtime):
    crypto = callbacks.wechat_crypto(runtime.settings)
    timestamp, nonce = str(int(time.time())), "1"
    encrypted = "bm90IGEgY2lwaGVydGV4dA=="  # valid base64, not a multiple of the AES block
    params = {"signature": crypto.signature(timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
              "encrypt_type": "aes", "msg_signature": crypto.signature(timestamp, nonce, encrypted)}
    body = f"<xml><ToUserName>x</ToUserName><Encrypt>{encrypted}</Encrypt></xml>"
    refused(post(client, callbacks.WECHAT_PORTAL, callbacks.CallbackRequest(params, body)), 400, "undecryptable")


def test_get_without_echostr_is_400(client, runtime):
    crypto = callbacks.wechat_crypto(runtime.settings)
    timestamp, nonce = str(int(time.time())), "1"
    result = client.simulate_get(callbacks.WECHAT_PORTAL, params={
        "signature": crypto.signature(timestamp, nonce), "timestamp": timestamp, "nonce": nonce})
    refused(result, 400)


def test_plaintext_mode_can_be_refused_by_configuration(portal_settings):
    import falcon.testing

    from core.runtime import Runtime
    from ingress import create_app

    settings = portal_settings(portal={"require_encryption": True})
    runtime = Runtime.from_settings(settings)
    try:
        client = falcon.testing.TestClient(create_app(settings, runtime))
        plain = wechat_request(settings, text_fields(settings), safe=False)
        refused(post(client, callbacks.WECHAT_PORTAL, plain), 401, "plaintext_refused")
        safe = wechat_request(settings, text_fields(settings, MsgId=43), safe=True)
        assert post(client, callbacks.WECHAT_PORTAL, safe).status_code == 200
    finally:
        runtime.close()
