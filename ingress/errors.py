"""JSON errors: every failure answers ``{"error": {"code", "message", "details"?}}``.

Falcon's own errors (404, 405, 413...) pass through the same serializer; anything unexpected becomes a 500
with no trace in the body (the trace goes to the log), because a 5xx is a bug we must see, not the client.
A store that cannot answer right now (the database locked, down or out of connections; Redis down) is not a
bug but a moment: 503 with ``Retry-After``, whichever route met it.

The message speaks the request's ``Accept-Language`` (ingress/i18n.py: English unless zh is asked for); the code
never changes with the language. An error names its catalogue entry with ``message_id`` (default: its code) and
the values of the entry's placeholders with ``params``.
"""

from __future__ import annotations

import logging
from typing import Any

import falcon
import redis
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ingress.i18n import DEFAULT, negotiate, translate

log = logging.getLogger(f"imbridge.{__name__}")


def _code_for(status: str) -> str:
    """``'422 Unprocessable Entity'`` -> ``'unprocessable_entity'``."""
    return status.split(" ", 1)[1].lower().replace(" ", "_").replace("-", "_")


class ApiError(falcon.HTTPError):
    """An HTTP error with a machine-readable code and optional details.

    ``message`` is the English text; ``message_id`` and ``params`` name its translations in ingress/i18n.py.
    """

    def __init__(self, status: str, message: str, *, code: str | None = None, details: Any = None,
                 headers: dict[str, str] | None = None, message_id: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__(status, title=code or _code_for(status), description=message, headers=headers)
        self.details = details
        self.message_id = message_id
        self.params = params or {}


#: The 422s' usual sentences -> their catalogue entries (the details, field by field, stay as they are).
VALIDATION_MESSAGES = {
    "the request is not valid": "validation_error.request",
    "the query is not valid": "validation_error.query",
    "the notification is not valid": "validation_error.notification",
    "the batch is not valid": "validation_error.batch",
    "the batch is not valid; nothing was recorded": "validation_error.batch_nothing_recorded",
    "the menu is not valid": "validation_error.menu",
    "the upload is not valid": "validation_error.upload",
    "the template message is not valid": "validation_error.template_message",
}


def unprocessable(message: str, details: Any = None, *, message_id: str | None = None) -> ApiError:
    return ApiError(falcon.HTTP_422, message, code="validation_error", details=details,
                    message_id=message_id or VALIDATION_MESSAGES.get(message))


def validation_details(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors as ``[{"field": "a.b", "message": ...}]``, every one of them."""
    return [
        {"field": ".".join(str(p) for p in error["loc"]) or "body", "message": error["msg"], "type": error["type"]}
        for error in exc.errors(include_url=False)
    ]


def localised_message(exc: falcon.HTTPError, code: str, english: str, locale: str) -> str:
    """The error's message in ``locale``: its own entry, else its code's generic one, else the English."""
    if locale == DEFAULT:
        return english
    params = {"detail": english, **getattr(exc, "params", {})}
    message_id = getattr(exc, "message_id", None)
    found = translate(message_id, locale, params) if message_id else None
    return found or translate(code, locale, params) or english


def serialize_error(req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError) -> None:
    code = exc.title if isinstance(exc, ApiError) else _code_for(exc.status)
    locale = negotiate(req.get_header("Accept-Language"))
    english = exc.description or exc.status.split(" ", 1)[1]
    error: dict[str, Any] = {"code": code, "message": localised_message(exc, code, english, locale)}
    resp.set_header("Content-Language", locale)
    resp.append_header("Vary", "Accept-Language")
    details = getattr(exc, "details", None)
    if details is not None:
        error["details"] = details
    resp.content_type = falcon.MEDIA_JSON
    resp.media = {"error": error}


def handle_validation_error(req: falcon.Request, resp: falcon.Response, exc: ValidationError, params: Any) -> None:
    raise unprocessable("the request is not valid", validation_details(exc))


def handle_unexpected(req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any) -> None:
    if isinstance(exc, falcon.HTTPError):
        raise exc
    log.exception("unhandled error on %s %s", req.method, req.path)
    raise ApiError(falcon.HTTP_500, "internal error; it has been logged", code="internal_error")


#: Seconds a client is told to wait when a store is unavailable.
RETRY_AFTER_SECONDS = 2


def handle_unavailable(req: falcon.Request, resp: falcon.Response, exc: Exception, params: Any) -> None:
    store = "redis" if isinstance(exc, redis.RedisError) else "database"
    log.warning("%s %s: the %s is unavailable (%s: %.200s)", req.method, req.path, store, type(exc).__name__, exc)
    raise ApiError(falcon.HTTP_503, f"the {store} is busy or unavailable; retry shortly", code=f"{store}_unavailable",
                   headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def install_error_handling(app: falcon.App) -> None:
    app.set_error_serializer(serialize_error)
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(ValidationError, handle_validation_error)
    app.add_error_handler((OperationalError, PoolTimeout, redis.RedisError), handle_unavailable)
