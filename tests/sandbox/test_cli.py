"""``imbridge sandbox scan|say`` against a stand-in ingress that checks what WeChat would check."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from imbridge import sandbox_args
from platforms.crypto import MessageCrypto
from sandbox import callbacks, cli


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def ingress(settings) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A minimal portal: verifies, decrypts, records the message and replies with its EventKey or Content."""
    w = settings.third.wechat
    crypto = MessageCrypto(w.token, w.encoding_aes_key, w.app_id)
    received: list[dict[str, str]] = []

    def app(environ, start_response):
        query = {k: v[-1] for k, v in parse_qs(environ["QUERY_STRING"]).items()}
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        crypto.check_signature(query["signature"], query["timestamp"], query["nonce"])
        if query.get("encrypt_type") == "aes":
            body = crypto.decrypt_message(body, query["msg_signature"], query["timestamp"], query["nonce"])
        fields = callbacks.parse_xml(body)
        received.append(fields)
        reply = callbacks.render_xml({"ToUserName": fields["FromUserName"], "FromUserName": fields["ToUserName"],
                                      "CreateTime": 1, "MsgType": "text",
                                      "Content": fields.get("EventKey") or fields.get("Content", "")})
        if query.get("encrypt_type") == "aes":
            reply = crypto.encrypt_reply(reply, query["timestamp"], query["nonce"])
        start_response("200 OK", [("Content-Type", "application/xml")])
        return [reply.encode()]

    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()
    server.server_close()


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="imbridge sandbox")
    sandbox_args.configure_parser(parser)
    return parser.parse_args(argv)


def test_no_subcommand_means_serve():
    assert parse().sandbox_command is None
    assert parse("serve").sandbox_command == "serve"


def test_scan_new_follower_in_safe_mode(settings, ingress, capsys):
    url, received = ingress
    args = parse("scan", "--key", "k1", "--openid", "oCli", "--ingress", url, "--sandbox", "http://127.0.0.1:9")
    assert cli.run(args, settings) == 0
    assert received[-1]["Event"] == "subscribe" and received[-1]["EventKey"] == "qrscene_login_k1"
    assert received[-1]["FromUserName"] == "oCli"
    assert "Content: qrscene_login_k1" in capsys.readouterr().out


def test_scan_existing_follower_in_plain_mode(settings, ingress):
    url, received = ingress
    args = parse("scan", "--key", "k2", "--existing", "--plain", "--ingress", url, "--sandbox", "http://127.0.0.1:9")
    assert cli.run(args, settings) == 0
    assert (received[-1]["Event"], received[-1]["EventKey"]) == ("SCAN", "login_k2")


def test_say(settings, ingress, capsys):
    url, received = ingress
    assert cli.run(parse("say", "hello there", "--openid", "oSay", "--ingress", url), settings) == 0
    assert received[-1]["Content"] == "hello there" and received[-1]["MsgType"] == "text"
    assert "Content: hello there" in capsys.readouterr().out


def test_unreachable_ingress_exits_2(settings, capsys):
    assert cli.run(parse("say", "x", "--ingress", "http://127.0.0.1:9"), settings) == 2
    assert "cannot reach the ingress" in capsys.readouterr().err
