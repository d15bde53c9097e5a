"""Handler plugins: an installed package's handlers answer through the portal, their follow-ups run in a worker,
and a plugin that cannot be imported is reported by name without taking the portal down."""

from __future__ import annotations

import logging
import time
from importlib.metadata import entry_points

import falcon.testing
import pytest

from core.plugins import ENTRY_POINT_GROUP
from core.runtime import Runtime
from ingress import create_app
from tests.portals.conftest import post_wechat, post_wecom, reply_of
from tests.waiting import wait_for

OPENID = "oPlugins0000000000000000001"


def text(content: str, msg_id: int, from_user: str = OPENID) -> dict[str, str]:
    return {"ToUserName": "gh_1", "FromUserName": from_user, "CreateTime": str(int(time.time())),
            "MsgType": "text", "Content": content, "MsgId": str(msg_id)}


@pytest.fixture
def hours_plugin():
    """The example plugin under examples/hours-plugin, installed into the test environment (``make test`` does)."""
    names = {entry_point.value for entry_point in entry_points(group=ENTRY_POINT_GROUP)}
    if "imbridge_hours.handlers" not in names:
        pytest.fail("the example plugin is not installed: run `make test` (or pip install -e examples/hours-plugin)")
    from imbridge_hours import handlers

    return handlers


def test_an_installed_plugin_answers_within_the_callback_and_its_follow_up_runs_in_a_worker(
        hours_plugin, runtime, client, worker):
    settings = runtime.settings
    answered = reply_of(post_wechat(client, settings, text("请问营业时间？", 71001)), settings)
    assert answered["Content"] == hours_plugin.HOURS_TEXT
    wecom = reply_of(post_wecom(client, settings, text("what are your opening hours", 71002, "zhangsan")),
                     settings, "wecom")
    assert wecom["Content"] == hours_plugin.HOURS_TEXT
    assert wait_for(lambda: runtime.redis.hgetall(hours_plugin.ASKED_KEY) == {
        f"wechat:{OPENID}".encode(): b"1", b"wecom:zhangsan": b"1"})


def test_a_message_the_plugin_does_not_match_goes_to_the_built_in_handlers(hours_plugin, portal_settings):
    runtime = Runtime.from_settings(portal_settings(portal={"echo_text": True}))
    try:
        client = falcon.testing.TestClient(create_app(runtime.settings, runtime))
        reply = reply_of(post_wechat(client, runtime.settings, text("hello", 71003)), runtime.settings)
        assert reply["Content"] == "hello"
    finally:
        runtime.close()


def test_a_plugin_that_fails_to_import_is_named_in_the_log_and_the_portal_still_answers(
        hours_plugin, portal_settings, tmp_path, monkeypatch, caplog):
    (tmp_path / "broken_handlers.py").write_text("import a_module_that_is_not_there\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    runtime = Runtime.from_settings(portal_settings(portal={"handler_modules": ["broken_handlers"]}))
    try:
        with caplog.at_level(logging.ERROR, logger="imbridge.core.plugins"):
            client = falcon.testing.TestClient(create_app(runtime.settings, runtime))
        failures = [record.getMessage() for record in caplog.records if record.name == "imbridge.core.plugins"]
        assert len(failures) == 1
        assert "broken_handlers" in failures[0] and "ModuleNotFoundError" in failures[0]
        reply = reply_of(post_wechat(client, runtime.settings, text("营业时间", 71004)), runtime.settings)
        assert reply["Content"] == hours_plugin.HOURS_TEXT
    finally:
        runtime.close()


def test_a_follow_up_name_no_plugin_registered_is_dropped_not_imported(runtime, worker, caplog):
    """A broker message names a registered function; it can never make a worker import code."""
    from core.tasks import RUN_FOLLOW_UP, Tasks

    with caplog.at_level(logging.ERROR, logger="imbridge.workers.actors.follow_ups"):
        Tasks(worker.broker).run_follow_up("os:system", {"command": "true"})
        worker.broker.join(RUN_FOLLOW_UP.queue)
        worker.join()
    assert any("'os:system'" in record.getMessage() for record in caplog.records)
