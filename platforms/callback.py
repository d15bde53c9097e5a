"""The callback protocol of WeChat and WeCom: verify, open and answer what the platform posts.

The platform posts to a URL the operator configured. Everything the request carries is checked here, in
the order that spends the least on a forged request:

* WeChat plaintext mode: refused outright where the app has an EncodingAESKey (unless explicitly allowed),
  else ``signature`` over (token, timestamp, nonce) before the body is even parsed;
* WeChat safe / compatible mode (``encrypt_type=aes``): ``msg_signature`` over the ``Encrypt`` element,
  then AES; the plaintext fields of compatible mode are ignored, only the encrypted copy is trusted;
* WeCom: always safe mode, ``ReceiveId`` = corp id; its URL check (GET) carries an *encrypted* echostr.

A ``timestamp`` outside the replay window is refused too: the signature alone would let anyone who saw
one callback post it again forever. Within the window, no signature covers a plaintext body: whoever saw a
callback's query (a proxy's access log keeps it) could post another body under it. So an opened callback
carries its ``(timestamp, nonce)`` and the SHA-256 of its body, for the caller to accept each pair with one
body only while it is in the window (the ingress does it in Redis: :mod:`ingress.portals.ledger`).

Example::

    callback = WeChatCallback(MessageCrypto(token, aes_key, app_id), replay_window=300)
    opened = callback.open(query, body)          # raises a ProtocolError subclass
    message = parse_message(opened.fields)
    return callback.answer(opened, reply_xml)    # encrypted when the request was
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from platforms.crypto import CallbackSigner, MessageCrypto
from platforms.errors import DecryptError, MessageFormatError, PlaintextRefusedError, ReplayError, SignatureError
from platforms.xml import parse_xml

#: The literal that tells the platform "received, no reply" (an empty body means the same).
NO_REPLY = "success"


@dataclass(frozen=True)
class OpenedCallback:
    """A verified callback: the message's fields, how it came (to answer the same way) and what binds it.

    ``timestamp`` and ``nonce`` are the pair the platform signed; ``digest`` is the SHA-256 of the body as
    posted. The platform's own retries repeat pair and body alike; the same pair with another body is a replay.
    """

    fields: dict[str, str]
    encrypted: bool
    nonce: str
    timestamp: str
    digest: bytes


class Callback:
    """Verify and answer one app's callbacks (see the subclasses for each platform's rules).

    :param crypto: the app's token, EncodingAESKey and ReceiveId (a :class:`MessageCrypto`); or, for a WeChat
        account in plaintext mode, its token alone (a :class:`CallbackSigner`).
    :param replay_window: seconds a ``timestamp`` may be away from ``clock()`` in either direction.
    :param clock: seconds since the epoch; injectable for tests.
    """

    def __init__(self, crypto: CallbackSigner, replay_window: int = 300,
                 clock: Callable[[], float] = time.time) -> None:
        self.crypto = crypto
        #: The app's AES key and ReceiveId; None when it has none (plaintext is then its only mode).
        self.cipher = crypto if isinstance(crypto, MessageCrypto) else None
        self.replay_window = replay_window
        self.clock = clock

    @property
    def accepts_plaintext(self) -> bool:
        """Whether a plaintext-mode callback is taken: one only the token signs, not its body."""
        return False

    def check_timestamp(self, timestamp: str) -> None:
        """Raise :class:`ReplayError` unless ``timestamp`` is within the window of now."""
        if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
            raise ReplayError("timestamp is not a number of seconds")
        if abs(self.clock() - int(timestamp)) > self.replay_window:
            raise ReplayError(f"timestamp is more than {self.replay_window} s away from now")

    def stamp_lifetime(self, opened: OpenedCallback) -> int:
        """Seconds from now until ``opened``'s timestamp leaves the replay window (at least 1): how long its
        ``(timestamp, nonce)`` must stay bound to its body."""
        return max(1, int(opened.timestamp) + self.replay_window - int(self.clock()) + 1)

    def echo(self, query: Mapping[str, str]) -> str:
        """Answer the platform's URL verification (GET): the plaintext ``echostr``."""
        raise NotImplementedError

    def open(self, query: Mapping[str, str], body: bytes | str) -> OpenedCallback:
        """Verify a POSTed callback and return its message fields."""
        raise NotImplementedError

    def answer(self, opened: OpenedCallback, reply_xml: str | None) -> str:
        """The response body: the reply (encrypted if the request was), or ``success`` for none."""
        if not reply_xml:
            return NO_REPLY
        if not opened.encrypted:
            return reply_xml
        return self._require_cipher().encrypt_reply(reply_xml, str(int(self.clock())), opened.nonce)

    def _require_cipher(self) -> MessageCrypto:
        if self.cipher is None:
            raise DecryptError("safe mode is not configured: this app has no EncodingAESKey")
        return self.cipher

    def _stamp(self, query: Mapping[str, str]) -> tuple[str, str]:
        timestamp, nonce = query.get("timestamp") or "", query.get("nonce") or ""
        if not timestamp or not nonce:
            raise SignatureError("timestamp and nonce are required")
        return timestamp, nonce

    def _open_encrypted(self, query: Mapping[str, str], body: bytes | str) -> OpenedCallback:
        timestamp, nonce = self._stamp(query)
        msg_signature = query.get("msg_signature") or ""
        if not msg_signature:
            raise SignatureError("msg_signature is required")
        xml = self._require_cipher().decrypt_message(body, msg_signature, timestamp, nonce)
        self.check_timestamp(timestamp)
        return OpenedCallback(parse_xml(xml), encrypted=True, nonce=nonce, timestamp=timestamp, digest=digest(body))


class WeChatCallback(Callback):
    """An Official Account's callback: plaintext, compatible or safe mode.

    An account with an EncodingAESKey takes safe and compatible mode only: a plaintext callback is signed by the
    token alone, not over its body, so anyone who saw one callback's query could post any body under it.
    An account with only a token (a :class:`CallbackSigner`) is in plaintext mode, its only mode.

    :param allow_plaintext: take plaintext callbacks although the account has an EncodingAESKey.
    """

    def __init__(self, crypto: CallbackSigner, replay_window: int = 300, clock: Callable[[], float] = time.time,
                 *, allow_plaintext: bool = False) -> None:
        super().__init__(crypto, replay_window, clock)
        self.allow_plaintext = allow_plaintext

    @property
    def accepts_plaintext(self) -> bool:
        return self.cipher is None or self.allow_plaintext

    def echo(self, query: Mapping[str, str]) -> str:
        timestamp, nonce = self._stamp(query)
        self.crypto.check_signature(query.get("signature") or "", timestamp, nonce)
        self.check_timestamp(timestamp)
        echostr = query.get("echostr")
        if not echostr:
            raise MessageFormatError("echostr is required")
        return echostr

    def open(self, query: Mapping[str, str], body: bytes | str) -> OpenedCallback:
        timestamp, nonce = self._stamp(query)
        signature = query.get("signature")
        encrypted = (query.get("encrypt_type") or "raw").lower() == "aes"
        if encrypted:
            # Safe mode carries the plain signature too; when present, it must be right as well.
            if signature is not None:
                self.crypto.check_signature(signature, timestamp, nonce)
            return self._open_encrypted(query, body)
        if not self.accepts_plaintext:
            raise PlaintextRefusedError("this account has an EncodingAESKey: its callbacks must be encrypted")
        self.crypto.check_signature(signature or "", timestamp, nonce)
        self.check_timestamp(timestamp)
        return OpenedCallback(parse_xml(body), encrypted=False, nonce=nonce, timestamp=timestamp, digest=digest(body))


class WeComCallback(Callback):
    """A WeCom app's callback: always encrypted, ReceiveId = corp id, an encrypted echostr on GET."""

    def __init__(self, crypto: MessageCrypto, replay_window: int = 300,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(crypto, replay_window, clock)

    def echo(self, query: Mapping[str, str]) -> str:
        timestamp, nonce = self._stamp(query)
        # Base64 has no spaces: a space is a '+' that a form-style decoder turned into one.
        echostr = (query.get("echostr") or "").replace(" ", "+")
        if not echostr:
            raise MessageFormatError("echostr is required")
        msg_signature = query.get("msg_signature") or ""
        self.crypto.check_signature(msg_signature, timestamp, nonce, echostr)
        self.check_timestamp(timestamp)
        return self._require_cipher().decrypt(echostr)

    def open(self, query: Mapping[str, str], body: bytes | str) -> OpenedCallback:
        return self._open_encrypted(query, body)


def digest(body: bytes | str) -> bytes:
    """The SHA-256 of a callback's body as posted, which binds it to its ``(timestamp, nonce)``."""
    return hashlib.sha256(body.encode() if isinstance(body, str) else body).digest()
