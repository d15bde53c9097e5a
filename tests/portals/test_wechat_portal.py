"""``/wechat/portal``: the GET handshake and every message and event type of PLATFORMS.md, in plaintext,
compatible and safe mode, answered (encrypted in safe mode) through the real app."""

from __future__ import annotations

import secrets
import time

import pytest

from sandbox import callbacks
from tests import wire_witness
from tests.portals.conftest import PLAINTEXT_ACCOUNT, PLAINTEXT_ONLY, post, post_wechat, reply_of, wechat_request

OPENID = "oFollower0000000000000000001"


def common(settings, msg_type: str) -> dict:
    return {"ToUserName": callbacks.original_id(settings), "FromUserName": OPENID,
            "CreateTime": int(time.time()), "MsgType": msg_type}


def message(settings, msg_type: str, **extra) -> dict:
    return {**common(settings, msg_type), **extra, "MsgId": secrets.randbits(63)}


def event(settings, name: str, **extra) -> dict:
    return {**common(settings, "event"), "Event": name, **extra}


#: (fields builder, the class parse_message must choose). Nested containers as WeChat sends them.
CASES = {
    "text": (lambda s: message(s, "text", Content="你好 <b>&amp;"), "TextMessage"),
    "image": (lambda s: message(s, "image", PicUrl="http://mmbiz/p.jpg", MediaId="media-1"), "ImageMessage"),
    "voice": (lambda s: message(s, "voice", MediaId="m", Format="amr", Recognition="你好"), "VoiceMessage"),
    "video": (lambda s: message(s, "video", MediaId="m", ThumbMediaId="t"), "VideoMessage"),
    "shortvideo": (lambda s: message(s, "shortvideo", MediaId="m", ThumbMediaId="t"), "ShortVideoMessage"),
    "location": (lambda s: message(s, "location", Location_X="23.13", Location_Y="113.26", Scale=20,
                                   Label="Guangzhou"), "LocationMessage"),
    "link": (lambda s: message(s, "link", Title="t", Description="d", Url="http://example.com"), "LinkMessage"),
    "subscribe": (lambda s: event(s, "subscribe", EventKey=""), "SubscribeEvent"),
    "subscribe-qrscene": (lambda s: event(s, "subscribe", EventKey="qrscene_other_1", Ticket="tk"),
                          "SubscribeEvent"),
    "unsubscribe": (lambda s: event(s, "unsubscribe", EventKey=""), "UnsubscribeEvent"),
    "SCAN": (lambda s: event(s, "SCAN", EventKey="other_1", Ticket="tk"), "ScanEvent"),
    "LOCATION": (lambda s: event(s, "LOCATION", Latitude="23.13", Longitude="113.26", Precision="119.3"),
                 "LocationEvent"),
    "CLICK": (lambda s: event(s, "CLICK", EventKey="MENU_1"), "ClickEvent"),
    "VIEW": (lambda s: event(s, "VIEW", EventKey="https://example.com/", MenuId="1"), "ViewEvent"),
    "scancode_push": (lambda s: event(s, "scancode_push", EventKey="scan_1",
                                      ScanCodeInfo={"ScanType": "qrcode", "ScanResult": "hello"}), "ScanCodeEvent"),
    "scancode_waitmsg": (lambda s: event(s, "scancode_waitmsg", EventKey="scan_2",
                                         ScanCodeInfo={"ScanType": "qrcode", "ScanResult": "x"}), "ScanCodeEvent"),
    "pic_sysphoto": (lambda s: event(s, "pic_sysphoto", EventKey="p", SendPicsInfo={
        "Count": 1, "PicList": [{"PicMd5Sum": "abc"}]}), "PicEvent"),
    "pic_photo_or_album": (lambda s: event(s, "pic_photo_or_album", EventKey="p", SendPicsInfo={
        "Count": 1, "PicList": [{"PicMd5Sum": "abc"}]}), "PicEvent"),
    "pic_weixin": (lambda s: event(s, "pic_weixin", EventKey="p", SendPicsInfo={
        "Count": 1, "PicList": [{"PicMd5Sum": "abc"}]}), "PicEvent"),
    "location_select": (lambda s: event(s, "location_select", EventKey="l", SendLocationInfo={
        "Location_X": "23", "Location_Y": "113", "Scale": "15", "Label": "x", "Poiname": ""}),
        "LocationSelectEvent"),
    "TEMPLATESENDJOBFINISH": (lambda s: event(s, "TEMPLATESENDJOBFINISH", MsgID=200163836, Status="success"),
                              "TemplateSendJobFinishEvent"),
    "MASSSENDJOBFINISH": (lambda s: event(s, "MASSSENDJOBFINISH", MsgID=1000001625, Status="send success",
                                          TotalCount=100, FilterCount=80, SentCount=75, ErrorCount=5),
                          "MassSendJobFinishEvent"),
}


@pytest.mark.parametrize(("mode", "sections"), [("plain", PLAINTEXT_ACCOUNT), ("safe", {})], ids=["plain", "safe"])
@pytest.mark.parametrize("case", list(CASES))
def test_every_message_and_event_type_is_parsed_routed_and_answered(probe, client, runtime, case, mode):
    build, expected_class = CASES[case]
    fields = build(runtime.settings)
    result = post_wechat(client, runtime.settings, fields, safe=mode == "safe")
    reply = reply_of(result, runtime.settings)
    assert reply is not None
    assert reply["Content"].startswith(expected_class + ":")
    assert (reply["ToUserName"], reply["FromUserName"], reply["MsgType"]) == (
        OPENID, callbacks.original_id(runtime.settings), "text")
    assert [type(m).__name__ for m in probe.seen] == [expected_class]
    if mode == "safe":
        assert "<Encrypt>" in result.text and "Content" not in result.text
    else:
        assert "<Encrypt>" not in result.text


def test_compatible_mode_trusts_the_encrypted_copy_only(probe, client, runtime):
    settings = runtime.settings
    fields = message(settings, "text", Content="the real text")
    request = wechat_request(settings, fields, safe=True)
    # Compatible mode: the plaintext fields travel next to Encrypt; ours are tampered with, Encrypt is not.
    tampered = request.body.replace("</xml>", "<MsgType><![CDATA[text]]></MsgType>"
                                    "<Content><![CDATA[forged]]></Content></xml>")
    reply = reply_of(post(client, callbacks.WECHAT_PORTAL, request, body=tampered), settings)
    assert probe.seen[0].fields["Content"] == "the real text"
    assert reply is not None and "<Encrypt>" not in reply.get("Content", "")


def test_no_reply_answers_success_as_text(client, runtime):
    result = post_wechat(client, runtime.settings, message(runtime.settings, "image", MediaId="m"), safe=True)
    assert result.status_code == 200
    assert result.text == "success"
    assert result.headers["Content-Type"].startswith("text/plain")


@PLAINTEXT_ONLY
def test_a_reply_is_served_as_text_xml(client, runtime):
    result = post_wechat(client, runtime.settings, event(runtime.settings, "subscribe", EventKey=""), safe=False)
    assert result.headers["Content-Type"].startswith("text/xml")


def test_get_handshake_echoes_echostr_as_plain_text(client, runtime):
    crypto = callbacks.wechat_crypto(runtime.settings)
    timestamp, nonce = str(int(time.time())), "98765"
    params = {"signature": crypto.signature(timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
              "echostr": "5927782489442352469"}
    result = client.simulate_get(callbacks.WECHAT_PORTAL, params=params)
    assert result.status_code == 200
    assert result.text == "5927782489442352469"
    assert result.headers["Content-Type"].startswith("text/plain")


def test_get_handshake_with_a_wrong_signature_is_401(client, runtime):
    params = {"signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "1", "echostr": "x"}
    result = client.simulate_get(callbacks.WECHAT_PORTAL, params=params)
    assert result.status_code == 401
    assert result.json["error"]["code"] == "bad_signature"


def test_the_portal_needs_no_api_key_and_is_in_the_openapi_document(client):
    document = client.simulate_get("/openapi.json").json
    assert {"get", "post"} <= set(document["paths"]["/wechat/portal"])
    assert {"get", "post"} <= set(document["paths"]["/wecom/portal"])
    assert "/api/v1/inbound" in document["paths"]
    assert "/api/v1/webhooks" in document["paths"]


def test_a_callback_signed_and_encrypted_by_the_published_scheme_is_answered_in_it(probe, client, runtime):
    """WeChat's side written without the sandbox or the SDK (``tests.wire_witness``): the portal must read it,
    and its reply must open with the same independent code."""
    wechat = runtime.settings.third.wechat
    timestamp, nonce = str(int(time.time())), "8837161"
    fields = message(runtime.settings, "text", Content="independent 独立")
    xml = "<xml>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()) + "</xml>"
    encrypted = wire_witness.wechat_encrypt(wechat.encoding_aes_key, wechat.app_id, xml)
    body = (f"<xml><ToUserName><![CDATA[{fields['ToUserName']}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
    params = {"signature": wire_witness.wechat_signature(wechat.token, timestamp, nonce), "timestamp": timestamp,
              "nonce": nonce, "openid": OPENID, "encrypt_type": "aes",
              "msg_signature": wire_witness.wechat_signature(wechat.token, timestamp, nonce, encrypted)}
    result = client.simulate_post("/wechat/portal", params=params, body=body, headers={"Content-Type": "text/xml"})
    assert result.status_code == 200, result.text
    reply = wire_witness.open_encrypted_reply(result.text, wechat.token, wechat.encoding_aes_key, wechat.app_id)
    assert (reply["ToUserName"], reply["FromUserName"]) == (OPENID, fields["ToUserName"])
    assert (reply["MsgType"], reply["Content"]) == ("text", "TextMessage:text:")
    assert probe.seen[0].content == "independent 独立"


def test_a_callback_whose_msg_signature_is_of_the_published_scheme_but_another_token_is_refused(client, runtime):
    wechat = runtime.settings.third.wechat
    timestamp, nonce = str(int(time.time())), "8837162"
    fields = message(runtime.settings, "text", Content="forged")
    xml = "<xml>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()) + "</xml>"
    encrypted = wire_witness.wechat_encrypt(wechat.encoding_aes_key, wechat.app_id, xml)
    body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    params = {"signature": wire_witness.wechat_signature(wechat.token, timestamp, nonce), "timestamp": timestamp,
              "nonce": nonce, "encrypt_type": "aes",
              "msg_signature": wire_witness.wechat_signature("not-the-token", timestamp, nonce, encrypted)}
    result = client.simulate_post("/wechat/portal", params=params, body=body, headers={"Content-Type": "text/xml"})
    assert result.status_code == 401, result.text
