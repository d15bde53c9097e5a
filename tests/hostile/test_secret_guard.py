"""The secret guard (``tests/secret_guard.py``) catches a real leak: each way a secret could get out is tried
with a canary value (known only to this test, so the session itself does not fail) and found, named by kind and
place, without the value in the report."""

from __future__ import annotations

import logging
import secrets
import subprocess
import sys

import falcon
import falcon.testing
import httpx
import pytest

from tests.api_document import openapi_document
from tests.secret_guard import GUARD, LeakScanner, fingerprint


@pytest.fixture
def guard(request):
    return request.config.stash[GUARD]


def canary() -> str:
    return "canary-" + secrets.token_urlsafe(24)


def test_a_secret_in_a_log_record_is_caught(guard):
    secret = canary()
    logging.getLogger("workers.example").info("calling https://api.example.com/x?access_token=%s", secret)
    leaks = guard.scanner.leaks({secret: "canary token"})
    assert [leak.kind for leak in leaks] == ["canary token"]
    assert "'workers.example' at INFO" in leaks[0].where
    assert secret not in str(leaks[0]) and fingerprint(secret) in str(leaks[0])


def test_httpx_lines_of_the_product_are_watched_but_not_the_tests_driving_the_sandbox(guard):
    product, harness = canary(), canary()
    # Straight to the guard's handler: other tests may have quietened the httpx logger itself.
    for method, url in (("POST", httpx.URL(f"http://127.0.0.1:1/robot/{product}")),
                        ("DELETE", f"http://127.0.0.1:1/_sandbox/robots/{harness}")):  # as the redaction leaves it
        guard.handler.handle(logging.LogRecord("httpx", logging.INFO, __file__, 0, 'HTTP Request: %s %s "%s %d %s"',
                                               (method, url, "HTTP/1.1", 200, "OK"), None))
    assert [leak.kind for leak in guard.scanner.leaks({product: "product", harness: "harness"})] == ["product"]


def test_a_secret_in_a_traceback_is_caught(guard):
    secret = canary()
    try:
        raise RuntimeError(f"upstream said no to key={secret}")
    except RuntimeError:
        logging.getLogger("ingress.errors").exception("unhandled error")
    assert len(guard.scanner.leaks({secret: "canary key"})) == 1


def test_a_secret_in_an_ingress_response_is_caught_and_other_apps_are_not_watched(guard):
    openapi_document()  # an ingress app's answer, through falcon.testing
    [leak] = guard.scanner.leaks({"x-required-scope": "canary"})
    assert leak.where.startswith("the response to GET /openapi.json")  # named with the test running, if any

    class Talkative:
        def on_get(self, req, resp):
            resp.text = secret

    secret = canary()
    other = falcon.App()
    other.add_route("/talk", Talkative())
    assert falcon.testing.TestClient(other).simulate_get("/talk").text == secret
    assert guard.scanner.leaks({secret: "canary"}) == []  # not the ingress (the sandbox answers tokens by design)


def test_a_secret_on_a_started_process_stderr_is_caught(guard):
    secret = canary()
    subprocess.run([sys.executable, "-c", "import sys; sys.stderr.write(sys.argv[1])", secret, "imbridge"],
                   stderr=subprocess.DEVNULL, check=True)
    guard.read_stderr()
    [leak] = guard.scanner.leaks({secret: "canary"})
    assert leak.where.startswith("the stderr of")


def test_the_registry_learns_the_secrets_of_settings_and_api_keys(guard, sqlite_url):
    from config import load_settings
    from models import Database, Scope
    from models.api_clients import create_api_client

    secret_key = canary()
    load_settings(None, security={"secret_key": secret_key})
    assert guard.scanner.secrets[secret_key] == "security.secret-key"
    database = Database(sqlite_url)
    with database.session() as session:
        _, key = create_api_client(session, "guard", Scope.NOTIFY)
    database.dispose()
    assert guard.scanner.secrets[key] == "API key"


def test_the_registry_learns_the_redis_passwords(guard, tmp_path):
    from config import load_settings
    from imbridge.embedded_redis import EmbeddedRedis

    password = canary()
    load_settings(None, redis={"url": f"redis://:{password}@redis.internal:6379/0"})
    assert guard.scanner.secrets[password] == "the password in redis.url"
    server = EmbeddedRedis(tmp_path / "valkey")
    server.start()
    try:
        assert guard.scanner.secrets[server.password] == "embedded Valkey password"
    finally:
        server.stop()


def test_the_registry_learns_what_the_sandbox_issues(guard):
    from sandbox.clock import Clock
    from sandbox.journal import Journal
    from sandbox.tokens import TokenRegistry

    token, _ = TokenRegistry(Clock()).issue_classic("wecom", "corp", 7200, 0)
    assert guard.scanner.secrets[token] == "platform access token (sandbox-issued)"
    session_key, robot_key = canary(), canary()
    Journal().record({"path": "/sns/jscode2session", "query": {}, "response": {"session_key": session_key}})
    Journal().record({"path": "/cgi-bin/webhook/send", "query": {"key": robot_key}, "response": {"errcode": 0}})
    assert guard.scanner.secrets[session_key] == "mini-program session_key (sandbox-issued)"
    assert guard.scanner.secrets[robot_key] == "WeCom robot webhook key"
    # Website sign-in codes, where the product exchanges them: WeChat's and WeCom's query, DingTalk's JSON body.
    codes = [canary() for _ in range(3)]
    Journal().record({"path": "/wechat/sns/oauth2/access_token", "query": {"code": codes[0]}, "response": {}})
    Journal().record({"path": "/wecom/cgi-bin/auth/getuserinfo", "query": {"code": codes[1]}, "response": {}})
    Journal().record({"path": "/dingtalk/v1.0/oauth2/userAccessToken", "query": {}, "json": {"code": codes[2]},
                      "response": {"code": "invalidParameter.authCode.notFound"}})
    assert [guard.scanner.secrets.get(code) for code in codes] == ["website sign-in code"] * 3


def test_the_scanner_finds_secrets_inside_larger_text_and_honours_exemptions():
    scanner = LeakScanner()
    token, spaced = "T0ken_" + "k" * 40, "a secret with spaces"
    scanner.register("token", token)
    scanner.register("phrase", spaced)
    scanner.register("short", "abc")  # too short to track
    scanner.capture(f'{{"url": "http://h/send?access_token={token}&x=1"}}', "response A")
    scanner.capture(f"log: {spaced}!", "log B")
    scanner.capture(f"shown once: {token}", "response C", exempt={"token"})
    scanner.capture(f"prefix only: {token[:-1]}", "response D")
    assert [(leak.kind, leak.where) for leak in scanner.leaks()] == [("phrase", "log B"), ("token", "response A")]


def test_placeholders_are_not_secrets():
    """The example config's ``xxxxxxxx`` guards nothing: a long run of ``x`` in a log is no leak."""
    scanner = LeakScanner()
    scanner.register("WeChat app secret", "xxxxxxxx")
    scanner.register("WeChat AES key", "x" * 43)
    scanner.capture("an answer padded with " + "x" * 500, "log A")
    assert scanner.leaks() == []
