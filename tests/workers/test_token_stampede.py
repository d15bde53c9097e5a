"""Tokens never stampede: 4 processes x 8 threads, tokens expiring every 3 s, one fetch per expiry."""

from __future__ import annotations

import pytest

from bench.tokens import stampede
from config import load_settings
from sandbox.server import serve_in_thread


@pytest.fixture
def sandbox_url(redis_url):
    url, stop = serve_in_thread(load_settings(None, redis={"url": redis_url}, sandbox={"enabled": True}), port=0)
    yield url
    stop()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode", ["classic", "stable"])
def test_many_callers_share_one_fetch_per_expiry(sandbox_url, redis_url, redis_client, tmp_path, mode):
    result = stampede(sandbox_url, redis_url, processes=4, threads=8, seconds=6, lifetime=3, mode=mode, pause=0.05,
                      var_dir=str(tmp_path))
    assert not result.failures, f"calls failed: {result.failures}"
    assert result.calls > 32 * 20, "every caller made calls"
    # One fetch per expiry (plus the first), never one per caller: 32 callers would mean ~32 per expiry.
    assert result.token_fetches <= result.expiries + 2, (result.token_fetches, result.expiries)
