"""Request bodies: bounded in size, JSON only where JSON is expected, validated by pydantic in one pass."""

from __future__ import annotations

import json
import tempfile
from typing import Any, TypeVar

import falcon
from pydantic import BaseModel, ValidationError

from ingress.errors import ApiError, unprocessable, validation_details
from ingress.nul import refuse_nul_in_json

Model = TypeVar("Model", bound=BaseModel)


#: A chunked body up to this size is buffered in memory, a larger one (a media upload) in a temporary file.
SPOOL_IN_MEMORY_BYTES = 1024 * 1024
_READ_BYTES = 64 * 1024
#: Deepest nesting a JSON body may have. The platforms' richest messages (template cards) nest under 10 levels;
#: validating thousands of levels would exhaust Python's recursion limit (a 500) or its time.
MAX_JSON_DEPTH = 32


class BodyLimit:
    """Middleware: refuse bodies over ``max_bytes`` with 413 before anyone reads them.

    A resource that takes larger bodies (media uploads) says so with a ``large_body_bytes`` attribute; the limit
    applies per route, so everything else keeps ``max_bytes``.

    A chunked body (``Transfer-Encoding: chunked``, no ``Content-Length``) is read here, up to the same limit,
    and handed on as if it had come with its length, so every resource reads bodies one way (falcon's
    ``bounded_stream`` would read such a body as empty). That needs a server that ends the input at the last
    chunk (``wsgi.input_terminated``: ``imbridge ingress`` says so for granian, see :mod:`ingress.server`); on
    any other server a chunked body is refused with 411 rather than read as empty or read without end.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict) -> None:
        limit = getattr(resource, "large_body_bytes", None) or self.max_bytes
        length = req.content_length
        if length is None and is_chunked(req):
            length = _spool_chunked(req, limit)
        if length is not None and length > limit:
            raise ApiError(falcon.HTTP_413, f"request body over {limit} bytes", code="payload_too_large")

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: object,
                         req_succeeded: bool) -> None:
        spool = getattr(req.context, "chunked_body", None)
        if spool is not None:
            spool.close()


def is_chunked(req: falcon.Request) -> bool:
    return "chunked" in (req.get_header("Transfer-Encoding") or "").lower()


def _spool_chunked(req: falcon.Request, limit: int) -> int:
    """Read a chunked body (at most ``limit`` bytes, else 413) and make it the request's sized body."""
    if not req.env.get("wsgi.input_terminated"):
        raise ApiError(falcon.HTTP_411, "send the body with a Content-Length (this server cannot read a chunked "
                       "body)", code="length_required")
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)  # noqa: SIM115 (closed after the response)
    req.context.chunked_body = spool
    size = 0
    while chunk := req.stream.read(_READ_BYTES):
        size += len(chunk)
        if size > limit:
            raise ApiError(falcon.HTTP_413, f"request body over {limit} bytes", code="payload_too_large")
        spool.write(chunk)
    spool.seek(0)
    req.env["wsgi.input"] = req.stream = spool
    req.env["CONTENT_LENGTH"] = str(size)
    return size


def read_body(req: falcon.Request, max_bytes: int) -> bytes:
    """Read at most ``max_bytes``; a longer (e.g. chunked) body is a 413, not a truncated read."""
    data = req.bounded_stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ApiError(falcon.HTTP_413, f"request body over {max_bytes} bytes", code="payload_too_large")
    return data


def read_json(req: falcon.Request, max_bytes: int = 1024 * 1024) -> Any:
    if req.content_type is None or req.content_type.split(";", 1)[0].strip().lower() != falcon.MEDIA_JSON:
        raise ApiError(falcon.HTTP_415, "send the body as application/json", code="unsupported_media_type")
    raw = read_body(req, max_bytes)
    try:
        data = json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(falcon.HTTP_400, f"the body is not valid JSON: {exc}", code="invalid_json") from exc
    if json_depth(data) > MAX_JSON_DEPTH:
        raise ApiError(falcon.HTTP_400, f"the body is nested deeper than {MAX_JSON_DEPTH} levels",
                       code="invalid_json")
    refuse_nul_in_json(data)
    return data


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_model(model: type[Model], data: Any) -> Model:
    """Validate ``data`` as ``model``; every problem is listed in one 422."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise unprocessable("the request is not valid", validation_details(exc)) from exc


def read_model(req: falcon.Request, model: type[Model]) -> Model:
    return parse_model(model, read_json(req))
