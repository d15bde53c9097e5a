"""Secrets at rest: what we must send back later (a webhook's signing secret) is stored sealed.

Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from ``security.secret_key`` with HKDF, one derived
key per purpose, so a key leaked from one use opens nothing else. Rotating ``security.secret_key`` makes the
sealed values unreadable: they must be entered again.

Example::

    box = SecretBox(settings.security.secret_key, purpose="webhooks")
    stored = box.seal("s3cret")
    box.open(stored)  # "s3cret"
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SecretBoxError(Exception):
    """A sealed value cannot be opened: tampered with, or sealed under another secret key."""


class SecretBox:
    def __init__(self, secret_key: str, purpose: str) -> None:
        if not secret_key:
            raise ValueError("security.secret_key is not set")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                       info=f"imbridge secret box: {purpose}".encode()).derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, UnicodeError) as exc:
            raise SecretBoxError("the sealed value cannot be opened with this secret key") from exc
