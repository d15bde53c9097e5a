"""DingTalk custom-robot signing ("加签").

``sign = base64(HMAC_SHA256(key=secret, msg=f"{timestamp_ms}\\n{secret}"))``, sent as the ``sign``
query parameter next to ``timestamp``. The value returned here is *not* URL-encoded: httpx encodes
query parameters, and encoding twice is the classic cause of errcode 310000.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

#: DingTalk rejects a timestamp more than one hour away from its clock.
SIGN_WINDOW_MS = 3600_000


def robot_sign(secret: str, timestamp_ms: int) -> str:
    """The base64 HMAC-SHA256 signature for ``timestamp_ms`` (epoch milliseconds)."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_robot_sign(
    secret: str,
    timestamp_ms: int,
    sign: str,
    now_ms: int | None = None,
    window_ms: int = SIGN_WINDOW_MS,
) -> bool:
    """True when ``sign`` is right for ``timestamp_ms`` and the timestamp is within ``window_ms`` of now.

    The platform side of :func:`robot_sign`, for robots receiving outgoing calls (the sandbox checks with
    code of its own, so a bug here cannot agree with itself there).
    """
    now = int(time.time() * 1000) if now_ms is None else now_ms
    if abs(now - int(timestamp_ms)) > window_ms:
        return False
    return hmac.compare_digest(robot_sign(secret, int(timestamp_ms)), sign)
