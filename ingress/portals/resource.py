"""``GET|POST /wechat/portal`` and ``GET|POST /wecom/portal``: where the platforms post callbacks.

Not under ``/api/v1``: no API key, the platform's signature is the authentication. Answers are what the
platform expects: the echostr as text/plain, a passive reply as text/xml, ``success`` as text/plain.
Refusals are JSON errors like everywhere else: a bad signature, a stale timestamp, a plaintext callback to an
account with an AES key (unless ``portal.allow-plaintext``) or a ``(timestamp, nonce)`` seen before with another
body is a 401, anything malformed (XML, DTD, entity, missing field, undecryptable, too large) a 400, and nothing
is processed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import falcon
import redis

from core.accounts import UnknownAccount
from core.metrics import PORTAL_CALLBACKS
from ingress.auth import Open
from ingress.errors import ApiError
from ingress.portals.dispatcher import Dispatcher, PortalEndpoint
from platforms.errors import (
    DecryptError,
    MessageFormatError,
    NonceReusedError,
    PlaintextRefusedError,
    ProtocolError,
    ReplayError,
    SignatureError,
)

log = logging.getLogger(f"imbridge.{__name__}")

#: The query parameters the platforms send (``openid`` too, which we do not trust: the body says who).
QUERY_NAMES = ("signature", "msg_signature", "timestamp", "nonce", "echostr", "encrypt_type")

#: What a passive reply is served as (WeChat's own examples say text/xml).
XML_TYPE = "text/xml; charset=utf-8"

_QUERY = [
    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}} for name in QUERY_NAMES
]


def _refusal(exc: ProtocolError) -> ApiError:
    if isinstance(exc, SignatureError):
        return ApiError(falcon.HTTP_401, f"the callback is not signed by the platform: {exc}", code="bad_signature")
    if isinstance(exc, PlaintextRefusedError):
        return ApiError(falcon.HTTP_401, f"plaintext callbacks are refused ({exc}); set portal.allow-plaintext: "
                        "true to accept them as well", code="plaintext_refused")
    if isinstance(exc, NonceReusedError):
        return ApiError(falcon.HTTP_401, f"the callback replays a signed query: {exc}", code="nonce_reused")
    if isinstance(exc, ReplayError):
        return ApiError(falcon.HTTP_401, f"the callback is outside the replay window: {exc}",
                        code="stale_timestamp")
    if isinstance(exc, DecryptError):
        return ApiError(falcon.HTTP_400, f"the callback cannot be decrypted: {exc}", code="undecryptable")
    if isinstance(exc, MessageFormatError):
        return ApiError(falcon.HTTP_400, f"the callback is malformed: {exc}", code="bad_message")
    return ApiError(falcon.HTTP_400, f"the callback is not acceptable: {exc}", code="bad_callback")


class PortalResource:
    """One platform's callback URL. ``endpoint`` is None when the app is not configured (404)."""

    scope = Open.PLATFORM

    openapi: dict[str, Any] = {
        "get": {"summary": "The platform's URL verification: answers the (decrypted) echostr",
                "parameters": _QUERY, "security": [],
                "responses": {"200": "the echostr, text/plain", "401": "bad signature or stale timestamp"}},
        "post": {"summary": "A message or event from the platform; answers a passive reply or 'success'",
                 "parameters": _QUERY, "security": [],
                 "requestBody": {"required": True, "content": {"text/xml": {
                     "schema": {"type": "string"},
                     "example": "<xml><ToUserName><![CDATA[gh_123]]></ToUserName>"
                                "<Encrypt><![CDATA[...]]></Encrypt></xml>"}}},
                 "responses": {"200": "text/xml reply (encrypted in safe mode) or 'success'",
                               "400": "malformed", "401": "bad signature, stale timestamp, plaintext refused "
                                                          "or a timestamp and nonce reused with another body"}},
    }

    def __init__(self, name: str, endpoint: PortalEndpoint | None, dispatcher: Dispatcher, max_body_bytes: int,
                 missing: str = "", resolve: Callable[[str], PortalEndpoint | None] | None = None) -> None:
        self.name = name
        self.endpoint = endpoint
        self.dispatcher = dispatcher
        self.max_body_bytes = max_body_bytes
        self.missing = missing
        #: For ``/.../portal/{code}``: the endpoint of account ``code`` (raises UnknownAccount).
        self.resolve = resolve

    def _endpoint(self, code: str | None = None) -> PortalEndpoint:
        if code is not None and self.resolve is not None:
            try:
                endpoint = self.resolve(code)
            except UnknownAccount:
                raise ApiError(falcon.HTTP_404, f"no {self.name} account has the code '{code}'",
                               code="unknown_account") from None
            if endpoint is None:
                raise ApiError(falcon.HTTP_404, f"the {self.name} portal of account '{code}' is not configured: "
                               f"set {self.missing}", code="not_configured")
            return endpoint
        if self.endpoint is None:
            raise ApiError(falcon.HTTP_404, f"the {self.name} portal is not configured: set {self.missing}",
                           code="not_configured")
        return self.endpoint

    @staticmethod
    def _query(req: falcon.Request) -> dict[str, str]:
        query = {}
        for name in QUERY_NAMES:
            value = req.get_param(name)
            if value is not None:
                query[name] = value
        return query

    def _body(self, req: falcon.Request) -> bytes:
        limit = self.max_body_bytes
        if req.content_length is not None and req.content_length > limit:
            raise ApiError(falcon.HTTP_400, f"the callback body is over {limit} bytes", code="body_too_large")
        data = req.bounded_stream.read(limit + 1)
        if len(data) > limit:
            raise ApiError(falcon.HTTP_400, f"the callback body is over {limit} bytes", code="body_too_large")
        if not data.strip():
            raise ApiError(falcon.HTTP_400, "the callback body is empty", code="bad_message")
        return data

    def on_get(self, req: falcon.Request, resp: falcon.Response, code: str | None = None) -> None:
        endpoint = self._endpoint(code)
        try:
            echostr = endpoint.callback.echo(self._query(req))
        except ProtocolError as exc:
            raise _refusal(exc) from None
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = echostr

    def on_post(self, req: falcon.Request, resp: falcon.Response, code: str | None = None) -> None:
        received_at = time.time()
        endpoint = self._endpoint(code)
        body = self._body(req)
        try:
            opened = endpoint.callback.open(self._query(req), body)
            reply_xml = self.dispatcher.dispatch(endpoint, opened, received_at)
        except ProtocolError as exc:
            PORTAL_CALLBACKS.labels(endpoint.platform, "refused").inc()
            raise _refusal(exc) from None
        except redis.RedisError as exc:
            PORTAL_CALLBACKS.labels(endpoint.platform, "unavailable").inc()
            log.error("portal %s: Redis unavailable: %s", self.name, exc)
            raise ApiError(falcon.HTTP_503, "the dedup store is unavailable; retry shortly",
                           code="redis_unavailable", headers={"Retry-After": "1"}) from None
        resp.content_type = XML_TYPE if reply_xml else falcon.MEDIA_TEXT
        resp.text = endpoint.callback.answer(opened, reply_xml)
