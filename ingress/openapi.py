"""``/openapi.json``: the API described from the resources themselves.

Each resource may carry an ``openapi`` mapping of lower-case method to an OpenAPI operation object; a pydantic
model given as ``requestBody`` or response ``schema`` is turned into JSON Schema here, in one place.
"""

from __future__ import annotations

import re
from typing import Any

import falcon
from pydantic import BaseModel

from ingress.bounds import MAX_ROW_ID

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "details": {}}}},
}


def _schema(value: Any) -> Any:
    if isinstance(value, type) and issubclass(value, BaseModel):
        return value.model_json_schema()
    return value


def _operation(raw: dict[str, Any], path: str) -> dict[str, Any]:
    operation = dict(raw)
    body = operation.pop("body", None)
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _schema(body)}}}
    responses = {}
    for status, spec in operation.pop("responses", {"200": "OK"}).items():
        if isinstance(spec, str):
            responses[str(status)] = {"description": spec}
        else:
            description, schema = spec
            responses[str(status)] = {"description": description,
                                      "content": {"application/json": {"schema": _schema(schema)}}}
    responses.setdefault("default", {"description": "error", "content": {"application/json": {"schema": ERROR_SCHEMA}}})
    operation["responses"] = responses
    params = [{"name": name.split(":", 1)[0], "in": "path", "required": True,
               "schema": _path_schema(name)}
              for name in _path_params(path)]
    if params:
        operation["parameters"] = params + operation.get("parameters", [])
    if path.startswith("/api/v1"):
        operation.setdefault("security", [{"bearer": []}])
    return operation


def _path_schema(name: str) -> dict[str, Any]:
    """A row id (``{x:id}``) is an integer of 1..2**31-1; other fields are strings."""
    if name.endswith(":id"):
        return {"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}
    return {"type": "integer"} if name.endswith(":int") else {"type": "string"}


def _path_params(path: str) -> list[str]:
    """``name`` or ``name:converter`` of each field in the path."""
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


class OpenApiSpec:
    """Collects routes while the app is assembled and serves the document."""

    def __init__(self, title: str, version: str) -> None:
        self.info = {"title": title, "version": version}
        self.paths: dict[str, dict[str, Any]] = {}

    def add(self, path: str, resource: object, suffix: str | None = None) -> None:
        operations = getattr(resource, f"openapi_{suffix}" if suffix else "openapi", None) or {}
        if operations:
            # Falcon's field converters ({id:int}) are not part of an OpenAPI path template.
            entry = self.paths.setdefault(re.sub(r"\{(\w+):[^}]*\}", r"{\1}", path), {})
            scope = getattr(resource, "scope", "admin") if path.startswith("/api/v1") else None
            for method, raw in operations.items():
                entry[method] = _operation(raw, path)
                if scope is not None:
                    # Which API-key scope the route needs (clients and the security tests read it).
                    entry[method]["x-required-scope"] = str(scope)

    def document(self) -> dict[str, Any]:
        return {
            "openapi": "3.1.0",
            "info": self.info,
            "paths": self.paths,
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.document()
