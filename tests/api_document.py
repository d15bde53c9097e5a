"""The API as the app describes it (``/openapi.json``) and as it routes it (falcon's router), at collection time.

Both are read from an app assembled on throwaway settings (``create_app`` sets nothing process-global), so suites
can parametrize over every route, including routes added later.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import falcon
import falcon.inspect
import falcon.testing

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@cache
def _app() -> falcon.App:
    from config import load_settings
    from ingress import create_app

    settings = load_settings(None, redis={"url": "redis://127.0.0.1:1/0"}, database={"url": "sqlite://"},
                             security={"secret_key": "k" * 32}, sandbox={"enabled": True})
    return create_app(settings)


def openapi_document() -> dict[str, Any]:
    return falcon.testing.TestClient(_app()).simulate_get("/openapi.json").json


def routed_operations() -> set[tuple[str, str]]:
    """``(METHOD, template)`` of every responder the app routes to (``falcon.inspect``, public), in OpenAPI spelling."""
    found: set[tuple[str, str]] = set()
    for route in falcon.inspect.inspect_routes(_app()):
        template = re.sub(r"\{(\w+):[^}]*\}", r"{\1}", route.path)
        found.update((method.method, template) for method in route.methods
                     if not method.internal and method.method in HTTP_METHODS)
    return found
