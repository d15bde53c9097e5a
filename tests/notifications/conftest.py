"""Fixtures for the notifications suite: a sandbox, the ingress, an in-process worker, demo robots.

The sandbox serves one module; each test resets it. Records are checked in the database, requests in the
sandbox's journal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import falcon.testing
import pytest

from config import demo
from core.runtime import Runtime
from ingress import create_app
from models.robots import Robot, seal_credentials
from models.secretbox import SecretBox
from tests.keys import bearer
from tests.waiting import wait_for

SECRET_KEY = "test-secret-key-for-notifications"
#: Fast retries for tests: the budget is the same shape, only shorter.
FAST = {"backoff_base_seconds": 0.05, "backoff_max_seconds": 0.3, "rate_margin_seconds": 0.3,
        "outbox_grace_seconds": 1.0, "send_result_delay_seconds": 0.0}


@pytest.fixture
def notification_settings() -> dict[str, Any]:
    """Override in a module for other limits."""
    return dict(FAST)


@pytest.fixture
def platform_settings() -> dict[str, Any]:
    """The ``platform-calls:`` section (our clients' timeouts); override in a module to shorten them."""
    return {}


@pytest.fixture
def runtime(make_settings, database_url, sandbox, control, redis_client, notification_settings,
            platform_settings) -> Iterator[Runtime]:
    settings = make_settings(database_url, sandbox=sandbox.section,
                             security={"secret_key": SECRET_KEY}, notifications=notification_settings,
                             platform_calls=platform_settings)
    runtime = Runtime.from_settings(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def app(runtime) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(create_app(runtime.settings, runtime))


@pytest.fixture
def robots(runtime) -> dict[str, str]:
    """The sandbox's demo robots, as operators would add them: codes ``ding`` (signed) and ``wecom``."""
    box = SecretBox(SECRET_KEY)
    with runtime.database.session() as session:
        ding = Robot(platform="dingtalk", code="ding", name="Ding demo")
        seal_credentials(ding, box, demo.DINGTALK_ROBOT_TOKEN, demo.DINGTALK_ROBOT_SECRET)
        wecom = Robot(platform="wecom", code="wecom", name="WeCom demo")
        seal_credentials(wecom, box, demo.WECOM_ROBOT_KEY, None)
        session.add_all([ding, wecom])
    return {"dingtalk": "ding", "wecom": "wecom"}


@pytest.fixture
def worker_threads() -> int:
    """The shared ``worker`` fixture (tests/conftest.py) runs four threads here."""
    return 4


@pytest.fixture
def post(app, keys) -> Callable[..., falcon.testing.Result]:
    def send(body: Any, key: str = "notify", headers: dict[str, str] | None = None) -> falcon.testing.Result:
        return app.simulate_post("/api/v1/notifications", json=body, headers={**bearer(keys[key]), **(headers or {})})
    return send


@pytest.fixture
def record(app, keys) -> Callable[[str], dict[str, Any]]:
    def get(delivery_id: str) -> dict[str, Any]:
        result = app.simulate_get(f"/api/v1/notifications/{delivery_id}", headers=bearer(keys["admin"]))
        assert result.status_code == 200, result.text
        return result.json
    return get


@pytest.fixture
def settled(app, keys) -> Callable[..., dict[str, Any]]:
    """Wait until a delivery exists and reaches a final status; returns its record."""
    def final(delivery_id: str) -> dict[str, Any] | None:
        result = app.simulate_get(f"/api/v1/notifications/{delivery_id}", headers=bearer(keys["admin"]))
        if result.status_code == 404:
            return None
        assert result.status_code == 200, result.text
        return result.json if result.json["status"] in ("sent", "failed", "dead") else None

    def wait(delivery_id: str, timeout: float = 20.0) -> dict[str, Any]:
        try:
            return wait_for(lambda: final(delivery_id), timeout)
        except AssertionError:
            last = app.simulate_get(f"/api/v1/notifications/{delivery_id}", headers=bearer(keys["admin"]))
            raise AssertionError(f"not final in {timeout} s: {last.text}") from None
    return wait
