"""``imbridge up`` as a user runs it: everything starts, a ping goes through, SIGTERM leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.processes import descendants
from tests.waiting import wait_for


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.timeout(90)
def test_up_runs_everything_and_stops_without_orphans(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMBRIDGE_") and k != "REDIS_URL"}
    env.update(IMBRIDGE_INGRESS__PORT=str(port), IMBRIDGE_SANDBOX__PORT=str(free_port()))
    up = subprocess.Popen([sys.executable, "-m", "imbridge", "up"], cwd=tmp_path, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        ready = wait_for(lambda: httpx.get(f"{base}/readyz").status_code == 200, 45, ignoring=httpx.HTTPError)
        assert ready
        key = (tmp_path / "var" / "demo-api-key").read_text().strip()
        headers = {"Authorization": f"Bearer {key}"}
        ping_id = httpx.post(f"{base}/api/v1/ping", headers=headers).json()["id"]
        wait_for(lambda: httpx.get(f"{base}/api/v1/ping/{ping_id}", headers=headers).json()["status"] == "done", 30,
                 ignoring=httpx.HTTPError)
        assert (tmp_path / "var" / "valkey" / "appendonlydir").is_dir(), "embedded Valkey keeps an AOF under var/"
        processes = descendants(up.pid)
        assert len(processes) >= 4
    finally:
        up.send_signal(signal.SIGTERM)
        output, _ = up.communicate(timeout=30)
    assert up.returncode == 0, output
    assert "imbridge is up" in output
    left = [pid for pid in processes if alive(pid)]
    assert left == [], f"processes left behind: {left}"
