"""``/openapi.json``: the API described from the resources themselves.

Each resource may carry an ``openapi`` mapping of lower-case method to an OpenAPI operation object; a pydantic
model (or ``TypeAdapter``) given as ``body`` or response ``schema`` is turned into JSON Schema here, in one place,
and ``example`` becomes the request body's example. Every operation gets an ``operationId`` and ``tags`` derived
from its path (:func:`operation_id`, :func:`tag_of`) unless it declares its own, so generated clients have stable
names and the reference at ``/docs`` groups operations.
A schema's ``$defs`` move to ``components/schemas`` (a ``#/$defs/...`` reference would resolve against the
document's root, where there is none), its references rewritten; ``query`` (a pydantic model) becomes the
operation's query parameters.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import falcon
from pydantic import BaseModel, TypeAdapter

from ingress.auth import Open, declared_access
from ingress.bounds import MAX_ROW_ID

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "details": {}}}},
}


_LOCAL_DEFS = "#/$defs/"
_COMPONENTS = "#/components/schemas/"


def _json_schema(value: Any) -> Any:
    if isinstance(value, type) and issubclass(value, BaseModel):
        return value.model_json_schema()
    if isinstance(value, TypeAdapter):
        return value.json_schema()
    return value


def _rewrite_refs(value: Any, names: dict[str, str]) -> Any:
    """Every ``#/$defs/<name>`` (a ``$ref``, or a discriminator's mapping) pointed at its component."""
    if isinstance(value, str):
        return _COMPONENTS + names[value.removeprefix(_LOCAL_DEFS)] if value.startswith(_LOCAL_DEFS) else value
    if isinstance(value, dict):
        return {key: _rewrite_refs(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_rewrite_refs(item, names) for item in value]
    return value


def hoist_defs(schema: Any, components: dict[str, Any]) -> Any:
    """``schema`` with its ``$defs`` moved into ``components`` and its references pointing there.

    A definition equal to the component of its name shares it; a name taken by a different schema (two models
    called ``Text``) gets the first free ``<name>_<n>``.
    """
    if not isinstance(schema, dict) or "$defs" not in schema:
        return schema
    schema = dict(schema)
    defs: dict[str, Any] = schema.pop("$defs")
    names = {name: name for name in defs}
    while True:
        rewritten = {name: _rewrite_refs(definition, names) for name, definition in defs.items()}
        clashes = [name for name in defs if components.get(names[name], rewritten[name]) != rewritten[name]]
        if not clashes:
            break
        for name in clashes:
            number = int(names[name].rsplit("_", 1)[1]) + 1 if names[name] != name else 2
            names[name] = f"{name}_{number}"
    for name, definition in rewritten.items():
        components[names[name]] = definition
    return _rewrite_refs(schema, names)


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query string has no null: ``X | None`` is just ``X`` there (absent means None)."""
    options = [o for o in schema.get("anyOf", []) if o != {"type": "null"}]
    if "anyOf" in schema and options:
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
        schema = {**rest, **options[0]} if len(options) == 1 else {**rest, "anyOf": options}
    return {k: v for k, v in schema.items() if not (k == "default" and v is None)}


def query_parameters(model: type[BaseModel], components: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields of a query model as OpenAPI query parameters (none required unless the model says so)."""
    schema = hoist_defs(model.model_json_schema(), components)
    required = set(schema.get("required", []))
    return [{"name": name, "in": "query", "required": name in required, "schema": _not_null(field)}
            for name, field in schema.get("properties", {}).items()]


#: Path prefixes and the tag their operations are grouped under (first match wins); others: their first segment.
TAGS = [
    ("/api/v1/wechat/", "wechat"), ("/api/v1/robots", "robots"), ("/api/v1/notification", "notifications"),
    ("/api/v1/ping", "system"), ("/api/v1/system", "system"), ("/api/v1/apikeys", "api keys"),
    ("/token/", "login (seed contract)"), ("/user/", "login (seed contract)"), ("/api/v1/users", "users"),
    ("/wechat/portal", "portals"), ("/wecom/portal", "portals"), ("/demo/", "demo"),
    ("/healthz", "system"), ("/readyz", "system"), ("/metrics", "system"), ("/openapi.json", "system"),
    ("/docs", "system"), ("/admin", "system"),
]


def tag_of(path: str) -> str:
    """The group an operation belongs to, from its path."""
    for prefix, tag in TAGS:
        if path.startswith(prefix):
            return tag
    return path.removeprefix("/api/v1").strip("/").split("/")[0] or "system"


def operation_id(method: str, path: str) -> str:
    """A stable camelCase name from the method and the path: ``GET /api/v1/notifications/{id}/attempts`` ->
    ``getNotificationsByIdAttempts``."""
    words = []
    for part in path.removeprefix("/api/v1").strip("/").split("/"):
        if part.startswith("{"):
            words.append("ById")
        else:
            words += [word.capitalize() for word in re.split(r"[^A-Za-z0-9]+", part) if word]
    return method.lower() + "".join(words)


def _operation(raw: dict[str, Any], path: str, components: dict[str, Any]) -> dict[str, Any]:
    operation = dict(raw)
    body = operation.pop("body", None)
    example = operation.pop("example", None)
    if body is not None:
        media: dict[str, Any] = {"schema": hoist_defs(_json_schema(body), components)}
        if example is not None:
            media["example"] = example
        operation["requestBody"] = {"required": operation.pop("body_required", True),
                                    "content": {"application/json": media}}
    query = operation.pop("query", None)
    if query is not None:
        operation["parameters"] = operation.get("parameters", []) + query_parameters(query, components)
    responses = {}
    for status, spec in operation.pop("responses", {"200": "OK"}).items():
        if isinstance(spec, str):
            responses[str(status)] = {"description": spec}
        else:
            description, schema = spec
            responses[str(status)] = {"description": description, "content": {"application/json": {
                "schema": hoist_defs(_json_schema(schema), components)}}}
    responses.setdefault("default", {"description": "error", "content": {"application/json": {"schema": ERROR_SCHEMA}}})
    operation["responses"] = responses
    params = [{"name": name.split(":", 1)[0], "in": "path", "required": True,
               "schema": _path_schema(name)}
              for name in _path_params(path)]
    if params:
        operation["parameters"] = params + operation.get("parameters", [])
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

    scope = Open.ANYONE

    def __init__(self, title: str, version: str) -> None:
        self.info = {"title": title, "version": version}
        self.paths: dict[str, dict[str, Any]] = {}
        self.schemas: dict[str, Any] = {}
        self._routes: list[tuple[str, object, str | None]] = []
        self._built = False
        self._lock = threading.Lock()

    def add(self, path: str, resource: object, suffix: str | None = None) -> None:
        """Note a route; the document is built on its first reading (its JSON schemas cost every ingress process
        about a megabyte, and most never serve ``/openapi.json``)."""
        self._routes.append((path, resource, suffix))

    def _build(self) -> None:
        with self._lock:
            if not self._built:
                for path, resource, suffix in self._routes:
                    self._describe(path, resource, suffix)
                self._built = True

    def _describe(self, path: str, resource: object, suffix: str | None) -> None:
        operations = getattr(resource, f"openapi_{suffix}" if suffix else "openapi", None) or {}
        if operations:
            # Falcon's field converters ({id:int}) are not part of an OpenAPI path template.
            entry = self.paths.setdefault(re.sub(r"\{(\w+):[^}]*\}", r"{\1}", path), {})
            access = declared_access(resource)
            template = re.sub(r"\{(\w+):[^}]*\}", r"{\1}", path)
            for method, raw in operations.items():
                entry[method] = _operation(raw, path, self.schemas)
                entry[method].setdefault("operationId", operation_id(method, template))
                entry[method].setdefault("tags", [tag_of(template)])
                if not isinstance(access, Open):
                    entry[method].setdefault("security", [{"bearer": []}])
                # Who may call the route: an API-key scope, or who it is open to (clients read it).
                entry[method]["x-required-scope"] = str(access)

    def document(self) -> dict[str, Any]:
        self._build()
        return {
            "openapi": "3.1.0",
            "info": self.info,
            "paths": self.paths,
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                           **({"schemas": self.schemas} if self.schemas else {})},
        }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.document()
