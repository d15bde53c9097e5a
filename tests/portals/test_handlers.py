"""Routing and the built-in handlers: priority, first match, fallback, follow, menu clicks, echo, QR scenes."""

from __future__ import annotations

import time

import falcon.testing
import pytest

from config import load_settings
from core.runtime import Runtime
from ingress import create_app
from ingress.portals.handler import HANDLERS, SCENES, Handler, Registry, SceneHandler
from ingress.portals.router import Router
from platforms.wechat import TextReply, parse_message
from sandbox import callbacks
from tests.portals.conftest import post_wechat, post_wecom, reply_of

OPENID = "oHandlers000000000000000001"


def msg(**fields):
    base = {"ToUserName": "gh_1", "FromUserName": OPENID, "CreateTime": "1700000000"}
    return parse_message({**base, **{k: str(v) for k, v in fields.items()}})


# -- the router, without the app -------------------------------------------------------------------------------

def test_highest_priority_first_then_definition_order_then_fallbacks():
    class Low(Handler, register=False):
        msg_types = ("text",)

    class High(Handler, register=False):
        msg_types = ("text",)
        priority = 10

    class AlsoLow(Handler, register=False):
        msg_types = ("text",)

    class Last(Handler, register=False):
        fallback = True
        priority = 99

    settings = load_settings(None)
    router = Router([Last(settings), Low(settings), AlsoLow(settings), High(settings)])
    assert type(router.route(msg(MsgType="text", Content="x", MsgId=1), "wechat")) is High
    assert type(router.route(msg(MsgType="image", MediaId="m", MsgId=1), "wechat")) is Last
    router = Router([Low(settings), AlsoLow(settings)])
    assert type(router.route(msg(MsgType="text", Content="x", MsgId=1), "wechat")) is Low
    assert router.route(msg(MsgType="image", MediaId="m", MsgId=1), "wechat") is None


def test_declared_matching_by_platform_event_and_event_key():
    class Prefixed(Handler, register=False):
        platforms = ("wechat",)
        events = ("CLICK",)
        event_key_prefix = "shop_"

    class Patterned(Handler, register=False):
        events = ("view",)
        event_key_pattern = r"https://example\.com/.*"

    settings = load_settings(None)
    prefixed, patterned = Prefixed(settings), Patterned(settings)
    assert prefixed.matches(msg(MsgType="event", Event="CLICK", EventKey="shop_1"), "wechat")
    assert prefixed.matches(msg(MsgType="event", Event="click", EventKey="shop_1"), "wechat")
    assert not prefixed.matches(msg(MsgType="event", Event="CLICK", EventKey="shop_1"), "wecom")
    assert not prefixed.matches(msg(MsgType="event", Event="CLICK", EventKey="help"), "wechat")
    assert not prefixed.matches(msg(MsgType="text", Content="shop_1", MsgId=1), "wechat")
    assert patterned.matches(msg(MsgType="event", Event="VIEW", EventKey="https://example.com/a"), "wecom")
    assert not patterned.matches(msg(MsgType="event", Event="VIEW", EventKey="https://evil.com/"), "wecom")


def test_defining_a_handler_registers_it_and_the_package_holds_the_built_ins():
    registry: Registry[Handler] = Registry()

    class Mine(Handler, register=False):
        pass

    with registry.registered(Mine):
        assert list(registry) == [Mine]
    assert list(registry) == []
    Router.from_registry(load_settings(None))  # imports the handlers package
    names = {cls.__name__ for cls in HANDLERS}
    assert {"Welcome", "Farewell", "MenuClick", "TextEcho", "QrSceneDispatch"} <= names


def test_a_scene_handler_needs_a_prefix():
    with pytest.raises(TypeError):
        class Nameless(SceneHandler):
            pass


# -- built-ins through the app ---------------------------------------------------------------------------------

def event(settings, name: str, **extra) -> dict:
    return {"ToUserName": callbacks.original_id(settings), "FromUserName": OPENID, "CreateTime": int(time.time()),
            "MsgType": "event", "Event": name, **extra}


def text(settings, content: str) -> dict:
    return {"ToUserName": callbacks.original_id(settings), "FromUserName": OPENID, "CreateTime": int(time.time()),
            "MsgType": "text", "Content": content, "MsgId": time.time_ns()}


@pytest.fixture
def app_with(portal_settings):
    """A client on settings with ``portal`` overrides."""
    runtimes = []

    def build(**portal):
        settings = portal_settings(portal=portal)
        runtime = Runtime.from_settings(settings)
        runtimes.append(runtime)
        return falcon.testing.TestClient(create_app(settings, runtime)), settings

    yield build
    for runtime in runtimes:
        runtime.close()


def test_a_new_follower_gets_the_configured_welcome(app_with):
    client, settings = app_with(welcome_text="欢迎关注!")
    reply = reply_of(post_wechat(client, settings, event(settings, "subscribe", EventKey="")), settings)
    assert (reply["MsgType"], reply["Content"], reply["ToUserName"]) == ("text", "欢迎关注!", OPENID)


def test_an_empty_welcome_means_no_reply_and_unsubscribe_never_replies(app_with):
    client, settings = app_with(welcome_text="")
    assert post_wechat(client, settings, event(settings, "subscribe", EventKey="")).text == "success"
    assert post_wechat(client, settings, event(settings, "unsubscribe", EventKey="")).text == "success"


def test_wecom_subscribe_gets_the_welcome_too(app_with):
    client, settings = app_with(welcome_text="hi")
    wecom = settings.third.wecom
    fields = {"ToUserName": wecom.corp_id, "FromUserName": "li.si", "CreateTime": int(time.time()),
              "MsgType": "event", "Event": "subscribe", "AgentID": wecom.agent_id}
    assert reply_of(post_wecom(client, settings, fields), settings, "wecom")["Content"] == "hi"


def test_menu_clicks_answer_their_configured_text_and_unknown_keys_nothing(app_with):
    client, settings = app_with(click_replies=[{"key": "MENU_Help", "text": "How can we help?"}])
    reply = reply_of(post_wechat(client, settings, event(settings, "CLICK", EventKey="MENU_Help")), settings)
    assert reply["Content"] == "How can we help?"
    assert post_wechat(client, settings, event(settings, "CLICK", EventKey="menu_help")).text == "success"


def test_text_echo_is_off_by_default_and_echoes_when_on(app_with):
    client, settings = app_with()
    assert post_wechat(client, settings, text(settings, "ping")).text == "success"
    client, settings = app_with(echo_text=True)
    assert reply_of(post_wechat(client, settings, text(settings, "ping <&>")), settings)["Content"] == "ping <&>"


# -- QR-scene dispatch -----------------------------------------------------------------------------------------

class DemoScene(SceneHandler, register=False):
    """What the QR-login issue will do for ``login_``: note who scanned which key, answer a text."""

    prefix = "demo_"
    scans: list[tuple[str, str, str]] = []

    def handle(self, message, param, context):
        DemoScene.scans.append((message.event or "", param, message.from_user))
        context.redis.set(f"test:scene:{param}", message.from_user, ex=60)
        return TextReply(f"scanned {param}")


class DemoSceneSpecial(SceneHandler, register=False):
    prefix = "demo_vip_"

    def handle(self, message, param, context):
        return TextReply(f"vip {param}")


@pytest.fixture
def demo_scene():
    DemoScene.scans = []
    with SCENES.registered(DemoScene, DemoSceneSpecial):
        yield DemoScene


def test_both_scan_shapes_reach_the_scene_handler(demo_scene, app_with, runtime):
    client, settings = app_with(welcome_text="welcome")
    new = reply_of(post_wechat(client, settings, event(settings, "subscribe", EventKey="qrscene_demo_k1",
                                                       Ticket="t1")), settings)
    existing = reply_of(post_wechat(client, settings, event(settings, "SCAN", EventKey="demo_k2", Ticket="t2")),
                        settings)
    assert (new["Content"], existing["Content"]) == ("scanned k1", "scanned k2")
    assert demo_scene.scans == [("subscribe", "k1", OPENID), ("SCAN", "k2", OPENID)]
    assert runtime.redis.get("test:scene:k2") == OPENID.encode()


def test_the_longest_scene_prefix_wins(demo_scene, app_with):
    client, settings = app_with()
    reply = reply_of(post_wechat(client, settings, event(settings, "SCAN", EventKey="demo_vip_7")), settings)
    assert reply["Content"] == "vip 7"


def test_unclaimed_scenes_and_plain_follows_fall_through_to_the_welcome(demo_scene, app_with):
    client, settings = app_with(welcome_text="welcome")
    for key in ("qrscene_other_1", "", "demo_k3"):  # a bare scene in a subscribe is not a QR follow
        reply = reply_of(post_wechat(client, settings, event(settings, "subscribe", EventKey=key)), settings)
        assert reply["Content"] == "welcome"
    assert post_wechat(client, settings, event(settings, "SCAN", EventKey="other_1")).text == "success"
    assert demo_scene.scans == []
