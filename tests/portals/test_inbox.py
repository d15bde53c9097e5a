"""The inbound inbox: entries wait in Redis until ``record_inbound`` drains them, and none is lost or doubled."""

from __future__ import annotations

import json
import time

import falcon.testing
import pytest

from core.inbox import INBOX_KEY, LOCK_KEY, SIGNAL_KEY, drain
from core.runtime import Runtime
from ingress import create_app
from models import InboundRecord
from sandbox import callbacks
from tests.portals.conftest import post_wechat
from tests.waiting import wait_for
from tests.worker_support import running_worker


def entry(n: int) -> dict:
    return {"kind": "inbound", "platform": "wechat", "app": "wx1", "msg_type": "text", "event": None,
            "event_key": None, "from_user": "o1", "to_user": "gh", "msg_id": str(n), "dedup_key": f"wechat:wx1:{n}",
            "create_time": 1700000000, "received_at": time.time(), "fields": {"Content": str(n)},
            "encrypted": True, "handler": None, "reply": None}


def records(runtime) -> list[InboundRecord]:
    with runtime.database.session() as session:
        return list(session.query(InboundRecord).order_by(InboundRecord.id))


def push(client, *entries: dict) -> None:
    client.rpush(INBOX_KEY, *[json.dumps(e) for e in entries])


def test_drain_stores_in_batches_trims_and_clears_the_signal(redis_client):
    push(redis_client, *[entry(n) for n in range(5)])
    redis_client.set(SIGNAL_KEY, "1")
    batches: list[list[str]] = []
    assert drain(redis_client, lambda items: batches.append([i["msg_id"] for i in items]), batch=2)
    assert batches == [["0", "1"], ["2", "3"], ["4"]]
    assert redis_client.llen(INBOX_KEY) == 0
    assert not redis_client.exists(SIGNAL_KEY) and not redis_client.exists(LOCK_KEY)


def test_a_long_drain_keeps_the_signal_up_so_callbacks_meanwhile_wake_no_other_drain(redis_client):
    push(redis_client, *[entry(n) for n in range(3)])
    redis_client.set(SIGNAL_KEY, "1", px=50)
    signal_seen: list[bool] = []

    def slow(items):  # each batch outlasts the signal a callback set
        signal_seen.append(bool(redis_client.exists(SIGNAL_KEY)))
        time.sleep(0.1)

    assert drain(redis_client, slow, batch=1)
    assert signal_seen[1:] == [True, True]  # kept up by the drainer after its first batch
    assert not redis_client.exists(SIGNAL_KEY)  # cleared once the inbox is empty


def test_a_failed_store_leaves_the_entries_for_the_next_drain(redis_client):
    push(redis_client, entry(1), entry(2))

    def broken(items):
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        drain(redis_client, broken)
    assert redis_client.llen(INBOX_KEY) == 2 and not redis_client.exists(LOCK_KEY)
    assert redis_client.pttl(SIGNAL_KEY) > 10_000  # callbacks leave the retry to the failed drain
    seen: list = []
    assert drain(redis_client, seen.extend)
    assert [i["msg_id"] for i in seen] == ["1", "2"]


def test_only_one_drainer_at_a_time(redis_client):
    push(redis_client, entry(1))
    redis_client.set(LOCK_KEY, "someone-else")
    assert drain(redis_client, lambda items: None) is False
    assert redis_client.llen(INBOX_KEY) == 1
    assert redis_client.get(LOCK_KEY) == b"someone-else"


def test_recording_twice_stores_once(runtime, tasks, worker):
    push(runtime.redis, entry(7), entry(7), entry(8))
    tasks.record_inbound()
    wait_for(lambda: runtime.redis.llen(INBOX_KEY) == 0 and len(records(runtime)) == 2)
    assert [r.msg_id for r in records(runtime)] == ["7", "8"]


def test_with_the_broker_down_the_callback_is_answered_and_recorded_later(portal_settings, redis_client):
    settings = portal_settings(broker={"url": "redis://127.0.0.1:1/0"})
    runtime = Runtime.from_settings(settings)
    try:
        client = falcon.testing.TestClient(create_app(settings, runtime))
        fields = {"ToUserName": callbacks.original_id(settings), "FromUserName": "o1",
                  "CreateTime": int(time.time()), "MsgType": "event", "Event": "subscribe", "EventKey": ""}
        result = post_wechat(client, settings, fields)
        assert result.status_code == 200 and "Encrypt" in result.text  # the welcome, encrypted
        kinds = [json.loads(i)["kind"] for i in runtime.redis.lrange(INBOX_KEY, 0, -1)]
        assert kinds == ["inbound", "reply"]
    finally:
        runtime.close()
    # The broker is back: the next callback after the signal expired wakes a drain that records both.
    healthy = Runtime.from_settings(portal_settings())
    try:
        healthy.redis.delete(SIGNAL_KEY)
        app = falcon.testing.TestClient(create_app(healthy.settings, healthy))
        with running_worker(healthy, threads=1):
            post_wechat(app, healthy.settings, {**fields, "Event": "unsubscribe"})
            wait_for(lambda: len(records(healthy)) == 2)
            follow, farewell = records(healthy)
            assert (follow.event, farewell.event) == ("subscribe", "unsubscribe")
            assert follow.reply.startswith("text: ")
    finally:
        healthy.close()


def test_odd_entries_are_stored_clipped_and_broken_ones_never_block_the_inbox(runtime, tasks, worker):
    odd = {**entry(20), "from_user": "o" * 5000, "create_time": 10**20, "event": "E" * 500}
    broken = {"kind": "inbound", "platform": "wechat"}  # no dedup key, no fields
    push(runtime.redis, odd, broken, entry(21))
    tasks.record_inbound()
    wait_for(lambda: runtime.redis.llen(INBOX_KEY) == 0 and len(records(runtime)) == 2)
    first, second = records(runtime)
    assert (len(first.from_user), first.create_time.year, len(first.event)) == (128, 1970, 64)
    assert second.msg_id == "21"


def test_the_drain_keeps_up_while_other_connections_write(runtime, actor_context):
    """SQLite: a transaction that reads first cannot become a writer after another connection's commit;
    the drain must take its write lock up front instead of failing with "database is locked"."""
    import threading

    from models import Database
    from models.inbound import store_inbound
    from workers.actors.inbound import record_inbound

    push(runtime.redis, *[entry(n) for n in range(300)])
    other, stop, written = Database(runtime.settings.database_url), threading.Event(), []

    def write() -> None:  # another worker recording, committing as fast as it can
        while not stop.is_set():
            with other.session() as session:
                store_inbound(session, {**entry(10_000 + len(written)), "dedup_key": f"other:{len(written)}"})
            written.append(1)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        wait_for(lambda: len(written) > 5)
        record_inbound(actor_context)
    finally:
        stop.set()
        writer.join()
        other.dispose()
    assert runtime.redis.llen(INBOX_KEY) == 0
    assert {f"wechat:wx1:{n}" for n in range(300)} <= {r.dedup_key for r in records(runtime)}
