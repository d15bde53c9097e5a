"""The seed's answer on its login paths: ``{"code", "msg", "data"}``, and on a failure a ``traceId`` too.

The resources raise :class:`~ingress.errors.ApiError` with the HTTP status that fits, as everywhere in imbridge;
only this module turns that into what the seed's front end reads, so the rule lives in one place:

* success: HTTP 200, ``{"code": 0, "msg": "success", "data": ...}``;
* what the caller got wrong or was refused (every 4xx: a bad parameter, no login, a key not scanned, used or
  expired, an account not bound, a rate limit): HTTP 200 with a non-zero ``code`` from
  :mod:`ingress.login.messages`, a ``msg`` for the person and a ``traceId``. The seed's front end logs the user
  out on an HTTP 401 and says nothing on other statuses; only a 200 with a ``code`` makes it show ``msg``;
* the service unable to answer now (503, with its ``Retry-After``) or a bug (500): that HTTP status and the
  same body, so proxies, monitors and retrying clients still see an outage for what it is.

The developer's detail (the ``ApiError`` message) is logged with the ``traceId``, not shown to the person.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection
from typing import Any

import falcon

from ingress.errors import ApiError
from ingress.login.messages import Code, account_name, language, message

log = logging.getLogger(f"imbridge.{__name__}")

#: imbridge's error codes (``ApiError`` titles) -> the seed contract's numeric codes.
FAILURE_CODES: dict[str, Code] = {
    "unauthorized": Code.NOT_LOGGED_IN,
    "validation_error": Code.INVALID_PARAMETER,
    "unprocessable_entity": Code.INVALID_PARAMETER,
    "invalid_json": Code.BAD_REQUEST_BODY,
    "bad_request": Code.BAD_REQUEST_BODY,
    "unsupported_media_type": Code.BAD_REQUEST_BODY,
    "payload_too_large": Code.BAD_REQUEST_BODY,
    "length_required": Code.BAD_REQUEST_BODY,
    "method_not_allowed": Code.METHOD_NOT_ALLOWED,
    "not_scanned": Code.NOT_SCANNED,
    "invalid_auth_code": Code.QR_KEY_EXPIRED,
    "applet_code_refused": Code.APPLET_CODE_REFUSED,
    "not_bound": Code.NOT_BOUND,
    "user_disabled": Code.USER_DISABLED,
    "bound_elsewhere": Code.BOUND_ELSEWHERE,
    "rate_limited": Code.RATE_LIMITED,
    "not_configured": Code.NOT_CONFIGURED,
    "user_blocked": Code.USER_BLOCKED,
    "state_invalid": Code.STATE_INVALID,
    "other_browser": Code.OTHER_BROWSER,
    "web_code_refused": Code.WEB_CODE_REFUSED,
    "web_pending": Code.WEB_PENDING,
    "unknown_account": Code.UNKNOWN_ACCOUNT,
    "web_sign_in_declined": Code.WEB_SIGN_IN_DECLINED,
    "internal_error": Code.SYSTEM_ERROR,
}

ErrorSerializer = Callable[[falcon.Request, falcon.Response, falcon.HTTPError], None]


def succeed(resp: falcon.Response, data: Any = None, **extras: Any) -> None:
    """Answer the seed's success; ``extras`` sit beside ``data`` (a client reading ``res.data`` never sees them)."""
    resp.media = {"code": Code.SUCCESS.value, "msg": "success", "data": data, **extras}


def failure_code(error: falcon.HTTPError) -> Code:
    """The seed contract's code for ``error``: by imbridge's error code, else by the HTTP status."""
    if isinstance(error, ApiError):
        name = error.title
    else:
        name = falcon.code_to_http_status(error.status_code).split(" ", 1)[1].lower().replace(" ", "_")
    code = FAILURE_CODES.get(str(name))
    if code is not None:
        return code
    if error.status_code == 503:
        return Code.TRY_AGAIN
    return Code.SYSTEM_ERROR if error.status_code >= 500 else Code.FAILED


def _fields(error: falcon.HTTPError) -> str:
    details = getattr(error, "details", None)
    names = [str(d["field"]) for d in details if isinstance(d, dict) and "field" in d] \
        if isinstance(details, list) else []
    return ", ".join(dict.fromkeys(names)) or "?"


def _account_code(error: falcon.HTTPError) -> str:
    """The account code an ``unknown_account`` failure names in its details (validated: it is a code's shape)."""
    details = getattr(error, "details", None)
    found = [str(d["account"]) for d in details if isinstance(d, dict) and d.get("account")] \
        if isinstance(details, list) else []
    return found[0] if found else "?"


def _platform(error: falcon.HTTPError) -> str | None:
    """The binding platform a failure names in its details (``not_bound``, ``bound_elsewhere``), if any."""
    details = getattr(error, "details", None)
    return str(details["platform"]) if isinstance(details, dict) and details.get("platform") else None


class SeedEnvelope:
    """An error serializer: the seed's envelope on ``paths``, ``fallback`` (imbridge's ``{"error"}``) elsewhere.

    A serializer, not an error handler, because every failure passes through it: the resources' own, falcon's
    405 and the app's handlers for validation errors, outages and bugs.
    """

    def __init__(self, paths: Collection[str], fallback: ErrorSerializer) -> None:
        self.paths = frozenset(paths)
        self.fallback = fallback

    def __call__(self, req: falcon.Request, resp: falcon.Response, error: falcon.HTTPError) -> None:
        if (req.uri_template or req.path) not in self.paths:
            self.fallback(req, resp, error)
            return
        code = failure_code(error)
        trace_id = uuid.uuid4().hex
        lang = language(req.get_header("Accept-Language"))
        text = message(code, lang, fields=_fields(error), seconds=resp.get_header("Retry-After") or "?",
                       account=account_name(_platform(error), lang), account_code=_account_code(error))
        log.info("%s %s: code %d (%s: %s) traceId=%s", req.method, req.path, code, error.title, error.description,
                 trace_id)
        if error.status_code < 500:
            resp.status = falcon.HTTP_200
            resp.delete_header("WWW-Authenticate")
        resp.content_type = falcon.MEDIA_JSON
        resp.media = {"code": code.value, "msg": text, "data": None, "traceId": trace_id}


#: The OpenAPI schema of a failure on the seed's paths (HTTP 200 for a 4xx-kind failure, else 500/503).
FAILURE_SCHEMA: dict[str, Any] = {"type": "object", "required": ["code", "msg", "traceId"], "properties": {
    "code": {"type": "integer", "description": "non-zero; the table 'Failure codes' in the README"},
    "msg": {"type": "string", "description": "for the person: 简体中文, or English with Accept-Language: en"},
    "data": {"type": "null"}, "traceId": {"type": "string", "description": "finds the failure in the log"}}}
#: The ``responses`` entry every seed path declares for its failures.
FAILURES = {"default": ("a failure: HTTP 200 with a non-zero code (500/503 for a bug or an outage, "
                        "503 with Retry-After)", FAILURE_SCHEMA)}


def answer_schema(data: dict[str, Any], **extras: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI schema of an HTTP 200 answer: success with ``data`` (and ``extras`` beside it), or a failure."""
    success = {"type": "object", "required": ["code", "msg", "data"], "properties": {
        "code": {"type": "integer", "enum": [0]}, "msg": {"type": "string", "enum": ["success"]}, "data": data,
        **extras}}
    return {"oneOf": [success, FAILURE_SCHEMA]}
