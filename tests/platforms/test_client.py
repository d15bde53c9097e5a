"""Every platform client is built from plain arguments, shows who it is without its secret, and closes its pool."""

from __future__ import annotations

import pytest

from platforms import PlatformClient
from platforms.dingtalk import DingTalkClient, DingTalkRobot
from platforms.tokens import MemoryTokenStore
from platforms.wechat import WeChatAppletClient, WeChatClient
from platforms.wecom import WeComClient, WeComRobot

SECRET = "s3cret-never-shown"


def clients() -> list[tuple[PlatformClient, str]]:
    store = MemoryTokenStore()
    return [
        (WeChatClient("wx1", SECRET, store), "WeChatClient('wechat:wx1')"),
        (WeChatAppletClient("wxmini", SECRET), "WeChatAppletClient('wechat-applet:wxmini')"),
        (WeComClient("ww1", SECRET, 1000002, store), "WeComClient('wecom:ww1:1000002')"),
        (DingTalkClient("dk1", SECRET, 42, store), "DingTalkClient('dingtalk:dk1')"),
        (WeComRobot(), "WeComRobot('https://qyapi.weixin.qq.com')"),
        (DingTalkRobot("http://127.0.0.1:8900/dingtalk/"), "DingTalkRobot('http://127.0.0.1:8900/dingtalk')"),
    ]


@pytest.mark.parametrize(("client", "shown"), clients(), ids=lambda value: type(value).__name__)
def test_repr_names_the_app_never_the_secret(client, shown):
    with client:
        assert repr(client) == shown and SECRET not in repr(client)


def test_closing_a_client_closes_its_connection_pool():
    client = WeComClient("ww1", SECRET, 1, MemoryTokenStore(), timeout=0.5)
    assert (client.transport.platform, client.transport.base_url) == ("wecom", "https://qyapi.weixin.qq.com")
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.transport.request("GET", "/cgi-bin/gettoken")
