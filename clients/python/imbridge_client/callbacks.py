"""Verifying outcome callbacks: imbridge signs them the Standard Webhooks way (https://www.standardwebhooks.com).

    webhook-id: <message id, the same on every retry: dedupe on it>
    webhook-timestamp: <unix seconds>
    webhook-signature: v1,<base64 HMAC-SHA256(key, f"{id}.{timestamp}.{body}")>

The key is the subscription's secret: a ``whsec_...`` secret (what imbridge generates) is base64 after the prefix,
as the standard says; any other secret is used as its UTF-8 bytes. Ready-made verifiers (``standardwebhooks``
on PyPI, Svix's libraries) take ``whsec_`` secrets as they are; for another secret pass
:func:`standard_secret` of it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from imbridge_client.errors import SignatureInvalid

#: Callbacks older (or further in the future) than this are refused: a captured one cannot be replayed later.
TOLERANCE_SECONDS = 300
PREFIX = "whsec_"


def signing_key(secret: str) -> bytes:
    """The HMAC key of ``secret``: base64-decoded after ``whsec_``, else its UTF-8 bytes."""
    if secret.startswith(PREFIX):
        return base64.b64decode(secret[len(PREFIX):])
    return secret.encode()


def standard_secret(secret: str) -> str:
    """``secret`` in the ``whsec_<base64>`` form that Standard Webhooks libraries expect."""
    return secret if secret.startswith(PREFIX) else PREFIX + base64.b64encode(secret.encode()).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value (one ``v1`` signature)."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(signing_key(secret), signed, hashlib.sha256).digest()).decode()


def verify_callback(secret: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None,
                    tolerance: int = TOLERANCE_SECONDS) -> dict[str, Any]:
    """The callback's JSON body once its signature and timestamp check out; :class:`SignatureInvalid` otherwise.

    ``headers``: the request's headers (any case); ``body``: the raw bytes, before any JSON parsing.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    message_id, stamp, signatures = (lower.get(n) for n in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not message_id or not stamp or not signatures:
        raise SignatureInvalid("webhook-id, webhook-timestamp and webhook-signature are required")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise SignatureInvalid("webhook-timestamp is not a number") from None
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        raise SignatureInvalid("webhook-timestamp is too far from now")
    expected = sign(secret, message_id, timestamp, body)
    if not any(hmac.compare_digest(expected, given) for given in signatures.split()):
        raise SignatureInvalid("no signature matches")
    return json.loads(body)
