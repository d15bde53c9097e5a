"""A running imbridge for the clients' suites: ``imbridge up`` in demo mode (sandbox platforms, embedded Valkey,
SQLite), started once, as a producer's system would meet it: over HTTP only. It lasts the session, not the
package: pytest-xdist hands a worker this package's files between others', and a package-scoped ``up`` restarted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from config import demo
from tests.conftest import free_port
from tests.waiting import wait_for

#: A second DingTalk app and a second WeCom app of the demo corp (``third.accounts``): what ``account`` names.
SECOND_DINGTALK = {"code": "hr", "platform": "ding-talk", "app_key": "dingclientshr001",
                   "app_secret": "clients-hr-dingtalk-secret", "agent_id": 4041}
SECOND_WECOM = {"code": "ops", "platform": "wecom", "corp_id": demo.WECOM_CORP_ID,
                "corp_secret": "clients-ops-wecom-secret", "agent_id": 1000011}


@dataclass(frozen=True)
class Running:
    """Where the running imbridge answers, a ``notify`` key for producers, the admin key, the sandbox's URL."""

    url: str
    notify_key: str
    admin_key: str
    sandbox: str

    def journal(self, path: str) -> list[dict]:
        return httpx.get(f"{self.sandbox}/_sandbox/journal", params={"path": path}).json()["entries"]


@pytest.fixture(scope="session")
def imbridge(tmp_path_factory) -> Iterator[Running]:
    directory: Path = tmp_path_factory.mktemp("imbridge-up")
    port, sandbox_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMBRIDGE_") and k != "REDIS_URL"}
    env.update(IMBRIDGE_INGRESS__PORT=str(port), IMBRIDGE_SANDBOX__PORT=str(sandbox_port),
               # The tests' callback receivers listen on loopback, which webhooks refuse unless allowed.
               IMBRIDGE_WEBHOOKS__ALLOW_NETWORKS=json.dumps(["127.0.0.0/8"]),
               IMBRIDGE_WEBHOOKS__MIN_BACKOFF_MS="100",
               # Second accounts the sandbox plays too (it reads the same settings).
               IMBRIDGE_THIRD__ACCOUNTS=json.dumps([
                   {**SECOND_DINGTALK, "api_base_url": f"http://127.0.0.1:{sandbox_port}/dingtalk"},
                   {**SECOND_WECOM, "api_base_url": f"http://127.0.0.1:{sandbox_port}/wecom"}]))
    log = (directory / "up.log").open("w")
    up = subprocess.Popen([sys.executable, "-m", "imbridge", "up"], cwd=directory, env=env, stdout=log,
                          stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: httpx.get(f"{base}/readyz").status_code == 200, 60, ignoring=httpx.HTTPError)
        admin = (directory / "var" / "demo-api-key").read_text().strip()
        created = httpx.post(f"{base}/api/v1/apikeys", headers={"Authorization": f"Bearer {admin}"},
                             json={"name": "crm", "scope": "notify"})
        created.raise_for_status()
        yield Running(base, created.json()["key"], admin, f"http://127.0.0.1:{sandbox_port}")
    finally:
        up.send_signal(signal.SIGTERM)
        try:
            up.wait(timeout=30)
        finally:
            log.close()
    assert up.returncode == 0, (directory / "up.log").read_text()[-3000:]
