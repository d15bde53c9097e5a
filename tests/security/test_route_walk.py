"""Every route of the app, in every spelling the router might fold onto it, decided on the route it reaches.

The key check once looked at the raw path while the router matched ``//api/v1/apikeys`` to the keys API, so a
leading ``//`` made a new admin key without any key at all. The walk below takes every route the app serves
(``falcon.inspect``, not the API document, so a route nobody documented is walked too) and every variant of its
path, without a key and with a key of the wrong scope: never a 2xx, never a 5xx.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import falcon.inspect
import falcon.testing
import pytest

from ingress.admin import CONTENT_SECURITY_POLICY
from tests.security.expected_access import EXPECTED_ACCESS

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
NO_SUCH_KEY = "imb_000000000000_wrong"


@pytest.fixture(scope="module")
def served(keyed_app):
    return keyed_app.app, keyed_app.client, keyed_app.admin, keyed_app.notify


def concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", template)


def spellings(path: str) -> Iterator[str]:
    """``path`` and the spellings a router or a server may fold onto it."""
    rest = path.lstrip("/")
    first, _, tail = rest.partition("/")
    yield path
    yield f"//{rest}"
    yield f"///{rest}"
    if tail:
        yield f"/{first}//{tail}"
        yield f"/{first}%2F{tail.replace('/', '%2F')}"
        yield f"/{first}%2f{tail}"
    yield f"{path}/"
    yield f"/./{rest}"
    yield f"/{first}/./{tail}" if tail else f"/{rest}/."
    yield path.upper()
    yield path.title()


def asked_for_a_key(result: falcon.testing.Result) -> bool:
    """The API-key check refused the request (not the resource's own check of a signature or login token)."""
    return result.status_code == 401 and result.json["error"]["message"].startswith("send an API key")


def _routed(app: falcon.App) -> Iterator[tuple[str, str]]:
    """``(method, template)`` of every responder the app routes to."""
    for route in falcon.inspect.inspect_routes(app):
        for method in sorted({m.method for m in route.methods if not m.internal} & set(HTTP_METHODS)):
            yield method, route.path


def _operations(app: falcon.App) -> Iterator[tuple[str, str, str]]:
    """``(method, template, expected access)`` of every responder the app routes to, access from the table."""
    for method, template in _routed(app):
        yield method, template, EXPECTED_ACCESS[(method, template)]


def test_every_routed_operation_is_written_down(served):
    """A new route (or method) without a line in ``expected_access.py`` fails here, as does a line for a gone one."""
    routed = set(_routed(served[0]))
    assert routed - EXPECTED_ACCESS.keys() == set(), "routes nobody wrote an expected access for"
    assert EXPECTED_ACCESS.keys() - routed == set(), "written-down routes the app no longer serves"


def test_every_route_lets_in_exactly_the_callers_written_down(served):
    app, client, _, notify = served
    operations = list(_operations(app))
    assert len(operations) > 60
    for method, template, access in operations:
        path = concrete(template)
        anonymous = client.simulate_request(method, path)
        # (503: the QR-login pool has no code minted yet, as it should without a scheduler)
        assert anonymous.status_code < 500 or anonymous.status_code == 503, (method, template, anonymous.text)
        assert asked_for_a_key(anonymous) == (access in ("admin", "notify")), (method, template, anonymous.text)
        if access in ("admin", "notify"):
            with_notify = client.simulate_request(method, path, headers={"Authorization": f"Bearer {notify}"})
            assert (with_notify.status_code == 403) == (access == "admin"), (method, template, with_notify.text)


def test_no_spelling_of_a_keyed_route_answers_without_the_right_key(served):
    app, client, _, notify = served
    walked = 0
    for method, template, access in _operations(app):
        if access not in ("admin", "notify"):
            continue
        wrong_key = notify if access == "admin" else NO_SUCH_KEY
        for path in spellings(concrete(template)):
            for headers in ({}, {"Authorization": f"Bearer {wrong_key}"}):
                result = client.simulate_request(method, path, headers=headers, json={"name": "x", "scope": "admin"})
                assert 400 <= result.status_code < 500, (method, path, headers, result.status_code, result.text)
                walked += 1
    assert walked > 1000


def test_the_attack_that_made_an_admin_key_without_one(served):
    _, client, admin, _ = served
    for path in ("//api/v1/apikeys", "///api/v1/apikeys"):
        made = client.simulate_post(path, json={"name": "x", "scope": "admin"})
        assert made.status_code == 401
    listed = client.simulate_get("/api/v1/apikeys", headers={"Authorization": f"Bearer {admin}"})
    assert [key["name"] for key in listed.json["items"] if key["name"] == "x"] == []


def test_an_unknown_path_is_a_404_only_with_a_key(served):
    _, client, _, notify = served
    for path in ("/nothing", "/api/v1/nothing", "/API/V1/APIKEYS", "/api//v1/apikeys", "/admin.php"):
        assert asked_for_a_key(client.simulate_get(path)), path
        known = client.simulate_get(path, headers={"Authorization": f"Bearer {notify}"})
        assert (known.status_code, known.json["error"]["code"]) == (404, "not_found"), path


@pytest.mark.parametrize("path", ["/admin", "//admin", "///admin", "/admin/", "/./admin", "/admin/app.js",
                                  "/admin/./app.js", "/admin//app.js", "/admin/sections/../app.js"])
def test_the_admin_page_keeps_its_headers_however_it_is_reached(served, path):
    client = served[1]
    result = client.simulate_get(path)
    assert result.status_code in (200, 401, 404), result.text
    if result.status_code == 200:
        assert result.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert result.headers["X-Content-Type-Options"] == "nosniff"
