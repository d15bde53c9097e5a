"""Fixtures for the WeChat admin suite: a sandbox, the ingress with admin and notify keys, an in-process worker.

Jobs and records are read back through the API; what reached the "platform" through the sandbox's journal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import falcon.testing
import httpx
import pytest

from core.runtime import Runtime
from ingress import create_app
from tests.keys import bearer
from tests.waiting import wait_for

SECRET_KEY = "test-secret-key-for-wechat-admin"
#: Fast retries for tests: the budget is the same shape, only shorter.
FAST_JOBS = {"backoff_base_seconds": 0.05, "backoff_max_seconds": 0.2, "sweep_grace_seconds": 1.0}
FAST_NOTIFICATIONS = {"backoff_base_seconds": 0.05, "backoff_max_seconds": 0.3, "outbox_grace_seconds": 1.0}


@pytest.fixture
def job_settings() -> dict[str, Any]:
    """Override in a module for other budgets."""
    return dict(FAST_JOBS)


@pytest.fixture
def runtime(make_settings, database_url, sandbox, control, redis_client, job_settings) -> Iterator[Runtime]:
    settings = make_settings(database_url, sandbox=sandbox.section,
                             security={"secret_key": SECRET_KEY}, jobs=job_settings,
                             notifications=FAST_NOTIFICATIONS)
    runtime = Runtime.from_settings(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def app(runtime) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(create_app(runtime.settings, runtime))


class Api:
    """The admin API as an operator's key sees it."""

    def __init__(self, client: falcon.testing.TestClient, key: str) -> None:
        self.client = client
        self.headers = bearer(key)

    def get(self, path: str, **kwargs: Any) -> falcon.testing.Result:
        return self.client.simulate_get(path, headers=self.headers, **kwargs)

    def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None,
             **kwargs: Any) -> falcon.testing.Result:
        return self.client.simulate_post(path, json=json, headers={**self.headers, **(headers or {})}, **kwargs)

    def put(self, path: str, json: Any) -> falcon.testing.Result:
        return self.client.simulate_put(path, json=json, headers=self.headers)

    def patch(self, path: str, json: Any) -> falcon.testing.Result:
        return self.client.simulate_patch(path, json=json, headers=self.headers)

    def delete(self, path: str) -> falcon.testing.Result:
        return self.client.simulate_delete(path, headers=self.headers)

    def upload(self, files: dict[str, tuple[str, bytes, str]], data: dict[str, str] | None = None,
               path: str = "/api/v1/wechat/media") -> falcon.testing.Result:
        request = httpx.Request("POST", "http://ingress/", files=files, data=data)
        return self.client.simulate_post(path, body=request.read(), headers={
            **self.headers, "Content-Type": request.headers["Content-Type"]})

    def job(self, job_id: str, timeout: float = 60.0) -> dict[str, Any]:
        """Wait until the job is finished; its record. (A sync of 2,500 followers took over 20 s on a busy machine.)"""
        def final() -> dict[str, Any] | None:
            result = self.get(f"/api/v1/jobs/{job_id}")
            assert result.status_code == 200, result.text
            return result.json if result.json["status"] in ("succeeded", "failed") else None
        return wait_for(final, timeout)

    def run(self, method: str, path: str, json: Any = None) -> dict[str, Any]:
        """Start a job and wait for it; its finished record."""
        result = getattr(self, method)(path, json) if json is not None else getattr(self, method)(path)
        assert result.status_code == 202, result.text
        assert result.headers["Location"] == f"/api/v1/jobs/{result.json['jobId']}"
        return self.job(result.json["jobId"])


@pytest.fixture
def api(app, keys) -> Api:
    return Api(app, keys["admin"])


@pytest.fixture
def notify_api(app, keys) -> Api:
    return Api(app, keys["notify"])


@pytest.fixture
def worker_threads() -> int:
    """The shared ``worker`` fixture (tests/conftest.py) runs four threads here."""
    return 4


def queued_messages(runtime: Runtime) -> set[bytes]:
    """The ids of the messages waiting on the broker's queues. A refused request must add none: compare with
    ``<=``, since the worker may take one that was waiting in between."""
    keys = [k for k in runtime.redis.keys("imbridge-dramatiq:*") if k.endswith(b".msgs")]
    return {message_id for key in keys for message_id in runtime.redis.hkeys(key)}


def job_count(runtime: Runtime) -> int:
    from sqlalchemy import func, select

    from models.jobs import Job

    with runtime.database.session() as session:
        return session.scalar(select(func.count()).select_from(Job)) or 0



@pytest.fixture
def login_template(api, worker) -> dict:
    """The sandbox's login template, synced and given the code ``login``."""
    from sandbox.wechat.seeds import LOGIN_TEMPLATE_ID

    api.run("post", "/api/v1/wechat/templates/sync")
    login = next(t for t in api.get("/api/v1/wechat/templates").json["items"] if t["templateId"] == LOGIN_TEMPLATE_ID)
    api.patch(f"/api/v1/wechat/templates/{login['id']}", {"code": "login"})
    return login
