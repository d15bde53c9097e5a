"""Tokens never stampede: 4 deployments' clients x 8 threads, all finding their token expired at once, make one
fetch per expiry between them.

Each "deployment" has its own clients, token store and Redis connections, so only Redis coordinates them, as it
does across processes. Expiry is the sandbox's clock moved forward (``/_sandbox/clock``), not waited out; every
round starts all 32 callers together on a barrier. (``bench/tokens.py`` measures the same over real processes
and real time.)
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import redis

from config import load_settings
from core.clients import PlatformClients

DEPLOYMENTS, THREADS, ROUNDS = 4, 8, 3
#: Further than any token lives in the sandbox (its default lifetime is WeChat's 7200 s).
PAST_EXPIRY_SECONDS = 7300


@pytest.mark.parametrize("mode", ["classic", "stable"])
def test_many_callers_share_one_fetch_per_expiry(sandbox, control, redis_url, redis_client, mode):
    settings = load_settings(None, redis={"url": redis_url}, third={"wechat": {"token_mode": mode}},
                             sandbox=sandbox.section)
    control.post("/config", json={"classic_grace_seconds": 0, "stable_overlap_seconds": 1}).raise_for_status()
    connections = [redis.Redis.from_url(redis_url) for _ in range(DEPLOYMENTS)]
    deployments = [PlatformClients(settings, connection, token_margin_seconds=0) for connection in connections]
    barrier = threading.Barrier(DEPLOYMENTS * THREADS + 1)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def caller(clients: PlatformClients) -> None:
        for _ in range(ROUNDS):
            barrier.wait(timeout=30)  # everyone starts the round together
            try:
                clients.wechat.menu.get()
                outcome = "ok"
            except Exception as exc:  # every failure is counted by kind and reported
                outcome = f"{type(exc).__name__}: {getattr(exc, 'errcode', '')}"
            with lock:
                outcomes[outcome] += 1
            barrier.wait(timeout=30)  # the round is over

    threads = [threading.Thread(target=caller, args=(clients,)) for clients in deployments for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(ROUNDS):
            barrier.wait(timeout=30)
            barrier.wait(timeout=60)
            # Every token the callers hold is now expired as far as "WeChat" is concerned.
            control.post("/clock", json={"advance": PAST_EXPIRY_SECONDS}).raise_for_status()
    finally:
        for thread in threads:
            thread.join(timeout=60)
        for clients in deployments:
            clients.close()
        for connection in connections:
            connection.close()
    path = "/cgi-bin/token" if mode == "classic" else "/cgi-bin/stable_token"
    fetches = len(control.get("/journal", params={"path": path, "platform": "wechat"}).json()["entries"])
    assert outcomes == {"ok": DEPLOYMENTS * THREADS * ROUNDS}, outcomes
    # The first fetch, then one per expiry (rounds 2 and 3 each start on an expired token): never one per caller.
    assert fetches == ROUNDS, fetches
