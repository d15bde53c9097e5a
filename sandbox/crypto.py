"""The platforms' side of callback signatures, safe-mode crypto and DingTalk robot signing.

Written from the wire rules (``PLATFORMS.md``), apart from the SDK in ``platforms/``, and pinned to the published
test vectors (``tests/sandbox/test_crypto.py``). The sandbox checks what our clients send and builds what our
ingress reads with this code, so a bug in the SDK's signing or crypto fails against the sandbox instead of
agreeing with itself.

* Token signature: ``sha1("".join(sorted([token, timestamp, nonce, *parts])))``, lowercase hex; ``parts`` is the
  ``Encrypt`` text in safe mode, nothing in plaintext mode.
* Safe mode: ``key = b64decode(EncodingAESKey + "=")``, AES-256-CBC with IV ``key[:16]`` over 16 random bytes,
  the message's length (4 bytes, big-endian), the message and the ReceiveId (appid or corpid), PKCS#7-padded
  to 32-byte blocks.
* DingTalk robot: ``base64(HMAC_SHA256(key=secret, msg=f"{timestamp_ms}\\n{secret}"))``.

Example::

    crypto = SafeMode(token, encoding_aes_key, receive_id=app_id)
    body, msg_signature = crypto.encrypt_message(xml, timestamp, nonce)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.padding import PKCS7

from sandbox.flat_xml import render_xml

#: The platforms pad to 32-byte blocks (PKCS#7 counts in bits), not to AES's 16.
PAD_BITS = 32 * 8
#: The random bytes that open every plaintext, and the length field after them.
RANDOM_BYTES, LENGTH_BYTES = 16, 4


class Signer:
    """The callback Token's signature, all a plaintext-mode callback carries.

    :param token: the Token configured for the account's callback.
    """

    def __init__(self, token: str) -> None:
        self.token = token

    def signature(self, timestamp: str, nonce: str, *parts: str) -> str:
        """The signature (``signature``, or ``msg_signature`` when ``parts`` holds the ``Encrypt`` text)."""
        joined = "".join(sorted([self.token, str(timestamp), str(nonce), *parts]))
        return hashlib.sha1(joined.encode()).hexdigest()


class SafeMode(Signer):
    """An account's safe mode: its Token's signature plus the AES of ``Encrypt``.

    :param encoding_aes_key: the 43-character EncodingAESKey.
    :param receive_id: the appid (WeChat) or corpid (WeCom) that closes every plaintext.
    """

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        super().__init__(token)
        key = base64.b64decode(encoding_aes_key + "=")
        if len(key) != 32:
            raise ValueError("an EncodingAESKey decodes to 32 bytes")
        self.receive_id = receive_id
        self._cipher = Cipher(algorithms.AES(key), modes.CBC(key[:16]))

    def encrypt(self, text: str) -> str:
        """``text`` as the platform encrypts it, in base64."""
        message = text.encode()
        plain = (secrets.token_bytes(RANDOM_BYTES) + len(message).to_bytes(LENGTH_BYTES, "big") + message
                 + self.receive_id.encode())
        padder = PKCS7(PAD_BITS).padder()
        encryptor = self._cipher.encryptor()
        sealed = encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
        return base64.b64encode(sealed).decode()

    def decrypt(self, encrypted: str) -> str:
        """The text inside ``encrypted``; ``ValueError`` unless it is well formed and closes with our ReceiveId."""
        decryptor = self._cipher.decryptor()
        padded = decryptor.update(base64.b64decode(encrypted, validate=True)) + decryptor.finalize()
        unpadder = PKCS7(PAD_BITS).unpadder()
        plain = unpadder.update(padded) + unpadder.finalize()
        start = RANDOM_BYTES + LENGTH_BYTES
        end = start + int.from_bytes(plain[RANDOM_BYTES:start], "big")
        if end > len(plain) or plain[end:] != self.receive_id.encode():
            raise ValueError("the plaintext does not close with our ReceiveId")
        return plain[start:end].decode()

    def encrypt_message(self, xml: str, timestamp: str, nonce: str, *, to_user_name: str | None = None,
                        agent_id: str | int | None = None) -> tuple[str, str]:
        """A safe-mode callback body for ``xml`` and its ``msg_signature``; WeCom's carries ``AgentID``."""
        encrypted = self.encrypt(xml)
        envelope = {"ToUserName": to_user_name or self.receive_id, "Encrypt": encrypted,
                    "AgentID": None if agent_id is None else str(agent_id)}
        return render_xml(envelope), self.signature(timestamp, nonce, encrypted)


def dingtalk_robot_sign(secret: str, timestamp_ms: int) -> str:
    """The ``sign`` a DingTalk robot with ``secret`` expects next to ``timestamp`` (before URL encoding)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_robot_sign_matches(secret: str, timestamp_ms: int, sign: str) -> bool:
    """Whether ``sign`` is the robot's signature for ``timestamp_ms`` (constant time; any text compares)."""
    return hmac.compare_digest(dingtalk_robot_sign(secret, timestamp_ms).encode(), sign.encode())
