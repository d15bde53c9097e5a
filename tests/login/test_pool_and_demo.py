"""The pool's upkeep by the scheduler, the long-poll slots, and the demo page."""

from __future__ import annotations

import json
import threading

import pytest

from core.login import PooledCode
from core.login.pool import MINTING_KEY, POOL_KEY
from ingress.login.watcher import StatusWatcher
from scheduler.jobs.qr_pool import top_up_qr_pool
from tests.login.conftest import apply, wait_for


def test_the_scheduler_tops_the_pool_up_through_one_mint(runtime, tasks, pool, worker, sandbox):
    first = top_up_qr_pool(runtime, tasks)
    assert first["queued"] == runtime.settings.login.pool_size
    assert top_up_qr_pool(runtime, tasks)["queued"] == 0  # one mint at a time
    wait_for(lambda: pool.size() == runtime.settings.login.pool_size and not runtime.redis.exists(MINTING_KEY))
    size = runtime.settings.login.pool_size
    assert top_up_qr_pool(runtime, tasks) == {"dropped": 0, "size": size, "queued": 0, "target": size}


def test_the_scheduler_drops_codes_close_to_their_end(runtime, tasks, pool):
    now = pool.now()
    margin = runtime.settings.login.pool_min_remaining_seconds
    fresh = PooledCode("fresh-key-000000000000", "t1", "http://weixin.qq.com/q/1", now + margin + 60)
    worn = PooledCode("worn-key-0000000000000", "t2", "http://weixin.qq.com/q/2", now + margin - 1)
    for code in (worn, fresh):
        pool.add(code)
    runtime.redis.rpush(POOL_KEY, "not json")
    runtime.redis.set(MINTING_KEY, "1")  # a mint is under way: nothing more is queued
    assert top_up_qr_pool(runtime, tasks) == {"dropped": 2, "size": 1, "queued": 0, "target": 3}
    assert [json.loads(raw)["key"] for raw in runtime.redis.lrange(POOL_KEY, 0, -1)] == [fresh.key]


def test_a_worn_code_is_never_handed_out(client, runtime, pool, sandbox):
    now = pool.now()
    margin = runtime.settings.login.pool_min_remaining_seconds
    pool.add(PooledCode("worn-key-0000000000000", "t", "http://weixin.qq.com/q/w", now + margin - 5))
    pool.add(PooledCode("good-key-0000000000000", "t", "http://weixin.qq.com/q/g", now + margin + 100))
    assert apply(client)["qrCodeKey"] == "good-key-0000000000000"
    assert pool.size() == 0




def test_only_the_slots_are_held_the_rest_answer_at_once(redis_client):
    watcher = StatusWatcher(redis_client, "test:channel", slots=2)
    release = threading.Event()
    held: list[bool] = []

    def hold() -> None:
        with watcher.slot() as got:
            held.append(got)
            release.wait(10)

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(held) == 2)
    with watcher.slot() as third:
        assert third is False
    release.set()
    for thread in threads:
        thread.join()
    with watcher.slot() as again:
        assert again is True


def test_the_watcher_wakes_the_waiters_of_a_key_only(redis_client):
    watcher = StatusWatcher(redis_client, "test:channel", slots=4)
    with watcher.watching("a") as a, watcher.watching("b") as b:
        wait_for(lambda: redis_client.pubsub_numsub("test:channel")[0][1] == 1)
        a.wait(2)  # the subscription wakes everybody once: re-read after (re)subscribing
        a.clear()
        b.clear()
        redis_client.publish("test:channel", "a")
        assert a.wait(5)
        assert not b.is_set()
    assert watcher.waiting() == 0
    watcher.stop()


def test_the_demo_page_and_its_qr_image(client, filled_pool):
    page = client.simulate_get("/demo/qr-login")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "/token/wechat/qr/applyQrCode" in page.text and "wait: 25" in page.text
    assert "http" not in page.text.split("<script>")[1].replace("/token", "")  # no CDN, same origin only
    key = apply(client)["qrCodeKey"]
    image = client.simulate_get("/demo/qr-login/qr.svg", params={"key": key})
    assert image.status_code == 200 and image.headers["Content-Type"] == "image/svg+xml"
    assert image.text.startswith("<svg")
    assert client.simulate_get("/demo/qr-login/qr.svg", params={"key": "gone-key-000000000000"}).status_code == 404


@pytest.mark.parametrize("login_overrides", [{"demo_page": False}])
def test_the_demo_page_can_be_switched_off(client):
    answer = client.simulate_get("/demo/qr-login")  # no such route: a key is asked for before any 404
    assert answer.status_code == 401 and answer.json["error"]["code"] == "unauthorized"
