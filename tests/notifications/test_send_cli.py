"""``imbridge send``: the shell's way to accept and enqueue a notification."""

from __future__ import annotations

import json

import pytest

from imbridge.cli import build_parser, main
from imbridge.send import build_request
from tests.notifications.conftest import SECRET_KEY
from tests.notifications.media import PDF
from tests.sandbox_support import journal


@pytest.fixture
def shell_env(monkeypatch, runtime, tmp_path):
    settings = runtime.settings
    monkeypatch.setenv("IMBRIDGE_REDIS__URL", settings.redis.url)
    monkeypatch.setenv("IMBRIDGE_DATABASE__URL", settings.database_url)
    monkeypatch.setenv("IMBRIDGE_SECURITY__SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("IMBRIDGE_SANDBOX__ENABLED", "true")
    monkeypatch.setenv("IMBRIDGE_SANDBOX__HOST", settings.sandbox.host)
    monkeypatch.setenv("IMBRIDGE_SANDBOX__PORT", str(settings.sandbox.port))
    monkeypatch.setenv("IMBRIDGE_VAR_DIR", str(tmp_path / "var"))


def parse(*argv: str):
    return build_parser().parse_args(["send", *argv])


def test_arguments_describe_the_rest_body(tmp_path):
    report = tmp_path / "report.pdf"
    report.write_bytes(PDF)
    assert build_request(parse("--channel", "wecom_robot", "--robot", "ops", "--markdown", "**ok**")) == {
        "channel": "wecom_robot", "robot": "ops", "message": {"msgtype": "markdown", "markdown": {"content": "**ok**"}}}
    work = build_request(parse("--channel", "dingtalk_work", "--to-users", "a, b", "--to-departments", "7",
                               "--file", str(report)))
    assert work["to"] == {"users": ["a", "b"], "departments": ["7"]}
    assert work["message"]["file"]["media"]["filename"] == "report.pdf"
    assert work["message"]["file"]["media"]["contentType"] == "application/pdf"
    templated = build_request(parse("--channel", "wecom_app", "--to-all", "--template", "deploy", "--var", "app=crm"))
    assert templated["template"] == {"code": "deploy", "variables": {"app": "crm"}}
    assert templated["to"] == {"all": True}


def test_send_records_enqueues_and_waits_for_the_outcome(shell_env, robots, worker, capsys, control):
    code = main(["send", "--channel", "dingtalk_robot", "--robot", "ding", "--text", "from the shell", "--wait"])
    out = capsys.readouterr().out
    assert code == 0, out
    record = json.loads(out[out.index("{"):])
    assert record["status"] == "sent" and record["source"] == "cli"
    [entry] = journal(control, "/robot/send")
    assert entry["json"] == {"msgtype": "text", "text": {"content": "from the shell"}}


def test_invalid_notification_is_explained_and_nothing_is_recorded(shell_env, robots, capsys, runtime):
    code = main(["send", "--channel", "dingtalk_robot", "--robot", "nope", "--text", "x"])
    assert code == 2
    assert "robot: no dingtalk robot with code 'nope'" in capsys.readouterr().err
    assert main(["send", "--channel", "dingtalk_robot"]) == 2
