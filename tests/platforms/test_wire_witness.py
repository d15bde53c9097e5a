"""The tests' own witness of the wire (``tests/wire_witness.py``) agrees with the platforms' published vectors."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests import wire_witness

# PLATFORMS.md's WeChat vector (from wechatpy's tests).
TOKEN = "123456"
KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
APPID = "wx49f0ab532d5d035a"
TIMESTAMP, NONCE = "1411443780", "437374425"
ECHOSTR = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
MSG_SIGNATURE = "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"
PLAINTEXT = "5927782489442352469"

# DingTalk's documented formula, computed apart from any Python:
#   printf '%s\n%s' 1700000000000 "$SECRET" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
ROBOT_SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
ROBOT_TIMESTAMP_MS = 1_700_000_000_000
ROBOT_SIGN = "8SZas7RY4E7wuOlgLfjLwHSKZpyUEdXdLvFYSDZiiFw="


def test_dingtalk_robot_sign_of_the_documented_formula():
    assert wire_witness.dingtalk_robot_sign(ROBOT_SECRET, ROBOT_TIMESTAMP_MS) == ROBOT_SIGN


def test_wechat_msg_signature_of_the_published_vector():
    assert wire_witness.wechat_signature(TOKEN, TIMESTAMP, NONCE, ECHOSTR) == MSG_SIGNATURE


def test_the_published_echostr_decrypts_and_encrypts_back():
    assert wire_witness.wechat_decrypt(KEY, ECHOSTR) == (PLAINTEXT, APPID)
    key = base64.b64decode(KEY + "=")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    random16 = (decryptor.update(base64.b64decode(ECHOSTR)) + decryptor.finalize())[:16]
    assert wire_witness.wechat_encrypt(KEY, APPID, PLAINTEXT, random16) == ECHOSTR
