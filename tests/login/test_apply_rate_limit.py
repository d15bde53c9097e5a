"""applyQrCode needs no key, and its codes come from one pool every visitor shares: one client looping on it
must not drain the pool. A per-client limit (``login.apply-rate-limit`` per ``apply-rate-window-seconds``),
counted in Redis so every ingress replica shares it, answers the excess 429 with ``Retry-After``."""

from __future__ import annotations

import falcon.testing
import pytest

from core.login import PooledCode
from ingress import create_app
from ingress.login.messages import Code
from tests.login.conftest import code
from tests.waiting import wait_for

APPLY = "/token/wechat/qr/applyQrCode"


@pytest.fixture
def stocked_pool(pool):
    """Twenty codes pooled as if minted (this is about the limit, not about WeChat)."""
    now = pool.now()
    for n in range(20):
        pool.add(PooledCode(f"limit-key-{n:011d}", f"ticket{n}", f"http://weixin.qq.com/q/{n}", now + 300))
    return pool


@pytest.mark.parametrize("login_overrides", [{"apply_rate_limit": 3, "apply_rate_window_seconds": 60}])
def test_a_flood_from_one_client_is_429_and_leaves_the_pool_for_others(client, stocked_pool):
    answers = [client.simulate_post(APPLY, remote_addr="203.0.113.7") for _ in range(10)]
    assert [code(a) for a in answers] == [0] * 3 + [Code.RATE_LIMITED] * 7
    refused = answers[-1]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert stocked_pool.size() == 20 - 3  # a refused request takes no code
    # Someone else is served as before.
    assert code(client.simulate_post(APPLY, remote_addr="198.51.100.9")) == 0


@pytest.mark.parametrize("login_overrides", [{"apply_rate_limit": 3, "apply_rate_window_seconds": 60}])
def test_the_limit_is_shared_by_every_ingress_replica(runtime, client, stocked_pool):
    other = falcon.testing.TestClient(create_app(runtime.settings, runtime))
    assert code(client.simulate_post(APPLY, remote_addr="203.0.113.7")) == 0
    assert code(other.simulate_post(APPLY, remote_addr="203.0.113.7")) == 0
    assert code(client.simulate_post(APPLY, remote_addr="203.0.113.7")) == 0
    assert code(other.simulate_post(APPLY, remote_addr="203.0.113.7")) == Code.RATE_LIMITED


@pytest.mark.parametrize("login_overrides", [{"apply_rate_limit": 2, "apply_rate_window_seconds": 1}])
def test_the_client_is_served_again_when_its_window_ends(client, stocked_pool):
    for _ in range(2):
        assert code(client.simulate_post(APPLY)) == 0
    refused = client.simulate_post(APPLY)
    assert code(refused) == Code.RATE_LIMITED and refused.headers["Retry-After"] == "1"
    wait_for(lambda: code(client.simulate_post(APPLY)) == 0, timeout=5)


@pytest.mark.parametrize("login_overrides", [{"apply_rate_limit": 0}])
def test_zero_means_no_limit(client, stocked_pool):
    assert {code(client.simulate_post(APPLY)) for _ in range(15)} == {0}


def test_behind_a_proxy_the_configured_header_names_the_client(login_settings, stocked_pool):
    from core.runtime import Runtime

    settings = login_settings(login={"apply_rate_limit": 2}, ingress={"client_ip_header": "X-Forwarded-For"})
    runtime = Runtime.from_settings(settings)
    try:
        client = falcon.testing.TestClient(create_app(settings, runtime))

        def apply_as(chain: str) -> int:
            return code(client.simulate_post(APPLY, remote_addr="10.0.0.1", headers={"X-Forwarded-For": chain}))

        # Every request arrives from the proxy (10.0.0.1); the proxy's own entry (the last) tells clients apart,
        # and what a client writes before it (a forged first entry) changes nothing.
        assert [apply_as(f"1.1.1.{n}, 203.0.113.7") for n in range(3)] == [0, 0, Code.RATE_LIMITED]
        assert apply_as("203.0.113.8") == 0
    finally:
        runtime.close()
