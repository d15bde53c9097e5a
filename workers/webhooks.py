"""Posting to a webhook subscriber: the signed request, and what its answer means.

The body is the inbound record's JSON, or a notification's outcome. Every request is signed twice, so that
receivers written for either scheme verify it:

* `Standard Webhooks <https://www.standardwebhooks.com>`_, for ready-made verifiers::

    webhook-id: wd_<delivery id>            (the same on every retry: dedupe on it)
    webhook-timestamp: 1700000000
    webhook-signature: v1,<base64 HMAC-SHA256(key, f"{id}.{timestamp}.{body}")>

  The key is the secret's bytes after base64-decoding when it is a ``whsec_...`` secret (generated secrets
  are), else the secret's UTF-8 bytes (hand it to a library as ``"whsec_" + base64(secret)``).
* imbridge's first scheme, kept for the receivers that check it::

    X-Imbridge-Delivery: <delivery id>
    X-Imbridge-Timestamp: 1700000000
    X-Imbridge-Signature: sha256=<hex HMAC-SHA256(secret as UTF-8, f"{timestamp}.{body}")>

The timestamp is inside both MACs, so a captured request cannot be replayed later with a fresh timestamp;
receivers should refuse timestamps more than a few minutes old and dedupe on the id (delivery is at least once).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass

import httpx

from core.egress import DestinationRefused, Egress

log = logging.getLogger(f"imbridge.{__name__}")

#: Statuses worth another attempt: the subscriber is down, overloaded or asks us to slow down.
RETRY_STATUSES = frozenset({408, 425, 429})
USER_AGENT = "imbridge-webhooks/1"
#: Most of a subscriber's answer read (raw, never decompressed); the status is what counts, the rest is dropped
#: with the connection. Reading a little lets a receiver finish a short answer before we hang up.
MAX_ANSWER_BYTES = 64 * 1024

#: What ``Attempt.error`` says when no status came back. Generic on purpose: the OS's words ("Connection
#: refused" here, "reset by peer" there) would make the deliveries API a port scanner of our network.
REFUSED, TIMEOUT, CONNECTION_FAILED = "destination refused", "timeout", "connection failed"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Imbridge-Signature`` value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


#: The prefix of a Standard Webhooks secret (base64 after it).
STANDARD_PREFIX = "whsec_"


def standard_key(secret: str) -> bytes:
    """The Standard Webhooks HMAC key of ``secret``: base64-decoded after ``whsec_``, else its UTF-8 bytes."""
    if secret.startswith(STANDARD_PREFIX):
        try:
            return base64.b64decode(secret[len(STANDARD_PREFIX):], validate=True)
        except (binascii.Error, ValueError):
            pass  # a hand-made secret that only looks like one: its bytes, as for any other
    return secret.encode()


def sign_standard(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    """The ``webhook-signature`` value (Standard Webhooks, version 1)."""
    mac = hmac.new(standard_key(secret), f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


@dataclass(frozen=True)
class Attempt:
    """The outcome of one POST: ``status`` when the subscriber answered, ``error`` when it did not.

    ``answer`` is the head of the body as sent (at most ``MAX_ANSWER_BYTES``, never decompressed).
    """

    status: int | None
    error: str | None
    answer: bytes = b""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """A refused destination is not retried: only the operator's settings or the subscription can change it."""
        if self.error == REFUSED:
            return False
        return self.status is None or self.status >= 500 or self.status in RETRY_STATUSES


def post(egress: Egress, url: str, body: bytes, secret: str, delivery_id: int, timeout: float) -> Attempt:
    """POST ``body`` to ``url``, the whole exchange within ``timeout`` seconds, through ``egress``'s policy."""
    timestamp = str(int(time.time()))
    message_id = f"wd_{delivery_id}"
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": sign_standard(secret, message_id, timestamp, body),
        "Content-Type": "application/json",
        "Accept-Encoding": "identity",
        "User-Agent": USER_AGENT,
        "X-Imbridge-Delivery": str(delivery_id),
        "X-Imbridge-Timestamp": timestamp,
        "X-Imbridge-Signature": sign(secret, timestamp, body),
    }
    try:
        with egress.client(timeout) as client, client.stream("POST", url, content=body, headers=headers) as response:
            answer = _read_head(response, delivery_id)
    except DestinationRefused as exc:
        log.info("webhook delivery %s: %s", delivery_id, exc)
        return Attempt(None, REFUSED)
    except httpx.TimeoutException as exc:
        log.info("webhook delivery %s: %s: %s", delivery_id, type(exc).__name__, exc)
        return Attempt(None, TIMEOUT)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        log.info("webhook delivery %s: %s: %s", delivery_id, type(exc).__name__, exc)
        return Attempt(None, CONNECTION_FAILED)
    error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return Attempt(response.status_code, error, answer)


def _read_head(response: httpx.Response, delivery_id: int) -> bytes:
    """Up to ``MAX_ANSWER_BYTES`` of the body as sent. The status has arrived: a body that stalls or breaks
    off (the deadline applies to every read) does not change the outcome."""
    head = bytearray()
    try:
        for chunk in response.iter_raw():
            head += chunk[:MAX_ANSWER_BYTES - len(head)]
            if len(head) >= MAX_ANSWER_BYTES:
                break
    except httpx.HTTPError as exc:
        log.debug("webhook delivery %s: answer cut short: %s: %s", delivery_id, type(exc).__name__, exc)
    return bytes(head)
