"""Portal fixtures: the real ingress app on a real Redis and database, the platform played by
``sandbox.callbacks`` (flat messages) or by ``platforms.crypto`` directly (events with nested XML)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

import falcon.testing
import pytest

from core.runtime import Runtime
from ingress import create_app
from ingress.portals.handler import HANDLERS, Handler, HandlerContext
from platforms.wechat import InboundMessage, Reply, TextReply
from platforms.xml import render_xml
from sandbox import callbacks
from tests import wire_witness
from tests.waiting import wait_for  # noqa: F401 - the suite's tests import it from here


class Probe(Handler, register=False):
    """Answers every message with the class it parsed into, and remembers what it saw.

    Request the ``probe`` fixture before ``client``: the app takes its handlers when it is built.
    """

    priority = 1000
    seen: list[InboundMessage] = []

    def handle(self, message: InboundMessage, context: HandlerContext) -> Reply | None:
        Probe.seen.append(message)
        return TextReply(f"{type(message).__name__}:{message.msg_type}:{message.event or ''}")


@pytest.fixture
def probe() -> Iterator[type[Probe]]:
    Probe.seen = []
    with HANDLERS.registered(Probe):
        yield Probe


@pytest.fixture
def nothing_processed(probe, runtime):
    """Asserts, after the test, that no handler ran, no dedup key was claimed and nothing was enqueued."""
    yield
    assert probe.seen == []
    assert list(runtime.redis.scan_iter("imbridge:portal:*")) == []
    assert runtime.redis.llen("imbridge:inbound:inbox") == 0
    assert runtime.redis.llen("imbridge-dramatiq:inbound") == 0


@pytest.fixture
def portal_settings(make_settings, database_url, redis_client):
    """Settings of a deployment on this test's Redis (flushed) and database; tests add sections."""

    def build(**sections: Any):
        sections.setdefault("security", {"secret_key": "portal-tests-secret-key"})
        return make_settings(database_url, **sections)

    return build


@pytest.fixture
def sections() -> dict[str, Any]:
    """Settings sections the ``runtime`` fixture's deployment adds: parametrize it (see :data:`PLAINTEXT_ALLOWED`)."""
    return {}


#: A WeChat account in plaintext mode: app id, secret and callback token, no EncodingAESKey (WeCom stays the demo).
PLAINTEXT_ACCOUNT = {"third": {"wechat": {"app_id": "wx5e1f0a7c3b9d2e41", "app_secret": "plaintext-account-secret",
                                          "token": "plaintext-account-token", "api_base_url": "http://127.0.0.1:9"}}}
#: Runs a test on a deployment whose WeChat account has an AES key and takes plaintext callbacks too.
PLAINTEXT_ALLOWED = pytest.mark.parametrize("sections", [{"portal": {"allow_plaintext": True}}],
                                            ids=["plaintext-allowed"])
#: Runs a test on a deployment whose WeChat account is :data:`PLAINTEXT_ACCOUNT`.
PLAINTEXT_ONLY = pytest.mark.parametrize("sections", [PLAINTEXT_ACCOUNT], ids=["plaintext-account"])


@pytest.fixture
def runtime(portal_settings, sections) -> Iterator[Runtime]:
    rt = Runtime.from_settings(portal_settings(**sections))
    yield rt
    rt.close()


@pytest.fixture
def client(runtime) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(create_app(runtime.settings, runtime))


# -- the platform's side -----------------------------------------------------------------------------------

def wechat_request(settings, fields: Mapping[str, Any], *, safe: bool, timestamp: str | None = None,
                   nonce: str | None = None) -> callbacks.CallbackRequest:
    """What WeChat posts for ``fields``; nested containers (ScanCodeInfo...) are rendered as WeChat nests them."""
    if not any(isinstance(v, Mapping) for v in fields.values()):
        return callbacks.build_wechat_callback(settings, fields, safe=safe, timestamp=timestamp, nonce=nonce)
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or "1234567890"
    xml = render_xml(fields)
    params = {"signature": callbacks.wechat_signer(settings).signature(timestamp, nonce), "timestamp": timestamp,
              "nonce": nonce, "openid": str(fields["FromUserName"])}
    if not safe:
        return callbacks.CallbackRequest(params, xml)
    crypto = callbacks.wechat_crypto(settings)
    body, msg_signature = crypto.encrypt_message(xml, timestamp, nonce, to_user_name=str(fields["ToUserName"]))
    params.update(encrypt_type="aes", msg_signature=msg_signature)
    return callbacks.CallbackRequest(params, body)


def post(client: falcon.testing.TestClient, path: str, request: callbacks.CallbackRequest,
         body: str | bytes | None = None) -> falcon.testing.Result:
    return client.simulate_post(path, params=request.params, body=request.body if body is None else body,
                                headers={"Content-Type": "text/xml"})


def post_wechat(client, settings, fields: Mapping[str, Any], *, safe: bool = True, **stamp: Any):
    return post(client, callbacks.WECHAT_PORTAL, wechat_request(settings, fields, safe=safe, **stamp))


def post_wecom(client, settings, fields: Mapping[str, Any], **stamp: Any):
    return post(client, callbacks.WECOM_PORTAL, callbacks.build_wecom_callback(settings, fields, **stamp))


def reply_of(result, settings, platform: str = "wechat") -> dict[str, str] | None:
    """The passive reply's fields, decrypted and signature-checked when encrypted (None: no reply).

    An encrypted reply is opened twice: by the sandbox (as WeChat would) and by the tests' own witness
    (:mod:`tests.wire_witness`), which must read the same fields.
    """
    assert result.status_code == 200, result.text
    fields = callbacks.read_reply(result, settings, platform)
    if fields is not None and "<Encrypt>" in result.text:
        account = settings.third.wechat if platform == "wechat" else settings.third.wecom
        receive_id = account.app_id if platform == "wechat" else account.corp_id
        witnessed = wire_witness.open_encrypted_reply(result.text, account.token, account.encoding_aes_key, receive_id)
        assert witnessed == fields, (witnessed, fields)
    return fields
