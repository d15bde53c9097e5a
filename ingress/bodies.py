"""Request bodies: bounded in size, JSON only where JSON is expected, validated by pydantic in one pass."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import falcon
from pydantic import BaseModel, ValidationError

from ingress.errors import ApiError, unprocessable, validation_details

Model = TypeVar("Model", bound=BaseModel)


class BodyLimit:
    """Middleware: refuse bodies over ``max_bytes`` with 413 before anyone reads them.

    A resource that takes larger bodies (media uploads) says so with a ``large_body_bytes`` attribute; the limit
    applies per route, so everything else keeps ``max_bytes``.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict) -> None:
        limit = getattr(resource, "large_body_bytes", None) or self.max_bytes
        length = req.content_length
        if length is not None and length > limit:
            raise ApiError(falcon.HTTP_413, f"request body over {limit} bytes", code="payload_too_large")


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
        return json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(falcon.HTTP_400, f"the body is not valid JSON: {exc}", code="invalid_json") from exc


def parse_model(model: type[Model], data: Any) -> Model:
    """Validate ``data`` as ``model``; every problem is listed in one 422."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise unprocessable("the request is not valid", validation_details(exc)) from exc


def read_model(req: falcon.Request, model: type[Model]) -> Model:
    return parse_model(model, read_json(req))
