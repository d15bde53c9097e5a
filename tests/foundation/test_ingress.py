"""The ingress's shell: health, readiness, metrics, OpenAPI, JSON errors, body limits and API keys."""

from __future__ import annotations

import falcon.testing
import pytest

from core.runtime import Runtime
from ingress import create_app
from models import Scope
from models.api_clients import create_api_client, revoke_api_client
from tests.keys import bearer


@pytest.fixture
def runtime(make_settings, database_url):
    runtime = Runtime.from_settings(make_settings(database_url))
    yield runtime
    runtime.close()


@pytest.fixture
def client(runtime):
    return falcon.testing.TestClient(create_app(runtime.settings, runtime))


@pytest.fixture
def keys(runtime):
    with runtime.database.session() as session:
        _, admin = create_api_client(session, "admin", Scope.ADMIN)
        _, notify = create_api_client(session, "notify", Scope.NOTIFY)
        _, revoked = create_api_client(session, "gone", Scope.ADMIN)
        revoke_api_client(session, "gone")
    return {"admin": admin, "notify": notify, "revoked": revoked}


def assert_json_error(result, status: int, code: str | None = None) -> None:
    assert result.status_code == status
    error = result.json["error"]
    assert error["message"]
    if code:
        assert error["code"] == code


def test_healthz_and_readyz_answer_when_redis_and_database_do(client):
    assert client.simulate_get("/healthz").json == {"status": "ok"}
    ready = client.simulate_get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"redis": "ok", "database": "ok"}


def test_readyz_names_what_is_down(make_settings, sqlite_url):
    settings = make_settings(sqlite_url, redis={"url": "redis://127.0.0.1:1/0"})
    client = falcon.testing.TestClient(create_app(settings))
    result = client.simulate_get("/readyz")
    assert result.status_code == 503
    assert result.json["checks"]["redis"].startswith("unreachable")
    assert result.json["checks"]["database"] == "ok"


def test_a_database_that_cannot_answer_is_503_with_retry_after_not_500(make_settings):
    # Locked past its busy timeout (SQLite under a write storm), down, or out of connections: a moment, not a bug.
    client = falcon.testing.TestClient(create_app(make_settings("postgresql://127.0.0.1:1/imbridge")))
    result = client.simulate_get("/api/v1/notifications", headers=bearer("imb_abc_def"))
    assert_json_error(result, 503, "database_unavailable")
    assert int(result.headers["retry-after"]) > 0


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer imb_wrong_key"}, {"Authorization": "Basic x"}])
def test_missing_or_wrong_key_is_401(client, headers):
    result = client.simulate_get("/api/v1/apikeys", headers=headers)
    assert_json_error(result, 401, "unauthorized")
    assert result.headers["WWW-Authenticate"] == "Bearer"


def test_unknown_api_path_without_key_is_401_not_404(client):
    assert_json_error(client.simulate_get("/api/v1/no-such-thing"), 401)


def test_revoked_key_is_401(client, keys):
    assert_json_error(client.simulate_get("/api/v1/apikeys", headers=bearer(keys["revoked"])), 401)


def test_notify_key_on_admin_route_is_403(client, keys):
    assert_json_error(client.simulate_get("/api/v1/apikeys", headers=bearer(keys["notify"])), 403, "forbidden")


def test_admin_key_lists_keys_without_revealing_them(client, keys):
    result = client.simulate_get("/api/v1/apikeys", headers=bearer(keys["admin"]))
    assert result.status_code == 200
    assert {item["name"] for item in result.json["items"]} == {"admin", "notify", "gone"}
    for key in keys.values():
        assert key not in result.text


def test_key_created_through_the_api_works_once_created_and_stops_when_revoked(client, keys):
    created = client.simulate_post("/api/v1/apikeys", json={"name": "crm", "scope": "notify"},
                                   headers=bearer(keys["admin"]))
    assert created.status_code == 201
    new_key = created.json["key"]
    assert client.simulate_post("/api/v1/ping", headers=bearer(new_key)).status_code == 202
    revoked = client.simulate_delete(f"/api/v1/apikeys/{created.json['keyId']}", headers=bearer(keys["admin"]))
    assert revoked.status_code == 204
    assert_json_error(client.simulate_post("/api/v1/ping", headers=bearer(new_key)), 401)


def test_bad_bodies_get_clear_4xx_and_change_nothing(client, keys):
    admin = bearer(keys["admin"])
    assert_json_error(client.simulate_post("/api/v1/apikeys", body="name=x", headers={
        **admin, "Content-Type": "application/x-www-form-urlencoded"}), 415)
    assert_json_error(client.simulate_post("/api/v1/apikeys", body="{not json", headers={
        **admin, "Content-Type": "application/json"}), 400, "invalid_json")
    invalid = client.simulate_post("/api/v1/apikeys", json={"name": "", "scope": "root"}, headers=admin)
    assert_json_error(invalid, 422, "validation_error")
    assert {d["field"] for d in invalid.json["error"]["details"]} == {"name", "scope"}
    assert len(client.simulate_get("/api/v1/apikeys", headers=admin).json["items"]) == 3


def test_oversized_body_is_413(client, keys):
    body = "x" * (1024 * 1024 + 1)
    result = client.simulate_post("/api/v1/apikeys", body=body,
                                  headers={**bearer(keys["admin"]), "Content-Type": "application/json"})
    assert_json_error(result, 413)


def test_not_found_and_method_not_allowed_are_json(client, keys):
    assert_json_error(client.simulate_get("/nowhere"), 401, "unauthorized")  # nothing told without a key
    assert_json_error(client.simulate_get("/nowhere", headers=bearer(keys["notify"])), 404, "not_found")
    assert_json_error(client.simulate_put("/healthz"), 405)


def test_metrics_count_requests_by_route(client):
    client.simulate_get("/healthz")
    text = client.simulate_get("/metrics").text
    assert 'imbridge_http_requests_total{method="GET",route="/healthz",status="200"}' in text


def test_openapi_describes_the_api(client):
    document = client.simulate_get("/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert "/api/v1/apikeys" in document["paths"]
    assert document["paths"]["/api/v1/apikeys"]["post"]["requestBody"]


def _refs(value) -> list[str]:
    """Every schema reference in ``value``: ``$ref`` values and discriminator mappings."""
    if isinstance(value, dict):
        own = [value["$ref"]] if isinstance(value.get("$ref"), str) else []
        mapping = list(value["mapping"].values()) if isinstance(value.get("mapping"), dict) else []
        return own + mapping + [ref for item in value.values() for ref in _refs(item)]
    return [ref for item in value for ref in _refs(item)] if isinstance(value, list) else []


def test_openapi_has_the_request_bodies_and_list_filters_clients_need(client):
    document = client.simulate_get("/openapi.json").json
    paths, schemas = document["paths"], document["components"]["schemas"]

    def body(path: str, media: str = "application/json") -> dict:
        return paths[path]["post"]["requestBody"]["content"][media]["schema"]

    channels = body("/api/v1/notifications")["discriminator"]["mapping"]
    assert set(channels) == {"dingtalk_robot", "wecom_robot", "dingtalk_work", "wecom_app", "wechat_template",
                             "wechat_custom", "wechat_subscribe", "applet_subscribe", "dingtalk_group",
                             "dingtalk_robot_users", "wecom_appchat"}
    assert "touser" in body("/api/v1/wechat/template-messages")["properties"]
    assert body("/api/v1/blobs", "application/octet-stream")["format"] == "binary"
    for path, names in (("/api/v1/notifications", {"account", "channel", "status", "robot", "since", "until", "page",
                                                  "limit"}),
                        ("/api/v1/jobs", {"kind", "status", "since", "page", "limit"}),
                        ("/api/v1/wechat/media", {"account", "type", "permanent", "status", "page", "limit"})):
        query = [p for p in paths[path]["get"]["parameters"] if p["in"] == "query"]
        assert {p["name"] for p in query} == names and not any(p["required"] for p in query)
        assert all("null" not in str(p["schema"]) for p in query)  # a query string has no null
    # pydantic's $defs live under components/schemas, and every reference resolves there.
    assert "$defs" not in str(document)
    refs = _refs(document)
    assert refs and all(ref.removeprefix("#/components/schemas/") in schemas for ref in refs)
    assert all(ref.startswith("#/components/schemas/") for ref in refs)


def test_two_different_schemas_of_one_name_both_stay_in_the_document():
    from ingress.openapi import hoist_defs

    components: dict = {}
    first = hoist_defs({"$ref": "#/$defs/Text", "$defs": {"Text": {"type": "string"}}}, components)
    same = hoist_defs({"items": {"$ref": "#/$defs/Text"}, "$defs": {"Text": {"type": "string"}}}, components)
    other = hoist_defs({"$ref": "#/$defs/Text", "$defs": {"Text": {"type": "integer"}}}, components)
    assert first == {"$ref": "#/components/schemas/Text"} and same["items"] == first
    assert other == {"$ref": "#/components/schemas/Text_2"}
    assert components == {"Text": {"type": "string"}, "Text_2": {"type": "integer"}}
