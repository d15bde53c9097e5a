"""Login fixtures: the real ingress app, a real Redis and database, an in-process Dramatiq worker, and the
sandbox (served on a free port) as WeChat. ``sandbox.callbacks`` plays the phone that scans."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import falcon.testing
import httpx
import pytest
from dramatiq import Worker

from config import load_settings
from core.login import QrPool
from core.runtime import Runtime
from ingress import create_app
from models import Scope
from models.api_clients import create_api_client
from sandbox import callbacks
from sandbox.server import serve_in_thread
from scheduler.jobs.qr_pool import top_up_qr_pool
from tests.waiting import wait_for
from tests.worker_support import running_worker

OPENID = "oLoginFollower00000000000001"
STRANGER = "oLoginStranger00000000000001"


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    """One sandbox for the session, knowing the demo apps whatever an earlier test left in the environment."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("IMBRIDGE_")]:
            patch.delenv(name)
        settings = load_settings(None, sandbox={"enabled": True})
    url, stop = serve_in_thread(settings, port=0)
    yield url
    stop()


@pytest.fixture
def sandbox(sandbox_url: str) -> Iterator[httpx.Client]:
    """The sandbox's control API, reset for this test."""
    with httpx.Client(base_url=f"{sandbox_url}/_sandbox", timeout=10) as control:
        control.post("/reset").raise_for_status()
        yield control


@pytest.fixture
def login_settings(make_settings, database_url, redis_client, sandbox_url):
    """Settings of a deployment whose WeChat is the sandbox; tests pass ``login={...}`` to change the login part."""

    def build(**sections: Any):
        host, port = sandbox_url.removeprefix("http://").split(":")
        sections.setdefault("security", {"secret_key": "login-tests-secret-key"})
        sections.setdefault("sandbox", {"host": host, "port": int(port)})
        login = {"pool_size": 3, "pool_min_size": 3, "apply_wait_seconds": 2.0, **sections.pop("login", {})}
        return make_settings(database_url, login=login, **sections)

    return build


@pytest.fixture
def login_overrides() -> dict[str, Any]:
    """Override in a test module (or with ``pytest.mark.parametrize``) to change ``login.*``."""
    return {}


@pytest.fixture
def sections() -> dict[str, Any]:
    """Other settings sections of the deployment (``pytest.mark.parametrize`` it), e.g. ``portal`` or ``third``."""
    return {}


@pytest.fixture
def runtime(login_settings, login_overrides, sections) -> Iterator[Runtime]:
    rt = Runtime.from_settings(login_settings(login=login_overrides, **sections))
    yield rt
    rt.close()


@pytest.fixture
def app(runtime):
    return create_app(runtime.settings, runtime)


@pytest.fixture
def client(app) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(app)


@pytest.fixture
def worker(runtime) -> Iterator[Worker]:
    """An in-process Dramatiq worker on the test's Redis, running the test's runtime."""
    with running_worker(runtime, threads=2) as worker:
        yield worker


@pytest.fixture
def pool(runtime) -> QrPool:
    return QrPool.from_settings(runtime.redis, runtime.settings.login)


@pytest.fixture
def filled_pool(runtime, tasks, pool, worker, sandbox) -> QrPool:
    """The pool topped up by the scheduler's job and the worker, as a running deployment keeps it."""
    top_up_qr_pool(runtime, tasks)
    wait_for(lambda: pool.size() >= runtime.settings.login.pool_size and not runtime.redis.exists(
        "imbridge:qr:minting"))
    return pool


@pytest.fixture
def admin(runtime) -> dict[str, str]:
    with runtime.database.session() as session:
        _, key = create_api_client(session, "admin", Scope.ADMIN)
    return {"Authorization": f"Bearer {key}"}


# -- the browser's and the phone's side ------------------------------------------------------------------------

def code(result: falcon.testing.Result) -> int:
    """The seed envelope's ``code`` (0: success); a failure short of an outage is an HTTP 200 that names it."""
    assert set(result.json) >= {"code", "msg", "data"}, result.text
    if result.json["code"] != 0:
        assert result.json["msg"] and result.json["traceId"], result.text
        assert result.status_code in (200, 503), result.text
    else:
        assert result.status_code == 200, result.text
    return result.json["code"]


def data(result: falcon.testing.Result) -> Any:
    """The ``data`` of a successful answer."""
    assert code(result) == 0, result.text
    return result.json["data"]


def apply(client) -> dict[str, Any]:
    return data(client.simulate_post("/token/wechat/qr/applyQrCode"))


def status(client, key: str, wait: int | None = None) -> str:
    params = {"qrCodeKey": key} if wait is None else {"qrCodeKey": key, "wait": str(wait)}
    return data(client.simulate_get("/token/wechat/qr/getStatus", params=params))


def login(client, key: str, login_type: str = "weChat") -> falcon.testing.Result:
    """imbridge's own pages' way: the parameters as JSON (the seed's client sends them in the query string)."""
    return client.simulate_post("/token/login", json={"loginType": login_type, "authCode": key})


def token(result: falcon.testing.Result) -> dict[str, str]:
    """The headers that carry the token a successful login answered, as the seed's client sends it."""
    return {"AccessToken": data(result)}


def scan(client, settings, key: str, openid: str = OPENID, *, existing: bool = False,
         sandbox_url: str | None = None) -> dict[str, str] | None:
    """The phone scans the code of ``key``: WeChat posts the event to the portal; returns the chat reply."""
    ticket = callbacks.find_ticket(sandbox_url, f"login_{key}") if sandbox_url else None
    fields = callbacks.scan_fields(settings, key, openid, existing=existing, ticket=ticket)
    request = callbacks.build_wechat_callback(settings, fields)
    result = client.simulate_post(callbacks.WECHAT_PORTAL, params=request.params, body=request.body,
                                  headers={"Content-Type": "text/xml"})
    assert result.status_code == 200, result.text
    return callbacks.read_reply(result, settings)


def create_user(client, admin, username: str, *bindings: tuple[str, str], **extra: Any) -> dict[str, Any]:
    created = client.simulate_post("/api/v1/users", headers=admin, json={"username": username, **extra})
    assert created.status_code == 201, created.text
    for platform, openid in bindings:
        bound = client.simulate_post(f"/api/v1/users/{created.json['id']}/bindings", headers=admin,
                                     json={"platform": platform, "openid": openid})
        assert bound.status_code == 201, bound.text
    return created.json
