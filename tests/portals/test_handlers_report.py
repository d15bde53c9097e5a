"""``GET /api/v1/system/handlers``: the operator sees which handler plugins loaded, which failed and why, and what
each handler matches in the order the portal tries them; what it lists is what the portal does."""

from __future__ import annotations

import time

import falcon.testing
import pytest

from core.runtime import Runtime
from ingress import create_app
from ingress.portals.handler import HANDLERS, Handler, HandlerContext
from platforms.wechat import InboundMessage, Reply, TextReply
from tests.keys import bearer
from tests.portals.conftest import post_wechat, reply_of
from tests.portals.test_plugins import hours_plugin  # noqa: F401 - the example plugin, installed

PATH = "/api/v1/system/handlers"


class MenuKeys(Handler, register=False):
    """A handler of the test's own: a click on a menu key starting with ``ORDER_``."""

    platforms = ("wechat",)
    events = ("CLICK",)
    event_key_pattern = r"ORDER_\d+"
    priority = 500

    def handle(self, message: InboundMessage, context: HandlerContext) -> Reply | None:
        return TextReply("order")


def by_name(report: dict) -> dict[str, dict]:
    return {handler["name"]: handler for handler in report["handlers"]}


def test_it_lists_loaded_plugins_and_every_handler_in_the_order_the_portal_tries_them(
        hours_plugin, runtime, keys):  # noqa: F811
    with HANDLERS.registered(MenuKeys):
        client = falcon.testing.TestClient(create_app(runtime.settings, runtime))
    result = client.simulate_get(PATH, headers=bearer(keys["admin"]))
    assert result.status_code == 200, result.text
    report = result.json

    [hours] = [p for p in report["plugins"]["loaded"] if p["module"] == "imbridge_hours.handlers"]
    assert hours["source"] == "entry-point" and hours["name"].startswith("hours")
    assert report["plugins"]["failed"] == []

    handlers = by_name(report)
    assert handlers["OpeningHours"] == {
        "order": handlers["OpeningHours"]["order"], "name": "OpeningHours", "module": "imbridge_hours.handlers",
        "plugin": hours["name"], "builtIn": False, "priority": 10, "fallback": False,
        "platforms": ["wechat", "wecom"], "accounts": [], "msgTypes": ["text"], "events": [], "eventKeyPrefix": None,
        "eventKeyPattern": None, "contentPattern": "营业时间|opening hours", "customMatch": False}
    menu = handlers["MenuKeys"]
    assert (menu["events"], menu["msgTypes"], menu["eventKeyPattern"], menu["priority"]) == (
        ["click"], ["event"], r"ORDER_\d+", 500)
    scenes = handlers["QrSceneDispatch"]
    assert scenes["builtIn"] and scenes["plugin"] is None and scenes["customMatch"]

    orders = [h["order"] for h in report["handlers"]]
    assert orders == list(range(1, len(orders) + 1))
    ordinary = [h for h in report["handlers"] if not h["fallback"]]
    assert [h["priority"] for h in ordinary] == sorted((h["priority"] for h in ordinary), reverse=True)
    assert all(h["fallback"] for h in report["handlers"][len(ordinary):])  # the fallbacks come last
    assert handlers["TextEcho"]["fallback"]

    assert {"name": "LoginScene", "prefix": "login_", "module": "ingress.portals.handlers.login", "plugin": None,
            "builtIn": True} in report["scenes"]
    [asked] = [f for f in report["followUps"] if f["name"] == "hours.asked"]
    assert asked == {"name": "hours.asked", "function": "imbridge_hours.handlers.count_question",
                     "plugin": hours["name"]}


def test_a_plugin_that_failed_to_import_is_listed_with_its_error_and_the_rest_still_answer(
        hours_plugin, portal_settings, tmp_path, monkeypatch):  # noqa: F811
    (tmp_path / "broken_report_handlers.py").write_text("import a_module_that_is_not_there\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    runtime = Runtime.from_settings(portal_settings(portal={"handler_modules": ["broken_report_handlers"]}))
    try:
        from models import Scope
        from models.api_clients import create_api_client

        with runtime.database.session() as session:
            _, key = create_api_client(session, "admin", Scope.ADMIN)
        client = falcon.testing.TestClient(create_app(runtime.settings, runtime))
        report = client.simulate_get(PATH, headers=bearer(key)).json
        assert report["plugins"]["failed"] == [{
            "name": "broken_report_handlers",
            "error": "ModuleNotFoundError: No module named 'a_module_that_is_not_there'"}]
        assert "OpeningHours" in by_name(report)  # the installed plugin still loaded
        fields = {"ToUserName": "gh_1", "FromUserName": "oReport000000000000000000001",
                  "CreateTime": str(int(time.time())), "MsgType": "text", "Content": "营业时间", "MsgId": "72001"}
        assert reply_of(post_wechat(client, runtime.settings, fields), runtime.settings)["Content"] == \
            hours_plugin.HOURS_TEXT
    finally:
        runtime.close()


@pytest.mark.parametrize("who", ["notify", None])
def test_only_admin_keys_read_it(client, keys, who):
    result = client.simulate_get(PATH, headers=bearer(keys[who]) if who else {})
    assert result.status_code == (403 if who else 401)
