"""Reading a token answer, shared by the three platforms' ``fetch_token``."""

from __future__ import annotations

from typing import Any

from platforms.errors import PermanentError
from platforms.tokens import TokenGrant

#: What the platforms document; used when an answer omits ``expires_in``.
DEFAULT_EXPIRES_IN = 7200


def grant_from(platform: str, body: dict[str, Any]) -> TokenGrant:
    """A :class:`TokenGrant` from a successful token answer, or PermanentError if it has no token."""
    token = body.get("access_token")
    if not token:
        raise PermanentError(platform, None, "token answer without an access_token")
    return TokenGrant(access_token=str(token), expires_in=int(body.get("expires_in") or DEFAULT_EXPIRES_IN))


def not_configured(platform: str, what: str) -> PermanentError:
    return PermanentError(platform, None, f"{what} not configured")
