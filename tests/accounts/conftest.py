"""Fixtures for several accounts: a sandbox that knows a second Official Account (``sales``) besides the demo's,
and a deployment whose ``third.accounts`` names it (the seed's blocks stay the demo's, the ``default``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import falcon.testing
import pytest

from config import demo
from config.settings import ThirdSettings
from core.runtime import Runtime
from ingress import create_app
from sandbox.server import serve_in_thread
from tests.sandbox_support import ServedSandbox, demo_settings

SECRET_KEY = "test-secret-key-for-accounts"
FAST = {"backoff_base_seconds": 0.05, "backoff_max_seconds": 0.3, "rate_margin_seconds": 0.3,
        "outbox_grace_seconds": 1.0, "send_result_delay_seconds": 0.0}

#: The second Official Account, an entry of ``third.accounts`` (its API base is added per deployment).
SALES: dict[str, Any] = {
    "code": "sales", "platform": "wechat", "app_id": "wxsales000000001", "app_secret": "sales-wechat-secret",
    "token": "salestoken", "encoding_aes_key": "4E6ykCDqqWHpnTFiY16f6VhcWhEhvYh4TBN4qog3GVw",
}
#: A second WeCom app (another corp), for its portal only: no sandbox API calls.
SUPPORT: dict[str, Any] = {
    "code": "support", "platform": "wecom", "corp_id": "wwsupport0000001", "corp_secret": "support-wecom-secret",
    "agent_id": 1000009, "token": "supporttoken", "encoding_aes_key": "oYYDCG5b3534jMyfWgg/7Qk+gZl26HRWt02vy9cBERQ",
}
#: An Official Account the sandbox knows but the config does not: operators add it through the API.
CRM_SECRET = "crm-wechat-secret"
CRM_TOKEN = "crmtoken"
CRM_APP = {"code": "crm", "platform": "wechat", "app_id": "wxcrm00000000001", "app_secret": CRM_SECRET}
#: A second WeCom app of the demo corp, and a second DingTalk app: both known to the sandbox.
OPS: dict[str, Any] = {"code": "ops", "platform": "wecom", "corp_id": demo.WECOM_CORP_ID,
                       "corp_secret": "ops-wecom-secret", "agent_id": 1000010}
HR: dict[str, Any] = {"code": "hr", "platform": "ding-talk", "app_key": "dinghr0000000001",
                      "app_secret": "hr-dingtalk-secret", "agent_id": 4040}


@contextlib.contextmanager
def sandbox_knowing(*accounts: dict[str, Any]) -> Iterator[ServedSandbox]:
    """The sandbox, served in a thread, knowing the demo apps and ``accounts`` (``third.accounts`` entries)."""
    import httpx

    settings = demo_settings()
    known = ThirdSettings(accounts=list(accounts)).accounts
    settings.third = settings.third.model_copy(update={"accounts": known})
    url, stop = serve_in_thread(settings, port=0)
    try:
        with httpx.Client(base_url=f"{url}/_sandbox", timeout=10) as control:
            yield ServedSandbox(url, control)
    finally:
        stop()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ServedSandbox]:
    """The sandbox, knowing the demo apps, the ``sales`` account and the ``crm`` app."""
    with sandbox_knowing(SALES, CRM_APP, OPS, HR) as served:
        yield served


@pytest.fixture
def extra_accounts(sandbox) -> list[dict[str, Any]]:
    """``third.accounts`` of the deployment; override in a module for others."""
    return [{**SALES, "api_base_url": f"{sandbox.url}/wechat"}, {**SUPPORT, "api_base_url": f"{sandbox.url}/wecom"},
            {**OPS, "api_base_url": f"{sandbox.url}/wecom"}, {**HR, "api_base_url": f"{sandbox.url}/dingtalk"}]


@pytest.fixture
def runtime(make_settings, database_url, sandbox, control, redis_client, extra_accounts) -> Iterator[Runtime]:
    settings = make_settings(database_url, sandbox=sandbox.section, security={"secret_key": SECRET_KEY},
                             notifications=FAST, third={"accounts": extra_accounts})
    runtime = Runtime.from_settings(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def client(runtime) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(create_app(runtime.settings, runtime))
