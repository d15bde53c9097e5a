"""Chunked request bodies (``Transfer-Encoding: chunked``, no ``Content-Length``) are read like sized ones,
bounded by the same limits, on REST and portals alike; a server that cannot end such a body is answered 411.

In-process, the WSGI environ is what a server hands over for a chunked request (the chunks already decoded,
``wsgi.input_terminated`` set); one test runs the real ``imbridge ingress`` and sends real chunked requests.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import falcon.testing
import httpx
import pytest

from core.runtime import Runtime
from ingress import create_app
from models import Scope
from models.api_clients import create_api_client
from sandbox import callbacks
from tests.conftest import free_port
from tests.waiting import stop_group, wait_until_up

TEMPLATE = {"code": "chunked", "name": "Chunked", "content": "hello ${who}"}


@pytest.fixture
def app(make_settings, sqlite_url, redis_client):
    settings = make_settings(sqlite_url, security={"secret_key": "chunked-tests-secret-key"},
                             ingress={"max_body_bytes": 4096})
    runtime = Runtime.from_settings(settings)
    with runtime.database.session() as session:
        _, key = create_api_client(session, "chunked", Scope.ADMIN)
    yield create_app(settings, runtime), {"Authorization": f"Bearer {key}"}, settings
    runtime.close()


def send_chunked(app, method: str, path: str, body: bytes, headers: dict[str, str], *, terminated: bool = True,
                 params: dict[str, str] | None = None) -> tuple[int, bytes]:
    """A request as a WSGI server passes on a chunked body: no CONTENT_LENGTH, the decoded bytes as input."""
    environ = falcon.testing.create_environ(path, query_string=urlencode(params or {}), method=method,
                                            headers={**headers, "Transfer-Encoding": "chunked"})
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BytesIO(body)
    if terminated:
        environ["wsgi.input_terminated"] = True
    start_response = falcon.testing.StartResponseMock()
    answer = b"".join(app(environ, start_response))
    return int(start_response.status.split()[0]), answer


def test_a_chunked_json_body_is_read(app):
    wsgi, admin, _ = app
    status, answer = send_chunked(wsgi, "POST", "/api/v1/notification-templates", json.dumps(TEMPLATE).encode(),
                                  {**admin, "Content-Type": "application/json"})
    assert status == 201, answer
    assert json.loads(answer)["code"] == "chunked"


def test_a_chunked_body_over_the_limit_is_413(app):
    wsgi, admin, _ = app
    big = json.dumps({**TEMPLATE, "content": "x" * 5000}).encode()
    status, answer = send_chunked(wsgi, "POST", "/api/v1/notification-templates", big,
                                  {**admin, "Content-Type": "application/json"})
    assert status == 413
    assert json.loads(answer)["error"]["code"] == "payload_too_large"


def test_a_chunked_body_on_a_server_that_cannot_end_it_is_411(app):
    wsgi, admin, _ = app
    status, answer = send_chunked(wsgi, "POST", "/api/v1/notification-templates", json.dumps(TEMPLATE).encode(),
                                  {**admin, "Content-Type": "application/json"}, terminated=False)
    assert status == 411
    assert json.loads(answer)["error"]["code"] == "length_required"


def test_a_chunked_portal_callback_is_read_and_answered(app):
    wsgi, _, settings = app
    request = callbacks.build_wechat_callback(settings, {
        "ToUserName": callbacks.original_id(settings), "FromUserName": "oChunked0000000000000000001",
        "CreateTime": int(time.time()), "MsgType": "text", "Content": "hi", "MsgId": 8001}, safe=True)
    status, answer = send_chunked(wsgi, "POST", callbacks.WECHAT_PORTAL, request.body.encode(),
                                  {"Content-Type": "text/xml"}, params=request.params)
    assert status == 200, answer


def test_a_chunked_portal_callback_over_the_limit_is_refused_as_a_sized_one_is(app):
    wsgi, _, settings = app
    request = callbacks.build_wechat_callback(settings, {"MsgType": "text", "Content": "x"}, safe=False)
    body = callbacks.render_xml({"MsgType": "text", "Content": "x" * (64 * 1024)}).encode()
    # The REST limit (4 KiB here) is below the portal's: the app-wide bound answers first, as for a sized body.
    status, answer = send_chunked(wsgi, "POST", callbacks.WECHAT_PORTAL, body, {"Content-Type": "text/xml"},
                                  params=request.params)
    sized = falcon.testing.TestClient(wsgi).simulate_post(callbacks.WECHAT_PORTAL, params=request.params, body=body,
                                                          headers={"Content-Type": "text/xml"})
    assert status == sized.status_code == 413
    assert json.loads(answer)["error"]["code"] == sized.json["error"]["code"]


# -- through the served ingress (granian) ------------------------------------------------------------------------------

def _pieces(data: bytes, size: int = 1000):
    """An iterator body: httpx sends it chunked, without a Content-Length."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


@pytest.mark.timeout(90)
def test_the_served_ingress_reads_chunked_bodies(tmp_path: Path, redis_url: str, redis_client, sqlite_url: str,
                                                 make_settings):
    from models.db import Database

    database = Database(sqlite_url)
    with database.session() as session:
        _, key = create_api_client(session, "served", Scope.ADMIN)
    database.dispose()
    port = free_port()
    env = {**os.environ, "IMBRIDGE_REDIS__URL": redis_url, "IMBRIDGE_DATABASE__URL": sqlite_url,
           "IMBRIDGE_VAR_DIR": str(tmp_path / "var"), "IMBRIDGE_SECURITY__SECRET_KEY": "served-chunked-secret",
           "IMBRIDGE_INGRESS__PORT": str(port), "IMBRIDGE_INGRESS__WORKERS": "1",
           "IMBRIDGE_INGRESS__MAX_BODY_BYTES": "4096", "IMBRIDGE_SANDBOX__ENABLED": "true",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen([sys.executable, "-m", "imbridge", "ingress"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process)
        settings = make_settings(sqlite_url)
        with httpx.Client(base_url=url, timeout=10) as http:
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            created = http.post("/api/v1/notification-templates", headers=headers,
                                content=_pieces(json.dumps(TEMPLATE).encode(), 7))
            assert created.status_code == 201, created.text
            assert created.request.headers.get("Transfer-Encoding") == "chunked"
            too_big = http.post("/api/v1/notification-templates", headers=headers,
                                content=_pieces(json.dumps({**TEMPLATE, "content": "x" * 6000}).encode(), 1000))
            assert too_big.status_code == 413
            request = callbacks.build_wechat_callback(settings, {
                "ToUserName": callbacks.original_id(settings), "FromUserName": "oChunked0000000000000000002",
                "CreateTime": int(time.time()), "MsgType": "text", "Content": "hi", "MsgId": 8002}, safe=True)
            answer = http.post(callbacks.WECHAT_PORTAL, params=request.params, headers={"Content-Type": "text/xml"},
                               content=_pieces(request.body.encode(), 50))
            assert answer.status_code == 200, answer.text
    finally:
        stop_group(process)
