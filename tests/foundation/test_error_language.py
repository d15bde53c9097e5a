"""API error messages in the request's language (Accept-Language), codes unchanged; English by default."""


from __future__ import annotations

import json
import re
from pathlib import Path

import falcon
import falcon.testing
import pytest

from core.runtime import Runtime
from ingress import create_app
from ingress.errors import VALIDATION_MESSAGES, ApiError, install_error_handling
from ingress.i18n import LOCALES_DIR, negotiate, parse_accept_language, translate
from models import Scope
from models.api_clients import create_api_client

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
INGRESS = Path(__file__).resolve().parents[2] / "ingress"


@pytest.mark.parametrize(("header", "locale"), [
    (None, "en"),
    ("", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
    ("zh", "zh-CN"),
    ("zh-Hans-CN", "zh-CN"),
    ("zh-TW;q=0.5, fr", "zh-CN"),  # fr is not offered: the next range decides
    ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
    ("en;q=0.2, zh;q=0.8", "zh-CN"),  # the weights decide, not the order
    ("zh;q=0, en", "en"),  # q=0 means "not this one"
    ("fr, de", "en"),
    ("*", "en"),
    ("zh;q=abc, ;;, en-GB", "en"),  # a malformed weight drops its entry, not the request
])
def test_negotiation_follows_the_weights_and_defaults_to_english(header, locale):
    assert negotiate(header) == locale


def test_the_header_is_read_most_wanted_first():
    assert parse_accept_language("en;q=0.5, zh-CN, fr;q=0.7") == [("zh-cn", 1.0), ("fr", 0.7), ("en", 0.5)]


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
    return {"admin": admin, "notify": notify}


def error(result) -> dict:
    return result.json["error"]


def test_without_accept_language_errors_stay_english(client):
    result = client.simulate_get("/api/v1/robots/wecom", headers={"Authorization": "Bearer imb_000000000000_nope"})
    assert result.status_code == 401
    assert error(result) == {"code": "unauthorized", "message": "the API key is unknown or revoked"}
    assert result.headers["Content-Language"] == "en"
    assert "Accept-Language" in result.headers["Vary"]


def test_a_chinese_reader_gets_chinese_messages_with_the_same_codes(client, keys):
    unknown = client.simulate_get("/api/v1/robots/wecom",
                                  headers={**ZH, "Authorization": "Bearer imb_000000000000_x"})
    assert unknown.status_code == 401
    assert error(unknown) == {"code": "unauthorized", "message": "API 密钥不存在或已被吊销"}
    assert unknown.headers["Content-Language"] == "zh-CN"

    missing = client.simulate_get("/api/v1/robots/wecom", headers=ZH)
    assert error(missing)["code"] == "unauthorized"
    assert error(missing)["message"].startswith("请以 'Authorization: Bearer <key>'")

    forbidden = client.simulate_get("/api/v1/robots/wecom", headers={**ZH, "Authorization": f"Bearer {keys['notify']}"})
    assert (forbidden.status_code, error(forbidden)["code"]) == (403, "forbidden")
    assert error(forbidden)["message"] == "此密钥的权限范围是 'notify'，这里需要 'admin'"

    admin = {**ZH, "Authorization": f"Bearer {keys['admin']}"}
    route = client.simulate_get("/api/v1/no-such-thing", headers=admin)
    assert (route.status_code, error(route)) == (404, {"code": "not_found", "message": "没有这个路由"})

    # A message without an entry of its own: the code's sentence in Chinese, the English specifics kept.
    job = client.simulate_get("/api/v1/jobs/999999", headers=admin)
    assert (job.status_code, error(job)["code"]) == (404, "not_found")
    assert error(job)["message"] == "找不到请求的资源（no job 999999）"

    invalid = client.simulate_post("/api/v1/robots/wecom", json={"code": "bad code!"}, headers=admin)
    assert (invalid.status_code, error(invalid)["code"]) == (422, "validation_error")
    assert error(invalid)["message"] == "请求无效"
    assert {d["field"] for d in error(invalid)["details"]} >= {"code", "name", "key"}  # details stay as they were


class Raises:
    """A resource raising the API's errors as the rate limiter and the conflict paths do."""

    def __init__(self, exc: ApiError) -> None:
        self.exc = exc

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        raise self.exc


@pytest.mark.parametrize(("exc", "english", "chinese"), [
    (ApiError(falcon.HTTP_429, "too many requests from 1.2.3.4: at most 5 every 60 s; retry after 7 s",
              code="rate_limited", params={"client": "1.2.3.4", "count": 5, "seconds": 60, "retry_after": 7}),
     "too many requests from 1.2.3.4: at most 5 every 60 s; retry after 7 s",
     "1.2.3.4 的请求过多：每 60 秒最多 5 次；请 7 秒后重试"),
    (ApiError(falcon.HTTP_409, "only failed jobs are run again; this one is sent", code="conflict"),
     "only failed jobs are run again; this one is sent",
     "与资源的当前状态冲突（only failed jobs are run again; this one is sent）"),
    (ApiError(falcon.HTTP_503, "the database is busy or unavailable; retry shortly", code="database_unavailable"),
     "the database is busy or unavailable; retry shortly", "数据库繁忙或不可用，请稍后重试"),
    (ApiError(falcon.HTTP_418, "a teapot", code="teapot"), "a teapot", "a teapot"),  # no entry: English stays
])
def test_every_common_error_has_its_chinese_message(exc, english, chinese):
    app = falcon.App()
    install_error_handling(app)
    app.add_route("/x", Raises(exc))
    client = falcon.testing.TestClient(app)
    assert client.simulate_get("/x").json["error"] == {"code": exc.title, "message": english}
    assert client.simulate_get("/x", headers=ZH).json["error"] == {"code": exc.title, "message": chinese}


def test_falcon_own_errors_are_translated_by_their_code():
    app = falcon.App()
    install_error_handling(app)
    app.add_route("/x", Raises(ApiError(falcon.HTTP_404, "unused")))
    result = falcon.testing.TestClient(app).simulate_delete("/x", headers=ZH)
    assert result.status_code == 405
    assert result.json["error"] == {"code": "method_not_allowed", "message": "此路由不支持该请求方法"}


def test_every_message_id_the_ingress_raises_has_a_chinese_entry():
    raised = set()
    for path in INGRESS.rglob("*.py"):
        raised |= set(re.findall(r'message_id="([\w.]+)"', path.read_text(encoding="utf-8")))
    raised |= set(VALIDATION_MESSAGES.values())
    catalogue = json.loads((LOCALES_DIR / "zh-CN.json").read_text(encoding="utf-8"))
    assert raised, "the ingress names its messages"
    assert raised <= set(catalogue), f"no Chinese for {sorted(raised - set(catalogue))}"
    for message_id, text in catalogue.items():
        names = set(re.findall(r"\{(\w+)\}", text))
        assert translate(message_id, "zh-CN", dict.fromkeys(names, "x")) is not None, message_id
