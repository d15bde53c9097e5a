"""What the fuzzers found, kept as plain regression tests (SQLite, and PostgreSQL when ``$DATABASE_URL`` is set):
numbers too large for the database, NUL characters, JSON nested past Python's recursion limit. Each was a 500."""

from __future__ import annotations

import json

import falcon.testing
import pytest

from core.runtime import Runtime
from ingress import create_app
from models import Scope
from models.api_clients import create_api_client

HUGE = "99999999999999999999999"


@pytest.fixture
def api(make_settings, database_url, redis_client):
    settings = make_settings(database_url, security={"secret_key": "found-by-fuzzing-secret-key"})
    runtime = Runtime.from_settings(settings)
    with runtime.database.session() as session:
        _, key = create_api_client(session, "fuzz", Scope.ADMIN)
    yield falcon.testing.TestClient(create_app(settings, runtime), headers={"Authorization": f"Bearer {key}"})
    runtime.close()


def refused(result, *statuses: int) -> dict:
    assert result.status_code in statuses, (result.status_code, result.text)
    assert result.json["error"]["message"]
    return result.json["error"]


def test_an_id_no_row_can_have_is_404(api):
    for path in (f"/api/v1/users/{HUGE}", "/api/v1/users/9223372036854775808", "/api/v1/users/2147483648",
                 f"/api/v1/webhooks/{HUGE}", f"/api/v1/webhooks/{HUGE}/deliveries", f"/api/v1/wechat/templates/{HUGE}",
                 f"/api/v1/users/1/bindings/{HUGE}", f"/api/v1/inbound/{HUGE}", f"/api/v1/wechat/menus/{HUGE}",
                 "/api/v1/users/0", "/api/v1/users/-1"):
        for method in ("GET", "PATCH", "DELETE"):
            result = api.simulate_request(method, path, json={})
            assert result.status_code in (404, 405), (method, path, result.text)


def test_a_paging_or_time_number_out_of_range_is_a_4xx(api):
    for query in (f"/api/v1/users?offset={HUGE}", "/api/v1/users?offset=9223372036854775808",
                  f"/api/v1/inbound?offset={HUGE}", f"/api/v1/notifications?page={HUGE}",
                  f"/api/v1/jobs?page={HUGE}", f"/api/v1/wechat/media?page={HUGE}",
                  f"/api/v1/inbound?since={HUGE}", f"/api/v1/inbound?until=-{HUGE}"):
        path, _, params = query.partition("?")
        refused(api.simulate_get(path, query_string=params), 400, 422)


def test_a_nul_in_the_path_or_query_is_400(api):
    for target in ("/api/v1/robots/wecom/%00", "/api/v1/jobs/x%00", "/api/v1/notifications/%00", "/api/v1/blobs/%00",
                   "/api/v1/notification-templates/%00", "/api/v1/inbound?q=%00", "/api/v1/users?q=a%00b",
                   "/api/v1/notifications?channel=%00", "/api/v1/blobs?filename=a%00.txt", "/wechat/portal?nonce=%00"):
        path, _, params = target.partition("?")
        error = refused(api.simulate_get(path, query_string=params), 400)
        assert "NUL" in error["message"]


NUL_BODIES = [
    ("/api/v1/notification-templates", {"code": "nul", "name": "x\x00", "content": "hello"}),
    ("/api/v1/users", {"username": "nul\x00user"}),
    ("/api/v1/webhooks", {"name": "n", "url": "http://example.com/", "events": ["*"], "secret": "s\x00"}),
    ("/api/v1/robots/dingtalk", {"code": "nul", "name": "n", "access_token": "t", "x\x00": 1}),
    ("/api/v1/notifications", {"channel": "dingtalk_robot", "robot": "r\x00",
                               "message": {"msgtype": "text", "text": {"content": "hi"}}}),
]


def test_a_nul_in_a_json_body_is_422_naming_the_field(api):
    for path, body in NUL_BODIES:
        error = refused(api.simulate_post(path, json=body), 422)
        assert error["details"][0]["type"] == "nul_character"


def test_a_nul_in_a_multipart_field_is_400(api):
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nimage\x00\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n\x89PNG\r\n--{boundary}--\r\n").encode()
    result = api.simulate_post("/api/v1/wechat/media", body=body,
                               headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert refused(result, 400)["code"] == "invalid_multipart"


def test_a_nul_in_the_api_key_is_400_not_a_database_error(api):
    result = api.simulate_get("/api/v1/users", headers={"Authorization": "Bearer imb_\x00_x"})
    refused(result, 400, 401)


def test_json_nested_past_the_recursion_limit_is_400(api):
    deep = "[" * 100_000 + "]" * 100_000
    result = api.simulate_post("/api/v1/notifications", body=deep, headers={"Content-Type": "application/json"})
    assert refused(result, 400)["code"] == "invalid_json"


def test_json_nested_deeply_but_parseable_is_a_4xx(api):
    deep = json.dumps({"channel": "dingtalk_robot", "robot": "r", "message": json.loads("[" * 900 + "]" * 900)})
    result = api.simulate_post("/api/v1/notifications", body=deep, headers={"Content-Type": "application/json"})
    refused(result, 400, 422)


def test_a_nul_however_the_query_spells_it_is_a_400_and_a_lookalike_is_not(api):
    """The NUL check scans the raw query once: every spelling that decodes to a NUL is caught, and only those."""
    for query in ("a=%00", "a=b&c%00=d", "x=1&y=\x00", "q=caf%C3%A9%00"):
        result = api.simulate_get("/api/v1/users", query_string=query)
        assert result.status_code == 400 and "NUL" in result.json["error"]["message"], query
    for query in ("a=%2500", "a=%C0%80", "a=%u0000", "a=0&b=00%0"):
        assert api.simulate_get("/api/v1/users", query_string=query).status_code != 400, query
