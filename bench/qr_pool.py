"""QR-code pool: codes minted per hour with nobody logging in, and per 100 applies, demand-driven vs the old fixed pool.

Runs the real pool code (:class:`core.login.QrPool`'s Redis scripts, the scheduler's ``top_up_qr_pool`` and
``applyQrCode``'s :func:`core.login.dispense`) on a Redis, on a **simulated clock**: one simulated hour is 720
scheduler checks 5 s apart, run as fast as Redis answers. Mints are done at once by the bench (a code with the
lifetime WeChat would give it; no sandbox, no Dramatiq): this measures the pool's policy, not WeChat.

The old pool is the same code configured as it was: 20 codes kept at all times, each asked for 300 s of life
(``pool-min-size = pool-size = 20``, ``pool-code-lifetime-seconds = 300``, no idle budget).

    python bench/qr_pool.py [--hours 2] [--redis-url URL]

Scenarios: idle (no apply; per hour, averaged over ``--hours``), steady (100 applies spread over one hour),
burst (100 applies within one minute, then quiet for the rest of that hour). Printed: codes minted per
simulated hour, and the new/old ratio.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support.harness import redis_url
from config import Settings, load_settings
from core.accounts import Accounts
from core.login import CodeUnavailable, PooledCode, QrPool, dispense
from scheduler.jobs.qr_pool import top_up_qr_pool

#: The scheduler's check interval (``login.pool-check-seconds``), in simulated seconds.
TICK = 5.0
OLD = {"pool_size": 20, "pool_min_size": 20, "pool_code_lifetime_seconds": 300,
       "pool_idle_codes_per_hour": 100_000}
NEW: dict[str, Any] = {}  # the defaults


class SimClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class InstantMints:
    """Stands in for the task interface: mints at once into the pool, and counts."""

    def __init__(self, pool: QrPool, settings: Settings) -> None:
        self.pool, self.login, self.minted = pool, settings.login, 0

    def mint_login_codes(self, count: int, deadline: float | None = None, account: str | None = None) -> None:
        try:
            for _ in range(max(1, count)):
                if self.pool.size() >= self.login.pool_size:
                    break
                key = secrets.token_urlsafe(16)
                url = "http://weixin.qq.com/q/" + key
                self.pool.add(PooledCode(key, "ticket", url, self.pool.now() + self.login.pool_code_lifetime_seconds))
                self.minted += 1
        finally:
            if deadline is None:
                self.pool.minting_done()


def run(store: redis.Redis, login: dict[str, Any], hours: int, applies_at: list[float]) -> tuple[int, int]:
    """Simulate ``hours`` hours with applies at the given offsets (seconds); returns (minted, applies served)."""
    for key in store.scan_iter("imbridge:qr:*"):
        store.delete(key)
    settings = load_settings(None, sandbox={"enabled": True}, login={**login, "apply_wait_seconds": 0.05})
    clock = SimClock()
    pool = QrPool.from_settings(store, settings.login, clock)
    mints = InstantMints(pool, settings)
    runtime = SimpleNamespace(settings=settings, redis=store, accounts=Accounts(settings))
    pending = sorted(applies_at)
    served = 0
    start = clock.now
    end = start + hours * 3600
    while clock.now < end:
        while pending and start + pending[0] <= clock.now + TICK:
            clock.now = max(clock.now, start + pending.pop(0))
            try:
                dispense(pool, mints, settings.login)  # type: ignore[arg-type]
                served += 1
            except CodeUnavailable:
                pass
        top_up_qr_pool(runtime, mints, clock)  # type: ignore[arg-type]
        clock.now += TICK
    return mints.minted, served


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=int, default=2)
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var, redis_url(args.redis_url, Path(var)) as url:
        store = redis.Redis.from_url(url)
        scenarios = {
            "idle, per hour": [],
            "100 applies spread over an hour": [36.0 * n + 1 for n in range(100)],
            "100 applies in one minute": [0.6 * n + 1 for n in range(100)],
        }
        print(f"simulated clock: {args.hours} h per scenario, a scheduler check every {TICK:.0f} s; codes minted")
        print(f"{'scenario':36} {'old fixed pool':>16} {'demand-driven':>14} {'new/old':>8}")
        missed = []
        for name, applies in scenarios.items():
            hours = args.hours if not applies else 1  # the applies fall in the first hour: count that hour
            old, old_served = run(store, OLD, hours, applies)
            new, new_served = run(store, NEW, hours, applies)
            ratio = new / old if old else float("nan")
            served = f"   served {old_served} vs {new_served} of {len(applies)}" if applies else ""
            print(f"{name:36} {old / hours:16.1f} {new / hours:14.1f} {ratio:8.3f}{served}")
            if not applies and new / hours > 12:
                missed.append(f"idle: {new / hours:.1f} codes an hour, more than 12")
            if applies and new_served < old_served:
                missed.append(f"{name}: served {new_served}, the old pool {old_served}")
        print("goal met: idle at most 12 codes an hour, every apply served as before" if not missed
              else "goal MISSED: " + "; ".join(missed))
        if missed:
            sys.exit(1)

if __name__ == "__main__":
    main()
