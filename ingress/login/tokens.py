"""Login tokens: opaque, random, stored only as a digest in Redis, expiring on their own, revocable.

A token is 256 random bits (``secrets.token_urlsafe``) with nothing inside it to decode or forge; Redis holds
``sha256(token) -> user id`` with the token's lifetime as the key's expiry, so a leaked Redis dump holds no
usable token, logout is one ``DEL``, and nothing needs sweeping.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time

import redis

#: Where a token's digest points to its user.
TOKEN_PREFIX = "imbridge:login:token:"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginTokens:
    """Tokens on ``client``, each valid ``ttl_seconds`` from its issue."""

    def __init__(self, client: redis.Redis, ttl_seconds: int) -> None:
        self.redis = client
        self.ttl_seconds = ttl_seconds

    def issue(self, user_id: int, method: str) -> str:
        """A new token for ``user_id``; ``method`` (``weChat``, ``weChatApplet``) is kept for the record."""
        token = secrets.token_urlsafe(32)
        record = json.dumps({"user_id": user_id, "method": method, "issued_at": int(time.time())})
        self.redis.set(TOKEN_PREFIX + _digest(token), record, ex=self.ttl_seconds)
        return token

    def user_id(self, token: str) -> int | None:
        """The user ``token`` belongs to, while it is valid."""
        raw = self.redis.get(TOKEN_PREFIX + _digest(token))
        return int(json.loads(raw)["user_id"]) if raw else None

    def revoke(self, token: str) -> bool:
        """End ``token`` now; False when it was not valid anyway."""
        return bool(self.redis.delete(TOKEN_PREFIX + _digest(token)))
