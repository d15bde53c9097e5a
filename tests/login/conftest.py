"""Login fixtures: the real ingress app, a real Redis and database, an in-process Dramatiq worker, and the
sandbox (served on a free port) as WeChat. ``sandbox.callbacks`` plays the phone that scans."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import falcon.testing
import httpx
import pytest

from config import load_settings
from core.login import QrPool
from core.runtime import Runtime
from ingress import create_app
from sandbox import callbacks
from sandbox.server import serve_in_thread
from scheduler.jobs.qr_pool import top_up_qr_pool
from tests.waiting import wait_for

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
        login = {"pool_size": 3, "apply_wait_seconds": 2.0, **sections.pop("login", {})}
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
def pool(runtime) -> QrPool:
    return QrPool(runtime.redis, runtime.settings.login.pool_min_remaining_seconds)


@pytest.fixture
def filled_pool(runtime, tasks, pool, worker, sandbox) -> QrPool:
    """The pool topped up by the scheduler's job and the worker, as a running deployment keeps it."""
    top_up_qr_pool(runtime, tasks)
    wait_for(lambda: pool.size() >= runtime.settings.login.pool_size and not runtime.redis.exists(
        "imbridge:qr:minting"))
    return pool


# -- the browser's and the phone's side ------------------------------------------------------------------------

def apply(client) -> dict[str, Any]:
    result = client.simulate_post("/token/wechat/qr/applyQrCode")
    assert result.status_code == 200, result.text
    return result.json


def status(client, key: str, wait: int | None = None) -> str:
    params = {"qrCodeKey": key} if wait is None else {"qrCodeKey": key, "wait": str(wait)}
    result = client.simulate_get("/token/wechat/qr/getStatus", params=params)
    assert result.status_code == 200, result.text
    return result.json["status"]


def login(client, key: str, login_type: str = "weChat") -> falcon.testing.Result:
    return client.simulate_post("/token/login", json={"loginType": login_type, "authCode": key})


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
