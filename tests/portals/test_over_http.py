"""The portals over real HTTP, with ``sandbox.callbacks`` playing WeChat and WeCom exactly as they post."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.runtime import Runtime
from sandbox import callbacks
from tests.ingress_support import served_ingress
from tests.portals.conftest import PLAINTEXT_ACCOUNT


@pytest.fixture
def ingress(portal_settings, sections) -> Iterator[tuple[str, object]]:
    settings = portal_settings(portal={"echo_text": True, "welcome_text": "欢迎"}, **sections)
    runtime = Runtime.from_settings(settings)
    with served_ingress(settings, runtime) as url:
        yield url, settings
    runtime.close()


def test_url_verification_of_both_platforms(ingress):
    url, settings = ingress
    assert callbacks.verify_wechat(url, settings)[0]
    assert callbacks.verify_wecom(url, settings)[0]


@pytest.mark.parametrize(("safe", "sections"), [(True, {}), (False, PLAINTEXT_ACCOUNT)], ids=["safe", "plain"])
def test_a_follower_says_something_and_gets_it_back(ingress, safe):
    url, settings = ingress
    response = callbacks.say(url, settings, "你好, imbridge", safe=safe)
    reply = callbacks.read_reply(response, settings)
    assert reply["Content"] == "你好, imbridge"
    assert reply["ToUserName"] == callbacks.DEMO_OPENID


def test_a_wecom_member_writes_to_the_app(ingress):
    url, settings = ingress
    response = callbacks.wecom_say(url, settings, "请假")
    assert callbacks.read_reply(response, settings, "wecom")["Content"] == "请假"


def test_a_scan_of_an_unclaimed_scene_by_a_new_follower_gets_the_welcome(ingress):
    url, settings = ingress  # login_ is claimed by the QR login's scene handler; other_ by nobody
    new = callbacks.event_fields(settings, "subscribe", EventKey="qrscene_other_k1", Ticket="t1")
    reply = callbacks.read_reply(callbacks.post_wechat_event(url, settings, new), settings)
    assert reply["Content"] == "欢迎"
    follower = callbacks.event_fields(settings, "SCAN", EventKey="other_k1", Ticket="t1")
    assert callbacks.post_wechat_event(url, settings, follower).text == "success"
