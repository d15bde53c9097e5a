"""Both producer clients refuse bad input before sending: an API key that would fail inside the HTTP library (whose
error quotes the header, the key with it), negative retries, and ids that would reach another route."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from imbridge_client import ApiError, Client

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "clients" / "java" / "src" / "main" / "java"
#: Looks like a key `imbridge apikey create` prints; never a real one.
KEY = "imb_inputcheck_0123456789abcdefghij"


class Recorder:
    """A server that answers every request 404 with imbridge's error envelope and keeps the paths it was asked."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                recorder.paths.append(self.path)
                body = json.dumps({"error": {"code": "not_found", "message": "no such record"}}).encode()
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.mark.parametrize("key", [KEY + "\n", f" {KEY}", "", None])
def test_the_python_client_refuses_a_key_it_could_not_send_without_quoting_it(recorder, key):
    with pytest.raises(ValueError) as refused:
        Client(recorder.url, key)
    assert KEY not in str(refused.value) and "line break" in str(refused.value)
    assert recorder.paths == []


def test_the_python_client_refuses_negative_retries(recorder):
    with pytest.raises(ValueError, match="retries"):
        Client(recorder.url, KEY, retries=-1)


def test_python_ids_stay_on_their_route(recorder):
    with Client(recorder.url, KEY) as client:
        for call in (lambda: client.get("../apikeys"), lambda: client.group("x/../../apikeys"),
                     lambda: client.get("n1?status=sent")):
            with pytest.raises(ApiError):
                call()
        for empty in ("", ".", ".."):
            with pytest.raises(ValueError):
                client.get(empty)
    assert recorder.paths == ["/api/v1/notifications/..%2Fapikeys", "/api/v1/notification-groups/x%2F..%2F..%2Fapikeys",
                              "/api/v1/notifications/n1%3Fstatus%3Dsent"]


@pytest.mark.skipif(shutil.which("javac") is None or shutil.which("java") is None, reason="no JDK here")
def test_the_java_client_refuses_a_bad_key_without_quoting_it_and_keeps_ids_on_their_route(recorder, tmp_path):
    check = Path(__file__).parent / "java" / "InputCheck.java"
    sources = [str(p) for p in sorted(SOURCES.rglob("*.java"))] + [str(check)]
    built = subprocess.run(["javac", "-Xlint:all", "-Werror", "-d", str(tmp_path), *sources], capture_output=True,
                           text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    ran = subprocess.run(["java", "-cp", str(tmp_path), "InputCheck", recorder.url, KEY], capture_output=True,
                         text=True, timeout=120)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert KEY not in ran.stdout + ran.stderr
    seen = json.loads(ran.stdout.strip().splitlines()[-1])
    for name in ("newlineKey", "nullKey", "dotDot"):
        assert seen[name].startswith("IllegalArgumentException"), seen
    assert seen["traversal"] == seen["recall"] == "ImbridgeException 404"
    assert recorder.paths == ["/api/v1/notifications/..%2Fapikeys",
                              "/api/v1/notifications/x%2F..%2F..%2Fapikeys/recall"]
