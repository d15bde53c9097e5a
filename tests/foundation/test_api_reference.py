"""``/openapi.json`` is complete enough to generate clients from, and ``/docs`` shows it from the ingress alone."""

from __future__ import annotations

import re

import falcon.testing
import pytest

from ingress import create_app
from tests.api_document import HTTP_METHODS, openapi_document, routed_operations

DOCUMENT = openapi_document()
OPERATIONS = [(method.upper(), path, operation) for path, operations in DOCUMENT["paths"].items()
              for method, operation in operations.items()]


#: Pages and documents, not API operations.
NOT_OPERATIONS = {"/admin", "/docs", "/openapi.json", "/metrics", "/demo/qr-login", "/demo/qr-login/qr.svg"}


def test_every_routed_operation_is_described():
    described = {(method, path) for method, path, _ in OPERATIONS}
    undocumented = {op for op in routed_operations() if op[1] not in NOT_OPERATIONS} - described
    assert undocumented == set()


def test_every_operation_has_a_unique_operation_id_and_a_tag():
    ids = [operation["operationId"] for _, _, operation in OPERATIONS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+[A-Za-z0-9]*", i) for i in ids)
    assert all(operation["tags"] for _, _, operation in OPERATIONS)
    named = {method: path for method, path, operation in OPERATIONS if operation["operationId"] == "postNotifications"}
    assert named == {"POST": "/api/v1/notifications"}


@pytest.mark.parametrize(("method", "path", "operation"), [op for op in OPERATIONS if "requestBody" in op[2]],
                         ids=lambda value: value if isinstance(value, str) else "")
def test_every_request_body_comes_with_an_example_its_schema_accepts(method, path, operation):
    content = operation["requestBody"]["content"]
    [(media_type, media)] = content.items()
    if media_type in ("multipart/form-data", "application/octet-stream"):
        return  # a file: no JSON example to give
    assert "example" in media, f"{method} {path} declares no example"


def test_list_endpoints_declare_the_query_parameters_they_read():
    def params(path):
        return {p["name"] for p in DOCUMENT["paths"][path]["get"].get("parameters", []) if p["in"] == "query"}
    assert {"channel", "status", "limit"} <= params("/api/v1/notifications")
    assert {"platform", "from_user", "q", "limit", "offset"} <= params("/api/v1/inbound")
    assert {"enabled"} <= params("/api/v1/wechat/templates")
    assert {"minutes"} <= params("/api/v1/system/status")
    assert {"tag", "subscribed"} <= params("/api/v1/wechat/followers")


def test_bodies_that_take_json_are_declared():
    bodiless = {(m, p) for m, p, o in OPERATIONS if m in ("PUT", "PATCH") and "requestBody" not in o}
    assert bodiless == set()


@pytest.fixture(scope="module")
def client():
    from config import load_settings

    settings = load_settings(None, redis={"url": "redis://127.0.0.1:1/0"}, database={"url": "sqlite://"},
                             security={"secret_key": "k" * 32})
    return falcon.testing.TestClient(create_app(settings))


def test_docs_page_loads_swagger_ui_from_the_ingress_itself(client):
    page = client.simulate_get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "API 参考" in page.text and "API reference" in page.text
    scripts = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert all(src.startswith("/") for src in scripts), scripts  # no CDN
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css", "/docs/static/start.js"):
        served = client.simulate_get(asset)
        assert served.status_code == 200 and len(served.content) > 100, asset
    start = client.simulate_get("/docs/static/start.js").text
    assert '"/openapi.json"' in start and "validatorUrl: null" in start


def test_the_docs_need_no_key_but_the_api_they_show_does(client):
    assert client.simulate_get("/docs").status_code == 200
    assert client.simulate_get("/api/v1/notifications").status_code == 401


def test_http_methods_constant_covers_the_document():
    assert {m for m, _, _ in OPERATIONS} <= set(HTTP_METHODS)
