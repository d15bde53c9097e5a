"""The WeChat / WeCom callback crypto ("safe mode").

Both platforms use the same scheme: ``key = b64decode(EncodingAESKey + "=")``, AES-256-CBC with
IV = key[:16], and a plaintext of 16 random bytes + 4-byte big-endian length + message + ReceiveId,
PKCS#7-padded to a multiple of **32** bytes. The ReceiveId is the appid (WeChat) or the corpid (WeCom).

CBC carries no integrity of its own: a message is only trustworthy after its ``msg_signature`` (a SHA-1
over the token, timestamp, nonce and ciphertext) checks out, which :meth:`MessageCrypto.decrypt_message`
does before decrypting.

Plaintext mode has only the token's signature (:class:`CallbackSigner`), over the token, timestamp and nonce:
it vouches for the query, never for the body.

Example::

    crypto = MessageCrypto(token, encoding_aes_key, receive_id=app_id)
    xml = crypto.decrypt_message(body, msg_signature, timestamp, nonce)
    reply = crypto.encrypt_reply(reply_xml, timestamp, nonce)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from platforms.errors import DecryptError, MessageFormatError, SignatureError
from platforms.xml import parse_xml, render_xml

#: The PKCS#7 block size the platforms pad to (not AES's 16).
PAD_BLOCK = 32


class CallbackSigner:
    """The callback Token's signature: all that authenticates a plaintext-mode callback, and the outer check of
    an encrypted one. It covers the token, ``timestamp``, ``nonce`` and, in safe mode, the ciphertext, never a
    plaintext body.

    :param token: the callback Token configured on the platform.
    """

    def __init__(self, token: str) -> None:
        self.token = token

    def signature(self, timestamp: str, nonce: str, *parts: str) -> str:
        """SHA-1 hex of the sorted, concatenated ``[token, timestamp, nonce, *parts]``."""
        items = sorted([self.token, str(timestamp), str(nonce), *parts])
        return hashlib.sha1("".join(items).encode()).hexdigest()

    def check_signature(self, signature: str, timestamp: str, nonce: str, *parts: str) -> None:
        """Raise :class:`SignatureError` unless ``signature`` matches (constant-time compare)."""
        expected = self.signature(timestamp, nonce, *parts)
        # Bytes: compare_digest refuses non-ASCII str, and a forged signature may hold anything.
        if not hmac.compare_digest(expected.encode(), (signature or "").lower().encode()):
            raise SignatureError("signature mismatch")


class MessageCrypto(CallbackSigner):
    """Sign, verify, encrypt and decrypt callback messages for one app.

    :param token: the callback Token configured on the platform.
    :param encoding_aes_key: the 43-character EncodingAESKey.
    :param receive_id: the appid (WeChat) or corpid (WeCom) that must close every plaintext.
    """

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as exc:
            raise ValueError("EncodingAESKey is not valid base64") from exc
        if len(key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")
        super().__init__(token)
        self.receive_id = receive_id
        self._key = key
        self._iv = key[:16]
        # One Cipher serves every message: each encryptor()/decryptor() is a fresh context.
        self._aes = Cipher(algorithms.AES(key), modes.CBC(key[:16]))

    # -- the cipher ---------------------------------------------------------------------------------

    def encrypt(self, plaintext: str) -> str:
        """Encrypt ``plaintext`` for this app, returning base64 text."""
        body = plaintext.encode()
        raw = os.urandom(16) + struct.pack(">I", len(body)) + body + self.receive_id.encode()
        pad = PAD_BLOCK - len(raw) % PAD_BLOCK
        raw += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(raw) + encryptor.finalize()).decode()

    def decrypt(self, ciphertext_b64: str) -> str:
        """Decrypt base64 ciphertext and check it closes with our ReceiveId.

        :raises DecryptError: bad base64, bad block length, bad padding, bad length field, foreign
            ReceiveId or non-UTF-8 text.
        """
        try:
            data = base64.b64decode(ciphertext_b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DecryptError("ciphertext is not valid base64") from exc
        if not data or len(data) % 16:
            raise DecryptError("ciphertext length is not a multiple of the AES block")
        decryptor = self._cipher().decryptor()
        raw = decryptor.update(data) + decryptor.finalize()

        pad = raw[-1]
        if not 1 <= pad <= PAD_BLOCK or raw[-pad:] != bytes([pad]) * pad:
            raise DecryptError("bad padding")
        content = raw[16:-pad]
        if len(content) < 4:
            raise DecryptError("plaintext too short")
        (length,) = struct.unpack(">I", content[:4])
        if length > len(content) - 4:
            raise DecryptError("length field exceeds the plaintext")
        message, receive_id = content[4 : 4 + length], content[4 + length :]
        if receive_id != self.receive_id.encode():
            raise DecryptError("ReceiveId does not match")
        try:
            return message.decode()
        except UnicodeDecodeError as exc:
            raise DecryptError("plaintext is not UTF-8") from exc

    def _cipher(self) -> Cipher[modes.CBC]:
        return self._aes

    # -- envelopes ----------------------------------------------------------------------------------

    def decrypt_message(self, body_xml: str | bytes, msg_signature: str, timestamp: str, nonce: str) -> str:
        """Verify and decrypt a safe-mode callback body, returning the inner message XML.

        :raises MessageFormatError: the envelope is not acceptable XML or has no ``Encrypt``.
        :raises SignatureError: ``msg_signature`` does not cover this ``Encrypt``.
        :raises DecryptError: see :meth:`decrypt`.
        """
        envelope = parse_xml(body_xml)
        encrypted = envelope.get("Encrypt")
        if not encrypted:
            raise MessageFormatError("envelope has no Encrypt element")
        self.check_signature(msg_signature, timestamp, nonce, encrypted)
        return self.decrypt(encrypted)

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """WeCom's GET verification: check the signature over ``echostr``, answer its plaintext."""
        self.check_signature(msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)

    def encrypt_reply(self, xml: str, timestamp: str, nonce: str) -> str:
        """Wrap a passive reply in the encrypted ``<xml><Encrypt/><MsgSignature/>...`` envelope."""
        encrypted = self.encrypt(xml)
        return render_xml(
            {
                "Encrypt": encrypted,
                "MsgSignature": self.signature(timestamp, nonce, encrypted),
                "TimeStamp": int(timestamp) if str(timestamp).isdigit() else str(timestamp),
                "Nonce": str(nonce),
            }
        )

    def encrypt_message(
        self,
        xml: str,
        timestamp: str,
        nonce: str,
        *,
        to_user_name: str | None = None,
        agent_id: str | int | None = None,
    ) -> tuple[str, str]:
        """The platform's side: build a safe-mode callback body and its ``msg_signature``.

        Used by tests (the sandbox has its own, :mod:`sandbox.crypto`). ``to_user_name`` defaults to the
        ReceiveId; WeCom bodies also carry ``AgentID``.
        """
        encrypted = self.encrypt(xml)
        fields: dict[str, str | int] = {"ToUserName": to_user_name or self.receive_id, "Encrypt": encrypted}
        if agent_id is not None:
            fields["AgentID"] = str(agent_id)
        return render_xml(fields), self.signature(timestamp, nonce, encrypted)
