"""Posting to a webhook subscriber: the signed request, and what its answer means.

The body is the inbound record's JSON. Receivers verify::

    X-Imbridge-Timestamp: 1700000000
    X-Imbridge-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>

The timestamp is inside the MAC, so a captured request cannot be replayed later with a fresh timestamp;
receivers should refuse timestamps more than a few minutes old and dedupe on ``X-Imbridge-Delivery``
(delivery is at least once).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

import httpx

#: Statuses worth another attempt: the subscriber is down, overloaded or asks us to slow down.
RETRY_STATUSES = frozenset({408, 425, 429})
USER_AGENT = "imbridge-webhooks/1"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Imbridge-Signature`` value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@dataclass(frozen=True)
class Attempt:
    """The outcome of one POST: ``status`` when the subscriber answered, ``error`` when it did not."""

    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status >= 500 or self.status in RETRY_STATUSES


def post(client: httpx.Client, url: str, body: bytes, secret: str, delivery_id: int, timeout: float) -> Attempt:
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Imbridge-Delivery": str(delivery_id),
        "X-Imbridge-Timestamp": timestamp,
        "X-Imbridge-Signature": sign(secret, timestamp, body),
    }
    try:
        response = client.post(url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        return Attempt(None, f"{type(exc).__name__}: {exc}"[:500])
    error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return Attempt(response.status_code, error)
