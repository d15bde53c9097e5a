"""``imbridge send`` in remote mode: through a running imbridge's API with the Python client, from a directory
with no config, database or broker of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from imbridge.cli import build_parser
from imbridge.send_args import UsageError, build_request


def shell(tmp_path, *argv: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("IMBRIDGE_") and k not in ("REDIS_URL",
                                                                                               "DATABASE_URL")}
    return subprocess.run([sys.executable, "-m", "imbridge", "send", *argv], cwd=tmp_path, env={**clean, **env},
                          capture_output=True, text=True, timeout=90)


def test_remote_send_waits_for_the_outcome(imbridge, tmp_path):
    sent = shell(tmp_path, "--url", imbridge.url, "--api-key", imbridge.notify_key, "--channel", "dingtalk_robot",
                 "--robot", "demo-dingtalk", "--markdown", "**remote** send", "--title", "Remote", "--wait")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    record = json.loads(sent.stdout.split("\n", 1)[1])
    assert record["status"] == "sent" and record["source"] == "rest"
    assert record["message"]["markdown"] == {"title": "Remote", "text": "**remote** send"}
    assert not (tmp_path / "var").exists(), "nothing of a local imbridge was made"


def test_remote_send_takes_url_and_key_from_the_environment_and_reports_problems(imbridge, tmp_path):
    env = {"IMBRIDGE_URL": imbridge.url, "IMBRIDGE_API_KEY": imbridge.notify_key}
    refused = shell(tmp_path, "--channel", "wecom_robot", "--robot", "no-such-robot", "--text", "x", **env)
    assert refused.returncode == 2
    assert "robot: no wecom robot with code 'no-such-robot'" in refused.stderr
    no_key = shell(tmp_path, "--channel", "wecom_robot", "--robot", "demo-wecom", "--text", "x",
                   IMBRIDGE_URL=imbridge.url)
    assert no_key.returncode == 2 and "IMBRIDGE_API_KEY" in no_key.stderr
    wrong = shell(tmp_path, "--channel", "wecom_robot", "--robot", "demo-wecom", "--text", "x",
                  IMBRIDGE_URL=imbridge.url, IMBRIDGE_API_KEY="imb_000000000000_wrong")
    assert wrong.returncode == 1 and "401 unauthorized" in wrong.stderr


def test_a_variable_without_a_template_is_refused():
    args = build_parser().parse_args(["send", "--channel", "wecom_robot", "--robot", "ops", "--text", "x",
                                      "--var", "app=crm"])
    with pytest.raises(UsageError, match="--template"):
        build_request(args)
