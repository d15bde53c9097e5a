"""Every ``/api/v1`` operation of the written table (``expected_access.py``): no key or a wrong key is a 401, the
wrong scope a 403, and an empty or nonsense request with the right key is a 4xx, never a 5xx. ``/openapi.json``
must say the same as the table; it is checked against it, never used as the expectation."""

from __future__ import annotations

import re

import pytest

from tests.api_document import openapi_document, routed_operations
from tests.security.expected_access import EXPECTED_ACCESS


@pytest.fixture(scope="module")
def api(keyed_app):
    return keyed_app.client, keyed_app.admin, keyed_app.notify


def openapi_spelling(template: str) -> str:
    """``/x/{id:int}`` (falcon) as ``/x/{id}`` (OpenAPI)."""
    return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", template)


def _operations():
    """The ``/api/v1`` operations of the written table."""
    for (method, template), access in sorted(EXPECTED_ACCESS.items(), key=lambda item: (item[0][1], item[0][0])):
        path = openapi_spelling(template)
        if path.startswith("/api/v1"):
            yield pytest.param(method.lower(), path, access, id=f"{method.lower()} {path}")


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "999999", path)


OPERATIONS = list(_operations())


def test_the_api_is_fully_listed():
    assert len(OPERATIONS) > 40


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS)
def test_the_documented_scope_is_the_written_down_one(method, path, scope):
    assert openapi_document()["paths"][path][method]["x-required-scope"] == scope


def test_every_routed_api_operation_is_written_down_and_documented():
    """A route added without a line in the table (or without an ``openapi`` entry) fails here: the router is the
    truth of what is served."""
    written = {(param.values[0].upper(), param.values[1]) for param in OPERATIONS}
    routed = {(method, path) for method, path in routed_operations() if path.startswith("/api/v1")}
    documented = {(method.upper(), path) for path, operations in openapi_document()["paths"].items()
                  if path.startswith("/api/v1") for method in operations}
    assert routed == written
    assert documented == written


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS)
def test_route_refuses_missing_and_wrong_keys(api, method, path, scope):
    client = api[0]
    for headers in ({}, {"Authorization": "Bearer imb_000000000000_wrong"}):
        result = client.simulate_request(method.upper(), concrete(path), headers=headers)
        assert result.status_code == 401, result.text
        assert result.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS)
def test_route_checks_the_scope(api, method, path, scope):
    client, _, notify = api
    result = client.simulate_request(method.upper(), concrete(path), headers={"Authorization": f"Bearer {notify}"})
    if scope == "admin":
        assert result.status_code == 403, result.text
    else:
        assert result.status_code not in (401, 403), result.text


@pytest.mark.parametrize(("method", "path", "scope"), OPERATIONS)
@pytest.mark.parametrize("body", [None, "{}", "[]", "not json", '{"name": null, "channel": 7}'])
def test_nonsense_with_the_right_key_is_a_clear_4xx(api, method, path, scope, body):
    client, admin, _ = api
    headers = {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"}
    result = client.simulate_request(method.upper(), concrete(path), headers=headers, body=body)
    assert result.status_code < 500, f"{result.status_code}: {result.text}"
    if result.status_code >= 400:
        assert result.json["error"]["message"]
