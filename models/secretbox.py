"""Secrets at rest: robot tokens, sign secrets, webhook keys and signing secrets are stored encrypted.

A Fernet key (AES-128-CBC + HMAC-SHA256) is derived from ``security.secret_key`` with HKDF-SHA256, so the
operator's key is never used raw and other uses of it (login tokens) get unrelated keys. Rotating the secret
key makes stored secrets unreadable: re-enter them (the admin API says which robot failed to decrypt).

Example::

    box = SecretBox(settings.security.secret_key)
    stored = box.seal("robot-token")
    assert box.open(stored) == "robot-token"
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: The purpose robots' secrets are sealed for; each purpose derives its own key, so one leaked derived key
#: opens nothing else.
ROBOT_SECRETS = "robot-secrets"


class SecretKeyMissing(Exception):
    """``security.secret_key`` is not set; ``imbridge up``/``migrate`` generate one under var/."""


class SecretUnreadable(Exception):
    """A stored secret does not decrypt with the current key (the key changed, or the row was tampered with)."""


def derive_key(secret_key: str, purpose: str = ROBOT_SECRETS) -> bytes:
    """32 bytes from ``secret_key`` for one purpose, as a urlsafe-base64 Fernet key."""
    info = f"imbridge/{purpose}/v1".encode()
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw)


class SecretBox:
    """Seal and open short secrets with a key derived from ``security.secret_key``."""

    def __init__(self, secret_key: str | None, purpose: str = ROBOT_SECRETS) -> None:
        if not secret_key:
            raise SecretKeyMissing("security.secret_key is not set (imbridge migrate generates one under var/)")
        self._fernet = Fernet(derive_key(secret_key, purpose))

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, ValueError) as exc:
            raise SecretUnreadable("a stored secret does not decrypt with the current secret key") from exc

    def __repr__(self) -> str:
        return "SecretBox(****)"
