"""``/wecom/portal``: the encrypted echostr handshake and WeCom's messages and events (always encrypted)."""

from __future__ import annotations

import secrets
import time

import pytest

from sandbox import callbacks
from tests.portals.conftest import post, post_wecom, reply_of

USER = "zhang.san"


def fields(settings, msg_type: str, **extra) -> dict:
    wecom = settings.third.wecom
    return {"ToUserName": wecom.corp_id, "FromUserName": USER, "CreateTime": int(time.time()),
            "MsgType": msg_type, "AgentID": wecom.agent_id, **extra}


CASES = {
    "text": (lambda s: {**fields(s, "text", Content="请假"), "MsgId": secrets.randbits(63)}, "TextMessage"),
    "image": (lambda s: {**fields(s, "image", PicUrl="http://p", MediaId="m"), "MsgId": 1}, "ImageMessage"),
    "voice": (lambda s: {**fields(s, "voice", MediaId="m", Format="amr"), "MsgId": 2}, "VoiceMessage"),
    "video": (lambda s: {**fields(s, "video", MediaId="m", ThumbMediaId="t"), "MsgId": 3}, "VideoMessage"),
    "location": (lambda s: {**fields(s, "location", Location_X="23", Location_Y="113", Scale="15", Label="x"),
                            "MsgId": 4}, "LocationMessage"),
    "link": (lambda s: {**fields(s, "link", Title="t", Description="d", Url="http://e", PicUrl="http://p"),
                        "MsgId": 5}, "LinkMessage"),
    "subscribe": (lambda s: fields(s, "event", Event="subscribe"), "SubscribeEvent"),
    "unsubscribe": (lambda s: fields(s, "event", Event="unsubscribe"), "UnsubscribeEvent"),
    "enter_agent": (lambda s: fields(s, "event", Event="enter_agent", EventKey=""), "InboundMessage"),
    "LOCATION": (lambda s: fields(s, "event", Event="LOCATION", Latitude="23", Longitude="113", Precision="1"),
                 "LocationEvent"),
    "click": (lambda s: fields(s, "event", Event="click", EventKey="K1"), "ClickEvent"),
    "view": (lambda s: fields(s, "event", Event="view", EventKey="https://e/"), "ViewEvent"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_wecom_message_and_event_is_answered_encrypted(probe, client, runtime, case):
    build, expected_class = CASES[case]
    result = post_wecom(client, runtime.settings, build(runtime.settings))
    assert "<Encrypt>" in result.text
    reply = reply_of(result, runtime.settings, "wecom")
    assert reply is not None
    assert reply["Content"].startswith(expected_class + ":")
    assert (reply["ToUserName"], reply["FromUserName"]) == (USER, runtime.settings.third.wecom.corp_id)
    assert probe.seen[0].fields["AgentID"] == str(runtime.settings.third.wecom.agent_id)


def test_wecom_handshake_answers_the_decrypted_echostr(client, runtime):
    crypto = callbacks.wecom_crypto(runtime.settings)
    timestamp, nonce = str(int(time.time())), "5555"
    plain = "1616140317555161061"
    echostr = crypto.encrypt(plain)
    params = {"msg_signature": crypto.signature(timestamp, nonce, echostr), "timestamp": timestamp,
              "nonce": nonce, "echostr": echostr}
    result = client.simulate_get(callbacks.WECOM_PORTAL, params=params)
    assert result.status_code == 200
    assert result.text == plain
    assert result.headers["Content-Type"].startswith("text/plain")


def test_wecom_handshake_survives_a_plus_decoded_as_a_space(client, runtime):
    crypto = callbacks.wecom_crypto(runtime.settings)
    timestamp, nonce = str(int(time.time())), "5555"
    while "+" not in (echostr := crypto.encrypt("plain-echo")):
        pass
    signature = crypto.signature(timestamp, nonce, echostr)
    query = f"msg_signature={signature}&timestamp={timestamp}&nonce={nonce}&echostr={echostr}"  # '+' unescaped
    result = client.simulate_get(callbacks.WECOM_PORTAL, query_string=query)
    assert result.status_code == 200, result.text
    assert result.text == "plain-echo"


def test_wecom_handshake_with_a_wrong_signature_is_401(client, runtime):
    crypto = callbacks.wecom_crypto(runtime.settings)
    params = {"msg_signature": "f" * 40, "timestamp": str(int(time.time())), "nonce": "1",
              "echostr": crypto.encrypt("x")}
    assert client.simulate_get(callbacks.WECOM_PORTAL, params=params).status_code == 401


def test_wecom_plaintext_is_refused(client, runtime):
    crypto = callbacks.wecom_crypto(runtime.settings)
    timestamp, nonce = str(int(time.time())), "1"
    request = callbacks.CallbackRequest({"signature": crypto.signature(timestamp, nonce), "timestamp": timestamp,
                                         "nonce": nonce}, callbacks.render_xml(fields(runtime.settings, "text")))
    assert post(client, callbacks.WECOM_PORTAL, request).status_code == 401


def test_a_wechat_message_sealed_for_another_receive_id_is_refused(client, runtime):
    """Same token and key, but the ciphertext closes with another corp id than ours."""
    settings = runtime.settings.model_copy(deep=True)
    settings.third.wecom.corp_id = "wwsomeoneelse0001"
    result = post_wecom(client, settings, fields(settings, "text", Content="x", MsgId=9))
    assert result.status_code == 400
    assert result.json["error"]["code"] == "undecryptable"
