"""Callbacks built by sandbox.callbacks are what the platforms send: signed, encrypted, shaped alike."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest

from platforms.crypto import MessageCrypto
from sandbox import callbacks


@pytest.fixture
def wechat(settings) -> MessageCrypto:
    w = settings.third.wechat
    return MessageCrypto(w.token, w.encoding_aes_key, w.app_id)


@pytest.fixture
def wecom(settings) -> MessageCrypto:
    w = settings.third.wecom
    return MessageCrypto(w.token, w.encoding_aes_key, w.corp_id)


def test_safe_mode_callback_decrypts_and_has_valid_signatures(settings, wechat):
    fields = callbacks.text_fields(settings, "你好 <world>", "oAbc")
    request = callbacks.build_wechat_callback(settings, fields, timestamp="1411443780", nonce="437374425")
    params = request.params
    assert set(params) == {"signature", "timestamp", "nonce", "openid", "encrypt_type", "msg_signature"}
    assert params["encrypt_type"] == "aes" and params["openid"] == "oAbc"
    token = settings.third.wechat.token
    expected = hashlib.sha1("".join(sorted([token, "1411443780", "437374425"])).encode()).hexdigest()
    assert params["signature"] == expected
    envelope = callbacks.parse_xml(request.body)
    assert set(envelope) == {"ToUserName", "Encrypt"}
    xml = wechat.decrypt_message(request.body, params["msg_signature"], "1411443780", "437374425")
    inner = callbacks.parse_xml(xml)
    assert inner["Content"] == "你好 <world>" and inner["FromUserName"] == "oAbc" and inner["MsgType"] == "text"
    assert f"<CreateTime>{fields['CreateTime']}</CreateTime>" in xml


def test_plaintext_callback_is_signed_xml(settings, wechat):
    request = callbacks.build_wechat_callback(settings, callbacks.text_fields(settings, "hi"), safe=False)
    assert "msg_signature" not in request.params and "encrypt_type" not in request.params
    wechat.check_signature(request.params["signature"], request.params["timestamp"], request.params["nonce"])
    assert callbacks.parse_xml(request.body)["Content"] == "hi"


def test_scan_shapes_for_new_and_existing_followers(settings):
    new = callbacks.scan_fields(settings, "k1", "oNew")
    assert (new["MsgType"], new["Event"], new["EventKey"]) == ("event", "subscribe", "qrscene_login_k1")
    assert new["Ticket"]
    old = callbacks.scan_fields(settings, "k1", "oOld", existing=True, ticket="T")
    assert (old["Event"], old["EventKey"], old["Ticket"]) == ("SCAN", "login_k1", "T")


def test_any_event(settings):
    click = callbacks.event_fields(settings, "CLICK", "oA", EventKey="menu_help")
    assert click["Event"] == "CLICK" and click["EventKey"] == "menu_help"
    assert click["ToUserName"] == callbacks.original_id(settings)


def test_wecom_callback_decrypts_with_corp_id(settings, wecom):
    request = callbacks.build_wecom_callback(settings, callbacks.wecom_text_fields(settings, "hello", "zhangsan"))
    assert set(request.params) == {"msg_signature", "timestamp", "nonce"}
    envelope = callbacks.parse_xml(request.body)
    assert envelope["ToUserName"] == settings.third.wecom.corp_id
    assert envelope["AgentID"] == str(settings.third.wecom.agent_id)
    xml = wecom.decrypt_message(request.body, request.params["msg_signature"], request.params["timestamp"],
                                request.params["nonce"])
    assert callbacks.parse_xml(xml)["FromUserName"] == "zhangsan"


def test_scan_posts_to_the_portal_with_the_sandbox_ticket_and_reads_the_reply(settings, wechat):
    seen: list[httpx.Request] = []

    def platform_and_ingress(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/_sandbox/wechat/qrcodes":
            return httpx.Response(200, json={"qrcodes": [{"ticket": "TICKET+/="}]})
        if request.url.path == "/_sandbox/wechat/interactions":  # the scan opens the customer-service window
            return httpx.Response(200, json={})
        params = request.url.params
        xml = wechat.decrypt_message(request.content, params["msg_signature"], params["timestamp"],
                                     params["nonce"])
        inner = callbacks.parse_xml(xml)
        reply = callbacks.render_xml({"ToUserName": inner["FromUserName"], "FromUserName": inner["ToUserName"],
                                      "CreateTime": 1, "MsgType": "text", "Content": inner["Ticket"]})
        return httpx.Response(200, text=wechat.encrypt_reply(reply, "1", "n"))

    with httpx.Client(transport=httpx.MockTransport(platform_and_ingress)) as client:
        response = callbacks.scan("http://ingress", settings, "k9", "oScanner", existing=True,
                                  sandbox_url="http://sandbox", client=client)
    assert seen[-1].url.path == "/wechat/portal" and seen[-1].url.params["openid"] == "oScanner"
    assert [json.loads(r.content) for r in seen if r.url.path == "/_sandbox/wechat/interactions"] == [
        {"openid": "oScanner"}]
    assert callbacks.read_reply(response, settings) == {
        "ToUserName": "oScanner", "FromUserName": callbacks.original_id(settings), "CreateTime": "1",
        "MsgType": "text", "Content": "TICKET+/="}


def test_read_reply_treats_success_as_no_reply(settings):
    assert callbacks.read_reply(httpx.Response(200, text="success"), settings) is None
    assert callbacks.read_reply(httpx.Response(200, text=""), settings) is None
    with pytest.raises(ValueError):
        callbacks.read_reply(httpx.Response(200, text="<not xml"), settings)
