"""Fixtures for the sandbox suite: demo settings, a fresh sandbox per test, token and upload helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from falcon.testing import Result, TestClient

import config
from config import Settings
from sandbox import SandboxOptions, SandboxState, create_app


@pytest.fixture
def settings() -> Settings:
    """The demo credentials, pointing at the sandbox."""
    return config.load_settings(sandbox={"enabled": True})


@pytest.fixture
def options() -> SandboxOptions:
    """Override in a module to start the sandbox with other knobs."""
    return SandboxOptions()


@pytest.fixture
def state(settings: Settings, options: SandboxOptions) -> SandboxState:
    return SandboxState.from_settings(settings, options, seed=7)


@pytest.fixture
def client(settings: Settings, state: SandboxState) -> TestClient:
    return TestClient(create_app(settings, state))


def multipart(files: dict[str, tuple[str, bytes, str]], data: dict[str, str] | None = None) -> dict[str, Any]:
    """``simulate_post`` keyword arguments for a multipart upload (falcon's TestClient has no helper)."""
    request = httpx.Request("POST", "http://sandbox/", files=files, data=data)
    return {"body": request.read(), "headers": {"Content-Type": request.headers["Content-Type"]}}


def last_entry(client: TestClient, path: str) -> dict[str, Any]:
    entries = client.simulate_get("/_sandbox/journal", params={"path": path}).json["entries"]
    assert entries, f"nothing journaled for {path}"
    return entries[-1]


@pytest.fixture
def wechat_token(client: TestClient, settings: Settings) -> Callable[[], str]:
    def fetch() -> str:
        result = client.simulate_get("/wechat/cgi-bin/token", params={
            "grant_type": "client_credential", "appid": settings.third.wechat.app_id,
            "secret": settings.third.wechat.app_secret})
        return result.json["access_token"]
    return fetch


@pytest.fixture
def wecom_token(client: TestClient, settings: Settings) -> str:
    result = client.simulate_get("/wecom/cgi-bin/gettoken", params={
        "corpid": settings.third.wecom.corp_id, "corpsecret": settings.third.wecom.corp_secret})
    return result.json["access_token"]


@pytest.fixture
def dingtalk_token(client: TestClient, settings: Settings) -> str:
    return fetch_dingtalk_token(client, settings)


def fetch_dingtalk_token(client: TestClient, settings: Settings) -> str:
    result = client.simulate_get("/dingtalk/gettoken", params={
        "appkey": settings.third.ding_talk.app_key, "appsecret": settings.third.ding_talk.app_secret})
    return result.json["access_token"]


@pytest.fixture
def dingtalk_v1_token(client: TestClient, settings: Settings) -> str:
    """A token of DingTalk's v1.0 API (sent in the ``x-acs-dingtalk-access-token`` header)."""
    result = client.simulate_post("/dingtalk/v1.0/oauth2/accessToken", json={
        "appKey": settings.third.ding_talk.app_key, "appSecret": settings.third.ding_talk.app_secret})
    assert result.status_code == 200, result.text
    return result.json["accessToken"]


def errcode(result: Result) -> int:
    """The errcode of an answer, which must come with HTTP 200 like the platforms'."""
    assert result.status_code == 200, result.text
    return result.json.get("errcode", 0)
