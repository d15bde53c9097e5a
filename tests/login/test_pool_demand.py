"""The pool follows demand: idle it mints within a small hourly budget, it grows with the apply rate, and a
burst beyond it is served by minting on demand, a bounded number at once, the rest told "busy" at once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.login import PoolDemand, PooledCode
from core.login.pool import MINTING_KEY
from ingress.login.messages import Code
from scheduler.jobs.qr_pool import top_up_qr_pool
from tests.login.conftest import wait_for

APPLY = "/token/wechat/qr/applyQrCode"


def qrcode_creates(sandbox) -> int:
    return len(sandbox.get("/journal", params={"path": "/cgi-bin/qrcode/create"}).json()["entries"])


def test_the_target_follows_recent_applies_within_its_bounds():
    demand = PoolDemand(min_size=1, max_size=20, window_seconds=300, idle_codes_per_hour=12)
    assert [demand.target(n) for n in (0, 1, 7, 20, 500)] == [1, 1, 7, 20, 20]
    assert demand.shortfall(size=0, recent_applies=0, minted_last_hour=0) == 1
    assert demand.shortfall(size=0, recent_applies=0, minted_last_hour=12) == 0  # idle budget spent
    assert demand.shortfall(size=2, recent_applies=9, minted_last_hour=500) == 7  # demand: no idle cap
    assert demand.running_low(size=3, recent_applies=9) and not demand.running_low(size=5, recent_applies=9)


IDLE = {"pool_size": 10, "pool_min_size": 1, "pool_idle_codes_per_hour": 2}


@pytest.mark.parametrize("login_overrides", [IDLE])
def test_an_idle_pool_keeps_one_code_and_mints_no_more_than_its_hourly_budget(runtime, tasks, pool, worker, sandbox):
    assert top_up_qr_pool(runtime, tasks)["queued"] == 1  # nobody applied: the minimum, not pool-size
    wait_for(lambda: pool.size() == 1 and not runtime.redis.exists(MINTING_KEY))
    assert top_up_qr_pool(runtime, tasks)["queued"] == 0
    # The code wears out (dropped by the next check) and is replaced: that spends the budget of 2 an hour.
    worn = PooledCode.from_json(runtime.redis.lpop("imbridge:qr:pool"))
    runtime.redis.rpush("imbridge:qr:pool", PooledCode(worn.key, worn.ticket, worn.url, pool.now()).to_json())
    assert top_up_qr_pool(runtime, tasks)["dropped"] == 1
    wait_for(lambda: pool.size() == 1 and not runtime.redis.exists(MINTING_KEY))
    runtime.redis.delete("imbridge:qr:pool")
    assert top_up_qr_pool(runtime, tasks)["queued"] == 0  # empty, but 2 codes were minted this hour already
    assert qrcode_creates(sandbox) == 2


@pytest.mark.parametrize("login_overrides", [IDLE])
def test_the_pool_grows_with_the_apply_rate(runtime, tasks, pool, client, worker, sandbox):
    top_up_qr_pool(runtime, tasks)
    wait_for(lambda: pool.size() == 1 and not runtime.redis.exists(MINTING_KEY))
    for n in range(6):
        assert client.simulate_post(APPLY, remote_addr=f"198.51.100.{n}").status_code == 200
    wait_for(lambda: not runtime.redis.exists(MINTING_KEY))
    checked = top_up_qr_pool(runtime, tasks)
    assert checked["target"] == 6, checked
    # The target is reached (an on-demand mint whose request a top-up served may add one more), never pool-size.
    wait_for(lambda: pool.size() >= 6 and not runtime.redis.exists(MINTING_KEY))
    assert pool.size() <= runtime.settings.login.pool_size


def test_apply_does_not_wait_for_wechat_while_the_pool_holds_a_code(runtime, client, pool, sandbox):
    pool.add(PooledCode("pooled-key-00000000000", "t", "http://weixin.qq.com/q/p", pool.now() + 3000))
    result = client.simulate_post(APPLY)  # no worker runs: only a pooled code can answer
    assert result.status_code == 200 and result.json["data"]["qrCodeKey"] == "pooled-key-00000000000"
    assert result.json["data"]["expireSeconds"] <= runtime.settings.login.qr_lifetime_seconds
    assert qrcode_creates(sandbox) == 0


@pytest.mark.parametrize("login_overrides", [{"pool_max_concurrent_mints": 2, "apply_wait_seconds": 3.0}])
def test_beyond_the_on_demand_slots_a_burst_is_told_busy_at_once(runtime, client, pool, sandbox):
    held = [pool.claim_on_demand_slot(2), pool.claim_on_demand_slot(2)]  # two requests already wait for mints
    assert all(held)
    result = client.simulate_post(APPLY)
    assert result.status_code == 503 and result.json["code"] == Code.TRY_AGAIN  # the seed's envelope
    assert result.headers["Retry-After"] == "1"
    assert runtime.redis.llen("imbridge-dramatiq:login") == 1  # the top-up only: no mint queued for it
    pool.release_on_demand_slot(held[0])
    assert pool.claim_on_demand_slot(2) is not None  # a released slot serves the next one


@pytest.mark.parametrize("login_overrides", [{"pool_size": 10, "pool_min_size": 0, "pool_max_concurrent_mints": 8,
                                             "apply_rate_limit": 0}])
def test_a_burst_on_an_empty_pool_is_served_by_minting_on_demand(runtime, client, pool, worker, sandbox):
    with ThreadPoolExecutor(6) as workers:
        answers = list(workers.map(lambda n: client.simulate_post(APPLY), range(6)))
    assert [a.status_code for a in answers] == [200] * 6
    assert len({a.json["data"]["qrCodeKey"] for a in answers}) == 6
    wait_for(lambda: not runtime.redis.exists(MINTING_KEY))
    assert qrcode_creates(sandbox) <= runtime.settings.login.pool_size + 6  # bounded by the pool's maximum


def test_an_on_demand_mint_that_outlived_its_request_is_skipped(runtime, tasks, pool, worker, sandbox):
    tasks.mint_login_codes(1, time.time() - 1)
    tasks.mint_login_codes(1)  # a top-up behind it, to know the queue has been worked through
    wait_for(lambda: pool.size() == 1)
    wait_for(lambda: runtime.redis.hlen("imbridge-dramatiq:login.msgs") == 0)  # both acknowledged
    assert qrcode_creates(sandbox) == 1
