"""Replay window and dedup: a callback is taken once, within its window, however often and wherever it arrives."""

from __future__ import annotations

import json
import secrets
import threading
import time

import falcon.testing
import pytest

from core.runtime import Runtime
from ingress import create_app
from ingress.portals.handler import HANDLERS, Handler, HandlerContext
from platforms.wechat import InboundMessage, Reply, TextReply
from sandbox import callbacks
from tests.portals.conftest import PLAINTEXT_ALLOWED, post, post_wechat, reply_of, wechat_request

OPENID = "oReplay00000000000000000001"


def text(settings, content: str = "hello", msg_id: int | None = None) -> dict:
    return {"ToUserName": callbacks.original_id(settings), "FromUserName": OPENID, "CreateTime": int(time.time()),
            "MsgType": "text", "Content": content, "MsgId": msg_id or secrets.randbits(63)}


# -- replay window ---------------------------------------------------------------------------------------------

@PLAINTEXT_ALLOWED
@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
@pytest.mark.parametrize("offset", [-305, 305, -100000])
def test_a_timestamp_outside_five_minutes_is_401(probe, client, runtime, safe, offset):
    stamp = str(int(time.time()) + offset)
    result = post_wechat(client, runtime.settings, text(runtime.settings), safe=safe, timestamp=stamp)
    assert result.status_code == 401
    assert result.json["error"]["code"] == "stale_timestamp"
    assert probe.seen == []


@pytest.mark.parametrize("offset", [-290, 290])
def test_a_timestamp_inside_the_window_is_taken(probe, client, runtime, offset):
    stamp = str(int(time.time()) + offset)
    assert post_wechat(client, runtime.settings, text(runtime.settings), timestamp=stamp).status_code == 200
    assert len(probe.seen) == 1


def test_the_window_is_configurable(probe, portal_settings):
    settings = portal_settings(portal={"replay_window_seconds": 30})
    runtime = Runtime.from_settings(settings)
    try:
        client = falcon.testing.TestClient(create_app(settings, runtime))
        old = str(int(time.time()) - 60)
        assert post_wechat(client, settings, text(settings), timestamp=old).status_code == 401
        assert post_wechat(client, settings, text(settings)).status_code == 200
    finally:
        runtime.close()


def test_handshakes_check_the_window_too(client, runtime):
    crypto = callbacks.wechat_crypto(runtime.settings)
    stamp, nonce = str(int(time.time()) - 3600), "1"
    result = client.simulate_get(callbacks.WECHAT_PORTAL, params={
        "signature": crypto.signature(stamp, nonce), "timestamp": stamp, "nonce": nonce, "echostr": "e"})
    assert result.status_code == 401
    wecom = callbacks.wecom_crypto(runtime.settings)
    echostr = wecom.encrypt("e")
    result = client.simulate_get(callbacks.WECOM_PORTAL, params={
        "msg_signature": wecom.signature(stamp, nonce, echostr), "timestamp": stamp, "nonce": nonce,
        "echostr": echostr})
    assert result.status_code == 401


# -- dedup -----------------------------------------------------------------------------------------------------

class Slow(Handler, register=False):
    """Takes a while, counts its runs, answers with the run number (so a second run would show)."""

    priority = 2000
    msg_types = ("text",)
    runs = 0
    lock = threading.Lock()
    delay = 0.4

    def handle(self, message: InboundMessage, context: HandlerContext) -> Reply | None:
        with Slow.lock:
            Slow.runs += 1
            run = Slow.runs
        time.sleep(Slow.delay)
        return TextReply(f"run {run}")


@pytest.fixture
def slow():
    Slow.runs, Slow.delay = 0, 0.4
    with HANDLERS.registered(Slow):
        yield Slow


def test_the_same_msgid_posted_three_times_concurrently_runs_the_handler_once(slow, client, runtime):
    settings = runtime.settings
    fields = text(settings, "concurrent")
    # Three deliveries of one message, each freshly signed as the platform's retries are.
    requests = [wechat_request(settings, fields, safe=True, nonce=str(n)) for n in range(3)]
    barrier = threading.Barrier(3)
    results: list = [None] * 3

    def deliver(index: int) -> None:
        barrier.wait()
        results[index] = post(client, callbacks.WECHAT_PORTAL, requests[index])

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert slow.runs == 1
    replies = [reply_of(result, settings) for result in results]
    assert [r["Content"] for r in replies] == ["run 1"] * 3
    inbox = [json.loads(item) for item in runtime.redis.lrange("imbridge:inbound:inbox", 0, -1)]
    assert [item["kind"] for item in inbox] == ["inbound", "reply"]  # recorded once, with its reply
    assert inbox[1]["reply"] == "text: run 1"
    assert runtime.redis.llen("imbridge-dramatiq:inbound") == 1  # one drain woken


@PLAINTEXT_ALLOWED
def test_a_redelivery_after_the_reply_answers_the_same_reply(slow, client, runtime):
    slow.delay = 0
    settings = runtime.settings
    fields = text(settings, "again")
    first = reply_of(post_wechat(client, settings, fields, safe=True), settings)
    second = reply_of(post_wechat(client, settings, fields, safe=False), settings)
    assert first["Content"] == second["Content"] == "run 1"
    assert slow.runs == 1


def test_a_redelivery_that_waits_too_long_answers_success(slow, portal_settings):
    settings = portal_settings(portal={"retry_wait_seconds": 0.05})
    runtime = Runtime.from_settings(settings)
    try:
        client = falcon.testing.TestClient(create_app(settings, runtime))
        fields = text(settings, "slow")
        first: list = []
        thread = threading.Thread(target=lambda: first.append(post_wechat(client, settings, fields)))
        thread.start()
        time.sleep(0.1)
        retry = post_wechat(client, settings, fields)
        thread.join(5)
        assert retry.text == "success"
        assert reply_of(first[0], settings)["Content"] == "run 1"
        assert slow.runs == 1
    finally:
        runtime.close()


def test_events_dedup_on_sender_time_event_and_key(probe, client, runtime):
    settings = runtime.settings
    now = int(time.time())
    click = {"ToUserName": callbacks.original_id(settings), "FromUserName": OPENID, "CreateTime": now,
             "MsgType": "event", "Event": "CLICK", "EventKey": "A"}
    post_wechat(client, settings, click)
    post_wechat(client, settings, click)
    post_wechat(client, settings, {**click, "EventKey": "B"})
    post_wechat(client, settings, {**click, "CreateTime": now + 1})
    assert [m.event_key for m in probe.seen] == ["A", "B", "A"]


def test_the_same_msgid_on_wechat_and_wecom_are_different_messages(probe, client, runtime):
    settings = runtime.settings
    post_wechat(client, settings, text(settings, "w", msg_id=7))
    wecom = settings.third.wecom
    callbacks_fields = {"ToUserName": wecom.corp_id, "FromUserName": "u", "CreateTime": int(time.time()),
                        "MsgType": "text", "Content": "c", "MsgId": 7, "AgentID": wecom.agent_id}
    post(client, callbacks.WECOM_PORTAL, callbacks.build_wecom_callback(settings, callbacks_fields))
    assert len(probe.seen) == 2


class ByContent(Handler, register=False):
    """Overrides the dedup key: the same text from the same user is one message, whatever its MsgId."""

    priority = 3000
    msg_types = ("text",)
    runs = 0

    def dedup_key(self, message: InboundMessage) -> str:
        return f"{message.from_user}:{message.fields['Content']}"

    def handle(self, message: InboundMessage, context: HandlerContext) -> Reply | None:
        ByContent.runs += 1
        return None


def test_a_handler_can_override_the_dedup_key(portal_settings):
    ByContent.runs = 0
    with HANDLERS.registered(ByContent):
        settings = portal_settings()
        runtime = Runtime.from_settings(settings)
        try:
            client = falcon.testing.TestClient(create_app(settings, runtime))
            post_wechat(client, settings, text(settings, "same"))
            post_wechat(client, settings, text(settings, "same"))
            post_wechat(client, settings, text(settings, "other"))
        finally:
            runtime.close()
    assert ByContent.runs == 2


def test_a_failing_handler_answers_success_and_is_not_run_again(portal_settings, caplog):
    class Broken(Handler, register=False):
        priority = 3000
        runs = 0

        def handle(self, message, context):
            Broken.runs += 1
            raise RuntimeError("bug")

    with HANDLERS.registered(Broken):
        settings = portal_settings()
        runtime = Runtime.from_settings(settings)
        try:
            client = falcon.testing.TestClient(create_app(settings, runtime))
            fields = text(settings, "boom")
            first = post_wechat(client, settings, fields)
            second = post_wechat(client, settings, fields)
        finally:
            runtime.close()
    assert (first.status_code, first.text, second.text) == (200, "success", "success")
    assert Broken.runs == 1
    assert "Traceback" not in first.text
    assert "portal handler Broken failed" in caplog.text


def test_redis_down_is_a_503_the_platform_retries(portal_settings):
    settings = portal_settings(redis={"url": "redis://127.0.0.1:1/0"})
    runtime = Runtime.from_settings(settings)
    try:
        client = falcon.testing.TestClient(create_app(settings, runtime))
        result = post_wechat(client, settings, text(settings))
        assert result.status_code == 503
        assert result.json["error"]["code"] == "redis_unavailable"
    finally:
        runtime.close()


def test_a_handler_whose_matching_fails_leaves_the_message_unhandled_not_a_500(portal_settings):
    class BadMatch(Handler, register=False):
        priority = 5000

        def matches(self, message, platform):
            raise KeyError("oops")

    with HANDLERS.registered(BadMatch):
        settings = portal_settings()
        runtime = Runtime.from_settings(settings)
        try:
            client = falcon.testing.TestClient(create_app(settings, runtime))
            result = post_wechat(client, settings, text(settings, "x"))
            entry = json.loads(runtime.redis.lindex("imbridge:inbound:inbox", 0))
        finally:
            runtime.close()
    assert (result.status_code, result.text) == (200, "success")
    assert entry["handler"] == "error: KeyError"


def test_a_flushed_script_cache_or_a_dropped_connection_costs_no_callback(probe, client, runtime):
    """Redis restarted or failed over: the portal's own connection is remade and its scripts reloaded."""
    settings = runtime.settings
    assert reply_of(post_wechat(client, settings, text(settings, "one")), settings)
    runtime.redis.script_flush()
    # Every other connection, the portal's own among them (this client's pool reconnects).
    assert runtime.redis.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes") >= 1
    second = post_wechat(client, settings, text(settings, "two"))
    assert second.status_code == 200 and reply_of(second, settings)
    assert [m.fields["Content"] for m in probe.seen] == ["one", "two"]
    assert runtime.redis.llen("imbridge:inbound:inbox") >= 4  # both entries and both replies
