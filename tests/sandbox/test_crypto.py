"""The sandbox's own signing and crypto, pinned to the published test vectors, and so independent of the SDK's:
a signing bug in ``platforms/`` is refused by the sandbox instead of agreeing with itself."""

from __future__ import annotations

import base64
import hmac

import httpx
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

import platforms.dingtalk.robot
import platforms.dingtalk.sign
from config import demo
from platforms.dingtalk import DingTalkRobot
from platforms.errors import PermanentError
from platforms.transport import Transport
from sandbox import create_app
from sandbox import crypto as sandbox_crypto
from sandbox.crypto import SafeMode, Signer, dingtalk_robot_sign, dingtalk_robot_sign_matches

# PLATFORMS.md's WeChat vector (from wechatpy's tests).
TOKEN = "123456"
KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
APPID = "wx49f0ab532d5d035a"
TIMESTAMP, NONCE = "1411443780", "437374425"
ECHOSTR = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
MSG_SIGNATURE = "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"
PLAINTEXT = "5927782489442352469"

# DingTalk's documented formula, computed apart from any Python of ours:
#   printf '%s\n%s' 1700000000000 "$SECRET" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
ROBOT_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
ROBOT_TIMESTAMP_MS = 1_700_000_000_000
ROBOT_SIGN = "8SZas7RY4E7wuOlgLfjLwHSKZpyUEdXdLvFYSDZiiFw="


def test_the_msg_signature_of_the_published_vector():
    assert SafeMode(TOKEN, KEY, APPID).signature(TIMESTAMP, NONCE, ECHOSTR) == MSG_SIGNATURE
    assert Signer(TOKEN).signature(TIMESTAMP, NONCE, ECHOSTR) == MSG_SIGNATURE


def test_the_published_echostr_decrypts_to_its_plaintext():
    assert SafeMode(TOKEN, KEY, APPID).decrypt(ECHOSTR) == PLAINTEXT


def test_encrypting_the_plaintext_with_its_random_bytes_gives_the_published_echostr(monkeypatch):
    key = base64.b64decode(KEY + "=")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    random_prefix = (decryptor.update(base64.b64decode(ECHOSTR)) + decryptor.finalize())[:16]
    monkeypatch.setattr(sandbox_crypto.secrets, "token_bytes", lambda n: random_prefix[:n])
    assert SafeMode(TOKEN, KEY, APPID).encrypt(PLAINTEXT) == ECHOSTR


@pytest.mark.parametrize("text", ["", "a", "x" * 11, "x" * 12, "x" * 13, "中文" * 100])
def test_round_trip_pads_to_32_byte_blocks(text):
    crypto = SafeMode(TOKEN, KEY, APPID)
    encrypted = crypto.encrypt(text)
    assert len(base64.b64decode(encrypted)) % 32 == 0
    assert crypto.decrypt(encrypted) == text


@pytest.mark.parametrize("encrypted", [ECHOSTR[:-4] + "AAA=", "not base64!", "", base64.b64encode(b"x" * 32).decode()])
def test_what_does_not_decrypt_is_a_value_error(encrypted):
    with pytest.raises(ValueError):
        SafeMode(TOKEN, KEY, APPID).decrypt(encrypted)


def test_a_plaintext_for_another_receive_id_is_refused():
    with pytest.raises(ValueError, match="ReceiveId"):
        SafeMode(TOKEN, KEY, "wx_another_app").decrypt(ECHOSTR)


def test_the_dingtalk_robot_sign_of_the_documented_formula():
    assert dingtalk_robot_sign(ROBOT_SECRET, ROBOT_TIMESTAMP_MS) == ROBOT_SIGN
    assert dingtalk_robot_sign_matches(ROBOT_SECRET, ROBOT_TIMESTAMP_MS, ROBOT_SIGN)
    assert not dingtalk_robot_sign_matches(ROBOT_SECRET, ROBOT_TIMESTAMP_MS + 1, ROBOT_SIGN)
    assert not dingtalk_robot_sign_matches(ROBOT_SECRET, ROBOT_TIMESTAMP_MS, ROBOT_SIGN.replace("=", "%3D"))
    assert not dingtalk_robot_sign_matches(ROBOT_SECRET, ROBOT_TIMESTAMP_MS, "签名")


def test_a_robot_signing_bug_in_the_sdk_is_refused_by_the_sandbox(settings, state, monkeypatch):
    """Our robot client against the sandbox app: signed right it is delivered; with a wrong formula in the SDK it
    is a 310000 (while the sandbox checked with the SDK's own ``verify_robot_sign``, the bug signed and verified
    alike and was delivered)."""
    wsgi = httpx.Client(transport=httpx.WSGITransport(app=create_app(settings, state)))
    robot = DingTalkRobot(transport=Transport("dingtalk", "http://sandbox/dingtalk", client=wsgi))
    text = {"msgtype": "text", "text": {"content": "hi"}}
    assert robot.send(demo.DINGTALK_ROBOT_TOKEN, text, secret=demo.DINGTALK_ROBOT_SECRET)["errcode"] == 0

    def bug(secret: str, timestamp_ms: int) -> str:  # the message without its newline
        digest = hmac.new(secret.encode(), f"{timestamp_ms}{secret}".encode(), "sha256").digest()
        return base64.b64encode(digest).decode()

    monkeypatch.setattr(platforms.dingtalk.sign, "robot_sign", bug)
    monkeypatch.setattr(platforms.dingtalk.robot, "robot_sign", bug)
    with pytest.raises(PermanentError) as refused:
        robot.send(demo.DINGTALK_ROBOT_TOKEN, text, secret=demo.DINGTALK_ROBOT_SECRET)
    assert refused.value.errcode == 310000 and "sign not match" in refused.value.errmsg
