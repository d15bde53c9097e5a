import httpx
import pytest

from platforms.errors import (
    PermanentError,
    PlatformUnreachable,
    RetryLaterError,
    TokenExpiredError,
    UnexpectedAnswer,
)
from platforms.transport import Transport
from tests.platforms.fakes import FakePlatform, json_body


class Tokens:
    """A TokenSource handing out t1, t2, ... and recording invalidations."""

    def __init__(self) -> None:
        self.issued = 0
        self.current: str | None = None
        self.invalidated: list[str] = []

    def get(self) -> str:
        if self.current is None:
            self.issued += 1
            self.current = f"t{self.issued}"
        return self.current

    def invalidate(self, token: str) -> None:
        self.invalidated.append(token)
        if token == self.current:
            self.current = None


def test_adds_access_token_and_returns_body():
    fake = FakePlatform({"errcode": 0, "errmsg": "ok", "menu": {}})
    body = fake.transport("wechat").request("GET", "/cgi-bin/menu/get", params={"x": 1}, token=Tokens())
    assert body["menu"] == {}
    request = fake.requests[0]
    assert request.method == "GET"
    assert str(request.url) == "https://api.test/prefix/cgi-bin/menu/get?x=1&access_token=t1"


def test_absent_errcode_is_success_in_the_documented_shape():
    fake = FakePlatform({"access_token": "abc", "expires_in": 7200})
    body = fake.transport("wechat").request("GET", "/cgi-bin/token", success=("access_token",))
    assert body["access_token"] == "abc"


@pytest.mark.parametrize("body", [{}, {"expires_in": 7200}, {"ok": True}, {"status": 0}],
                         ids=["empty", "other-fields", "ok-true", "status-0"])
def test_json_without_errcode_nor_success_fields_is_an_unexpected_answer(body):
    fake = FakePlatform(body)
    with pytest.raises(UnexpectedAnswer) as info:
        fake.transport("dingtalk").request("POST", "/robot/send", json={}, success=())
    assert isinstance(info.value, RetryLaterError)
    assert "unexpected answer (HTTP 200)" in info.value.errmsg


def test_gateway_flow_control_is_retried_after_its_wait_with_the_body_kept():
    fake = FakePlatform({"status": 1111, "wait": 5, "source": "x5", "punish": "deny", "uuid": "u-1"})
    with pytest.raises(UnexpectedAnswer) as info:
        fake.transport("dingtalk").request("POST", "/robot/send", params={"access_token": "ROBOT"}, json={})
    assert info.value.retry_after == 5
    assert '"status":1111' in info.value.errmsg and '"punish":"deny"' in info.value.errmsg


@pytest.mark.parametrize(("wait", "expected"), [(0, None), (-3, None), ("soon", None), (True, None),
                                                 ("7", 7.0), (10**9, 3600.0)])
def test_only_a_sensible_wait_is_honoured(wait, expected):
    fake = FakePlatform({"status": 1111, "wait": wait})
    with pytest.raises(UnexpectedAnswer) as info:
        fake.transport("dingtalk").request("POST", "/robot/send", json={})
    assert info.value.retry_after == expected


def test_unexpected_answer_keeps_a_short_redacted_excerpt():
    page = "<html>" + "x" * 5000 + " see /robot/send?access_token=SECRET-TOKEN&x=1 </html>"
    html = "<html><body>login at https://proxy/?access_token=T0KEN-IN-PAGE</body></html>"
    fake = FakePlatform(lambda r: httpx.Response(200, text=page), lambda r: httpx.Response(200, text=html))
    transport = fake.transport("wechat")
    with pytest.raises(UnexpectedAnswer) as long_info:
        transport.request("GET", "/p")
    with pytest.raises(UnexpectedAnswer) as page_info:
        transport.request("GET", "/p", token=Tokens())
    assert len(long_info.value.errmsg) < 700 and long_info.value.errmsg.endswith("...")
    assert "T0KEN-IN-PAGE" not in page_info.value.errmsg and "access_token=***" in page_info.value.errmsg


def test_json_is_sent_as_utf8_without_escapes():
    fake = FakePlatform({"errcode": 0})
    fake.transport("wechat").request("POST", "/p", json={"name": "菜单"})
    assert "菜单".encode() in fake.requests[0].content
    assert json_body(fake.requests[0]) == {"name": "菜单"}


def test_errcode_in_http_200_body_raises():
    fake = FakePlatform({"errcode": 40164, "errmsg": "invalid ip"})
    with pytest.raises(PermanentError) as info:
        fake.transport("wechat").request("GET", "/p")
    assert info.value.errcode == 40164 and info.value.errmsg == "invalid ip"


def test_retry_later_code_raises_retry_later():
    fake = FakePlatform({"errcode": 130101, "errmsg": "send too fast"})
    with pytest.raises(RetryLaterError) as info:
        fake.transport("dingtalk").request("POST", "/robot/send", json={})
    assert info.value.retry_after >= 60


def test_rejected_token_is_invalidated_and_the_call_retried_once():
    fake = FakePlatform({"errcode": 40001, "errmsg": "invalid credential"}, {"errcode": 0, "msgid": 7})
    tokens = Tokens()
    body = fake.transport("wechat").request("POST", "/p", json={"a": 1}, token=tokens)
    assert body["msgid"] == 7
    assert tokens.invalidated == ["t1"]
    assert [r.url.params["access_token"] for r in fake.requests] == ["t1", "t2"]
    assert json_body(fake.requests[1]) == {"a": 1}


def test_second_rejection_raises_instead_of_looping():
    fake = FakePlatform({"errcode": 42001}, {"errcode": 40014}, {"errcode": 0})
    tokens = Tokens()
    with pytest.raises(TokenExpiredError):
        fake.transport("wechat").request("GET", "/p", token=tokens)
    assert len(fake.requests) == 2
    assert tokens.invalidated == ["t1"]


def test_multipart_is_resent_on_retry():
    fake = FakePlatform({"errcode": 33001}, {"errcode": 0, "media_id": "m"})
    fake.transport("dingtalk").request(
        "POST", "/media/upload", files={"media": ("a.txt", b"hello", "text/plain")}, token=Tokens()
    )
    assert all(b"hello" in r.content for r in fake.requests)


def test_token_rejection_without_token_source_raises():
    fake = FakePlatform({"errcode": 40001})
    with pytest.raises(TokenExpiredError):
        fake.transport("wecom").request("GET", "/p")
    assert len(fake.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_http_5xx_is_a_transport_error(status):
    fake = FakePlatform((status, {"errcode": 0}))
    with pytest.raises(PlatformUnreachable) as info:
        fake.transport("wechat").request("GET", "/p")
    assert info.value.errcode is None and str(status) in info.value.errmsg


@pytest.mark.parametrize(
    "exc", [httpx.ConnectTimeout("slow"), httpx.ReadTimeout("slow"), httpx.ConnectError("refused")]
)
def test_timeouts_and_connection_errors_are_transport_errors(exc):
    def fail(request):
        raise exc

    with pytest.raises(PlatformUnreachable):
        FakePlatform(fail).transport("dingtalk").request("GET", "/p")


def test_http_429_is_retry_later_with_retry_after():
    fake = FakePlatform(lambda r: httpx.Response(429, headers={"Retry-After": "30"}, text="slow down"))
    with pytest.raises(RetryLaterError) as info:
        fake.transport("wecom").request("GET", "/p")
    assert info.value.retry_after == 30


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>proxy login</html>"),
        httpx.Response(200, json=[1, 2]),
        httpx.Response(200, json={"errcode": "weird"}),
        httpx.Response(200, text=""),
    ],
    ids=["html", "json-list", "non-numeric-errcode", "empty"],
)
def test_answers_in_no_documented_shape_are_retried(response):
    with pytest.raises(UnexpectedAnswer):
        FakePlatform(lambda r: response).transport("wechat").request("GET", "/p", success=("menu",))


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(404, json={"message": "not found"}),
        httpx.Response(403, text="<html>forbidden</html>"),
        httpx.Response(400, json={"errcode": 0}),
    ],
    ids=["404", "403-html", "400-with-errcode-0"],
)
def test_refused_requests_are_permanent(response):
    with pytest.raises(PermanentError) as info:
        FakePlatform(lambda r: response).transport("wechat").request("GET", "/p", success=("menu",))
    assert f"HTTP {response.status_code}" in info.value.errmsg


def test_owned_client_is_closed_shared_client_is_not():
    shared = httpx.Client(transport=httpx.MockTransport(FakePlatform()))
    Transport("wechat", "https://api.test", client=shared).close()
    assert not shared.is_closed
    with Transport("wechat", "https://api.test") as owned:
        pass
    with pytest.raises(RuntimeError, match="closed"):  # httpx refuses before any network
        owned.request("GET", "/p")


def test_httpx_request_log_masks_credentials(caplog):
    fake = FakePlatform({"errcode": 0}, {"errcode": 0})
    with caplog.at_level("INFO", logger="httpx"):
        fake.transport("wecom").request("POST", "/cgi-bin/webhook/send", params={"key": "ROBOT-KEY", "n": 1}, json={})
        fake.transport("wechat").request("GET", "/p", token=Tokens())
    text = caplog.text
    assert "ROBOT-KEY" not in text and "access_token=t1" not in text
    assert "key=%2A%2A%2A" in text or "key=***" in text
    assert "n=1" in text


def test_download_returns_a_file_answer_and_judges_a_json_one():
    image = b"\x89PNG\r\n\x1a\n" + bytes(16)
    fake = FakePlatform(
        lambda request: httpx.Response(200, content=image, headers={"Content-Type": "image/png"}),
        {"title": "t", "description": "d", "down_url": "http://x"},
        (200, {"errcode": 40007, "errmsg": "invalid media_id"}),
        lambda request: httpx.Response(200, text='{"errcode": 40007, "errmsg": "invalid"}',
                                       headers={"Content-Type": "text/plain"}),
        lambda request: httpx.Response(200, content=b"<html>busy</html>", headers={"Content-Type": "text/html"}),
        lambda request: httpx.Response(502, content=b"<html>bad gateway</html>", headers={"Content-Type": "text/html"}))
    transport = fake.transport("wechat")
    got = transport.download("POST", "/cgi-bin/material/get_material", json={"media_id": "m"}, token=Tokens())
    assert got.content == image and got.content_type == "image/png"
    assert transport.download("POST", "/p", json={}, success=("down_url",))["down_url"] == "http://x"
    for _ in range(2):  # an errcode is an error, whatever type it was declared with
        with pytest.raises(PermanentError) as raised:
            transport.download("POST", "/p", json={})
        assert raised.value.errcode == 40007
    with pytest.raises(UnexpectedAnswer):  # an error page is never taken for the file: retried, not kept
        transport.download("POST", "/p", json={})
    with pytest.raises(PlatformUnreachable):
        transport.download("POST", "/p", json={})


def test_an_unexpected_answer_quoting_credentials_is_kept_with_them_masked(caplog):
    """An error page echoing the request (the secret in its query or JSON) never puts the secret in a log or record."""
    echo = ('<html>bad request: /cgi-bin/token?grant_type=client_credential&appid=wx1&secret=s3cr3tValue '
            '{"secret": "s3cr3tValue", "encoding_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}</html>')
    fake = FakePlatform(lambda request: httpx.Response(200, text=echo, headers={"Content-Type": "text/html"}))
    with caplog.at_level("WARNING", logger="imbridge.platforms.transport"), pytest.raises(UnexpectedAnswer) as raised:
        fake.transport("wechat").request("GET", "/cgi-bin/token", params={"appid": "wx1", "secret": "s3cr3tValue"},
                                         success=("access_token",))
    kept = str(raised.value) + " ".join(record.getMessage() for record in caplog.records)
    assert "s3cr3tValue" not in kept and "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" not in kept
    assert "bad request" in kept


def test_every_transport_verifies_tls_with_the_one_context_of_the_process(tmp_path):
    """The transports share one TLS context (one CA bundle in memory); each still refuses a platform whose
    certificate nobody trusts."""
    import contextlib
    import socket
    import ssl
    import threading

    from platforms.transport import shared_ssl_context
    from tests.workers.test_egress import certificate

    cert, key = certificate("localhost")
    (tmp_path / "cert.pem").write_bytes(cert)
    (tmp_path / "key.pem").write_bytes(key)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:  # (the handshake fails on the client's side: it does not trust the certificate)
        for _ in range(2):
            connection, _ = listener.accept()
            with connection, contextlib.suppress(ssl.SSLError, OSError):
                server_tls.wrap_socket(connection, server_side=True).recv(1)

    threading.Thread(target=serve, daemon=True).start()
    context = shared_ssl_context()
    assert context is shared_ssl_context()
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
    for platform in ("wechat", "dingtalk"):
        transport = Transport(platform, f"https://localhost:{port}")
        with pytest.raises(PlatformUnreachable) as refused:
            transport.request("GET", "/ping")
        assert "CERTIFICATE_VERIFY_FAILED" in f"{refused.value} {refused.value.__cause__}"
        transport.close()
    listener.close()
