"""Callbacks correctly signed around whatever body a test needs, and the check that one was refused cleanly."""

from __future__ import annotations

import time

from sandbox import callbacks

OPENID = "oAttacker000000000000000001"


def text_fields(settings, **override) -> dict:
    fields = {"ToUserName": callbacks.original_id(settings), "FromUserName": OPENID,
              "CreateTime": int(time.time()), "MsgType": "text", "Content": "hi", "MsgId": 42}
    fields.update(override)
    return {k: v for k, v in fields.items() if v is not None}


def signed_plain(settings, body: str) -> callbacks.CallbackRequest:
    """A plaintext-mode request with a valid signature around an arbitrary body."""
    request = callbacks.build_wechat_callback(settings, text_fields(settings), safe=False)
    return callbacks.CallbackRequest(request.params, body)


def signed_safe(settings, inner_xml: str) -> callbacks.CallbackRequest:
    """A safe-mode request whose encrypted (and correctly signed) plaintext is ``inner_xml``."""
    crypto = callbacks.wechat_crypto(settings)
    timestamp, nonce = str(int(time.time())), "77"
    body, msg_signature = crypto.encrypt_message(inner_xml, timestamp, nonce)
    return callbacks.CallbackRequest({"signature": crypto.signature(timestamp, nonce), "timestamp": timestamp,
                                      "nonce": nonce, "encrypt_type": "aes", "msg_signature": msg_signature}, body)


def refused(result, status: int, code: str | None = None) -> None:
    assert result.status_code == status, result.text
    assert "Traceback" not in result.text
    assert result.json["error"]["message"]
    if code:
        assert result.json["error"]["code"] == code
