"""``imbridge up`` as a user runs it: everything starts, a ping goes through, SIGTERM leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import redis

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


def start_up(directory: Path) -> tuple[subprocess.Popen, str]:
    """``imbridge up`` in ``directory`` with no config (demo mode), on free ports; its output piped. Its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMBRIDGE_") and k != "REDIS_URL"}
    env.update(IMBRIDGE_INGRESS__PORT=str(port), IMBRIDGE_SANDBOX__PORT=str(free_port()))
    up = subprocess.Popen([sys.executable, "-m", "imbridge", "up"], cwd=directory, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return up, f"http://127.0.0.1:{port}"


@pytest.mark.timeout(90)
def test_up_runs_everything_and_stops_without_orphans(tmp_path):
    up, base = start_up(tmp_path)
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


def modes(root: Path) -> dict[str, int]:
    """Every directory and file under ``root`` (itself included), relative path -> permission bits."""
    found = {".": root.stat().st_mode & 0o777}
    for path in root.rglob("*"):
        if not path.is_symlink():
            found[str(path.relative_to(root))] = path.stat().st_mode & 0o777
    return found


@pytest.mark.timeout(90)
def test_up_keeps_var_to_its_owner_locks_valkey_and_prints_no_key_to_a_pipe(tmp_path):
    var = tmp_path / "var"
    (var / "valkey").mkdir(parents=True)  # what an earlier version left: world-readable
    var.chmod(0o755)
    (var / "valkey").chmod(0o755)
    (var / "secret.key").write_text("an-earlier-generated-secret-key-0123456789")
    (var / "secret.key").chmod(0o644)
    up, base = start_up(tmp_path)
    try:
        assert wait_for(lambda: httpx.get(f"{base}/readyz").status_code == 200, 45, ignoring=httpx.HTTPError)
        key = (var / "demo-api-key").read_text().strip()
        httpx.post(f"{base}/api/v1/ping", headers={"Authorization": f"Bearer {key}"}).raise_for_status()  # a write
        found = modes(var)
        assert {"imbridge.db", "imbridge.db-wal", "secret.key", "demo-api-key", "redis-url", "valkey/password",
                "valkey/appendonlydir", "metrics"} <= set(found), sorted(found)
        assert any(name.endswith(".aof") for name in found)
        loose = {name: oct(mode) for name, mode in found.items()
                 if mode != (0o700 if (var / name).is_dir() else 0o600)}
        assert loose == {}, "var/ must be its owner's alone"

        password = (var / "valkey" / "password").read_text().strip()
        url = (var / "redis-url").read_text().strip()
        assert url.startswith(f"redis://imbridge:{password}@127.0.0.1:")
        with pytest.raises(redis.exceptions.NoPermissionError):  # only PING without the password
            redis.Redis(port=int(url.rsplit(":", 1)[1].split("/")[0]), socket_timeout=5).get("x")
        assert redis.Redis.from_url(url, socket_timeout=5).ping()
        # Demo mode reached the children: the ingress serves the WeCom portal with the demo's credentials.
        assert httpx.get(f"{base}/wecom/portal").json()["error"]["code"] != "not_configured"
        # One metrics directory for every child: the ingress's /metrics counts what the worker process sent.
        sent = httpx.post(f"{base}/api/v1/notifications", headers={"Authorization": f"Bearer {key}"},
                          json={"channel": "dingtalk_work", "to": {"users": ["manager01"]},
                                "message": {"msgtype": "text", "text": {"content": "counted"}}})
        assert sent.status_code == 202, sent.text
        assert wait_for(lambda: 'imbridge_notifications_total{channel="dingtalk_work",status="sent"} 1.0'
                        in httpx.get(f"{base}/metrics").text, 60)
    finally:
        up.send_signal(signal.SIGTERM)
        output, _ = up.communicate(timeout=30)
    assert up.returncode == 0, output
    assert "imbridge is up" in output and "var/demo-api-key" in output
    assert key not in output, "the admin key goes only to a terminal (logs keep what a pipe carries)"
    assert password not in output


@pytest.mark.parametrize("terminal", [True, False])
def test_the_banner_shows_the_admin_key_on_a_terminal_only(make_settings, sqlite_url, capsys, monkeypatch, terminal):
    from imbridge.up import print_banner

    settings = make_settings(sqlite_url)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: terminal)
    print_banner(settings, "the-demo-admin-key-0123456789", sandbox=False, embedded=None)
    out = capsys.readouterr().out
    assert ("the-demo-admin-key-0123456789" in out) is terminal
    assert str(settings.var_dir / "demo-api-key") in out
    assert settings.redis.url not in out or "@" not in settings.redis.url  # a password shows masked


def test_the_banner_names_the_command_as_it_was_run_and_the_ingress_when_not_the_default(
        make_settings, sqlite_url, capsys, monkeypatch):
    from imbridge.up import print_banner

    settings = make_settings(sqlite_url, sandbox={"enabled": True}, ingress={"port": 8123})
    monkeypatch.setattr(sys, "argv", [".venv/bin/imbridge", "up"])
    monkeypatch.setenv("PATH", "/nonexistent")  # not on PATH: the README's `.venv/bin/imbridge` is what works
    print_banner(settings, "k" * 30, sandbox=True, embedded=None)
    out = capsys.readouterr().out
    assert ".venv/bin/imbridge send --channel dingtalk_robot" in out
    assert ".venv/bin/imbridge sandbox scan --key <key shown on the page> --ingress http://127.0.0.1:8123" in out


def test_the_supervisor_shows_the_banner_only_once_the_ingress_answers():
    """``up``'s banner promised addresses that did not answer yet for about 3 s; now it waits for the ingress."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from imbridge.supervisor import Child, Supervisor, wait_until_answering

    port = free_port()
    supervisor = Supervisor([Child("sleeper", [sys.executable, "-c", "import time; time.sleep(30)"])], {})
    supervisor.start()
    try:
        assert not wait_until_answering(f"http://127.0.0.1:{port}/healthz", supervisor, timeout=0.5)

        class Healthy(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", port), Healthy)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            assert wait_until_answering(f"http://127.0.0.1:{port}/healthz", supervisor, timeout=10)
        finally:
            server.shutdown()
        supervisor.request_stop()
        assert not wait_until_answering(f"http://127.0.0.1:{port}/healthz", supervisor, timeout=10)  # at once
    finally:
        supervisor.stop()
