"""One demo-mode app for the security suites, with an admin and a notify key (built once per module)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import falcon
import falcon.testing
import pytest

from core.runtime import Runtime
from ingress import create_app
from models import Scope
from models.api_clients import create_api_client


@dataclass(frozen=True)
class KeyedApp:
    app: falcon.App
    client: falcon.testing.TestClient
    admin: str
    notify: str


@pytest.fixture(scope="module")
def keyed_app(tmp_path_factory, redis_url) -> Iterator[KeyedApp]:
    from config import load_settings
    from models.db import Database
    from models.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'imbridge.db'}"
    upgrade(Database(url))
    settings = load_settings(None, sandbox={"enabled": True}, redis={"url": redis_url}, database={"url": url},
                             var_dir=str(tmp_path_factory.mktemp("var")), security={"secret_key": "k" * 32})
    runtime = Runtime.from_settings(settings)
    with runtime.database.session() as session:
        _, admin = create_api_client(session, "admin", Scope.ADMIN)
        _, notify = create_api_client(session, "notify", Scope.NOTIFY)
    app = create_app(settings, runtime)
    yield KeyedApp(app, falcon.testing.TestClient(app), admin, notify)
    runtime.close()
