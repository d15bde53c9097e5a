"""The README's notification demo, as a newcomer runs it: ``imbridge up``, then curl and ``imbridge send``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(120)
def test_demo_robot_message_and_work_notification_go_through(tmp_path):
    port, sandbox_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMBRIDGE_") and k != "REDIS_URL"}
    env.update(IMBRIDGE_INGRESS__PORT=str(port), IMBRIDGE_SANDBOX__PORT=str(sandbox_port), PYTHONPATH=str(ROOT))
    up = subprocess.Popen([sys.executable, "-m", "imbridge", "up"], cwd=tmp_path, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base, sandbox = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{sandbox_port}"
    try:
        wait_for(lambda: httpx.get(f"{base}/readyz").status_code == 200, 60, ignoring=httpx.HTTPError)
        key = (tmp_path / "var" / "demo-api-key").read_text().strip()
        headers = {"Authorization": f"Bearer {key}"}
        accepted = httpx.post(f"{base}/api/v1/notifications", headers=headers, json={
            "channel": "dingtalk_robot", "robot": "demo-dingtalk",
            "message": {"msgtype": "markdown", "markdown": {"title": "Deploy", "text": "**crm** is live"}}})
        assert accepted.status_code == 202, accepted.text
        record = wait_for(lambda: (r := httpx.get(f"{base}/api/v1/notifications/{accepted.json()['id']}",
                                                  headers=headers).json())["status"] == "sent" and r, 30,
                          ignoring=httpx.HTTPError)
        assert record["history"][0]["outcome"] == "sent"
        sent = subprocess.run([sys.executable, "-m", "imbridge", "send", "--channel", "dingtalk_work",
                               "--to-users", "manager01", "--text", "月度报告已生成", "--wait"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90)
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert '"status": "sent"' in sent.stdout
        journal = httpx.get(f"{sandbox}/_sandbox/journal").json()["entries"]
        paths = [e["path"] for e in journal]
        assert "/dingtalk/robot/send" in paths and "/dingtalk/topapi/message/corpconversation/asyncsend_v2" in paths
    finally:
        up.send_signal(signal.SIGTERM)
        output, _ = up.communicate(timeout=30)
    assert up.returncode == 0, output
