"""The platforms' signing and encryption, written again from their published descriptions, for tests only.

A second witness of what crossed the wire: the SDK (``platforms/``) signs and encrypts, the sandbox (``sandbox/``)
checks with code of its own, and the end-to-end tests check once more with this module, which imports neither.
It is pinned to the published vectors in ``tests/platforms/test_wire_witness.py``.

- DingTalk robot: ``sign = base64(HMAC-SHA256(key=secret, msg="<timestamp_ms>\\n<secret>"))`` (before URL encoding).
- WeChat / WeCom: ``signature = sha1(sorted(token, timestamp, nonce[, encrypt]) joined)``; the message is
  AES-256-CBC with ``key = base64(EncodingAESKey + "=")``, ``iv = key[:16]``, PKCS#7 to 32-byte blocks, over
  ``16 random bytes + 4-byte big-endian length + message + receive id`` (app id or corp id), then base64.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import xml.etree.ElementTree as ElementTree

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


def dingtalk_robot_sign(secret: str, timestamp_ms: int | str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def wechat_signature(token: str, timestamp: str, nonce: str, encrypt: str | None = None) -> str:
    parts = [token, timestamp, nonce] + ([encrypt] if encrypt is not None else [])
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _cipher(encoding_aes_key: str) -> Cipher:
    key = base64.b64decode(encoding_aes_key + "=")
    assert len(key) == 32, "an EncodingAESKey is 43 characters of base64"
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def wechat_encrypt(encoding_aes_key: str, receive_id: str, message: str, random16: bytes | None = None) -> str:
    body = message.encode()
    plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + receive_id.encode()
    pad = BLOCK - len(plain) % BLOCK
    encryptor = _cipher(encoding_aes_key).encryptor()
    return base64.b64encode(encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()).decode()


def wechat_decrypt(encoding_aes_key: str, encrypted: str) -> tuple[str, str]:
    """``(message, receive id)`` of an ``Encrypt`` value; AssertionError when its padding is not PKCS#7/32."""
    decryptor = _cipher(encoding_aes_key).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    pad = plain[-1]
    assert 1 <= pad <= BLOCK and plain[-pad:] == bytes([pad]) * pad, "not PKCS#7 padded to 32-byte blocks"
    plain = plain[:-pad]
    (length,) = struct.unpack(">I", plain[16:20])
    return plain[20:20 + length].decode(), plain[20 + length:].decode()


def xml_fields(text: str) -> dict[str, str]:
    """The top-level fields of a flat WeChat XML document (text of each child of ``<xml>``)."""
    return {child.tag: (child.text or "") for child in ElementTree.fromstring(text)}


def open_encrypted_reply(body: str, token: str, encoding_aes_key: str, receive_id: str) -> dict[str, str]:
    """The fields of an encrypted passive reply, its ``MsgSignature`` and receive id checked; AssertionError if not."""
    envelope = xml_fields(body)
    expected = wechat_signature(token, envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"])
    assert envelope["MsgSignature"] == expected, "MsgSignature is not sha1(sorted(token, ts, nonce, Encrypt))"
    message, receiver = wechat_decrypt(encoding_aes_key, envelope["Encrypt"])
    assert receiver == receive_id, f"the reply is encrypted for {receiver!r}, not {receive_id!r}"
    return xml_fields(message)
