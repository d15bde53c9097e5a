"""Serving: the threaded test server and the granian process behind ``imbridge sandbox``."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from sandbox import SandboxState
from sandbox.server import serve_in_thread, server_options
from tests.conftest import free_port
from tests.waiting import wait_for, wait_until_up

ROOT = Path(__file__).resolve().parents[2]


def test_serve_in_thread_answers_over_http(settings):
    url, stop = serve_in_thread(settings)
    try:
        answer = httpx.get(f"{url}/wechat/cgi-bin/token", params={
            "grant_type": "client_credential", "appid": settings.third.wechat.app_id,
            "secret": settings.third.wechat.app_secret}).json()
        assert set(answer) == {"access_token", "expires_in"}
        journal = httpx.get(f"{url}/_sandbox/journal").json()["entries"]
        assert journal[-1]["path"] == "/wechat/cgi-bin/token"
    finally:
        stop()


def test_a_held_request_does_not_block_others_and_stop_lets_it_go(settings):
    state = SandboxState.from_settings(settings)
    url, stop = serve_in_thread(settings, state=state)
    state.faults.add({"pattern": "/wecom/*", "kind": "timeout", "hold_seconds": 30})
    held: list[int] = []
    thread = threading.Thread(target=lambda: held.append(httpx.get(f"{url}/wecom/cgi-bin/gettoken",
                                                                   timeout=60).status_code))
    thread.start()
    try:
        wait_for(lambda: state.faults.rules()[0].hits, interval=0.01)
        assert httpx.get(f"{url}/_sandbox/health").json()["ok"] is True
        assert thread.is_alive()
    finally:
        stop()
    thread.join(timeout=10)
    assert held == [504]


def test_server_options_one_worker_process_many_threads(settings):
    options = server_options(settings)
    assert options["workers"] == 1 and options["blocking_threads"] >= 32
    assert (options["address"], options["port"]) == (settings.sandbox.host, settings.sandbox.port)


def test_imbridge_sandbox_serve_runs_granian(tmp_path):
    port = free_port()
    env = {**os.environ, "IMBRIDGE_SANDBOX__PORT": str(port), "PYTHONPATH": str(ROOT)}
    script = ("import argparse, config; from imbridge import sandbox_args; from sandbox import cli; "
              "p = argparse.ArgumentParser(); "
              "sandbox_args.configure_parser(p); "
              "raise SystemExit(cli.run(p.parse_args([]), config.load_settings(demo_by_default=True)))")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}", process, path="/_sandbox/health")
        assert httpx.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=5).json()["ok"] is True
    finally:
        process.terminate()
        process.wait(timeout=10)
