"""The QR-code pool's upkeep: drop codes close to their end, and queue a mint when the pool runs low.

Handed-out keys need no sweep: each expires in Redis with its QR code. Pooled codes have no expiry of their
own (they sit in a list), so this job removes those with less than ``login.pool-min-remaining-seconds``
left, then asks a worker to mint what is missing up to ``login.pool-size``.
"""

from __future__ import annotations

import logging

from core.login import QrPool, request_mint
from core.runtime import Runtime
from core.tasks import Tasks

log = logging.getLogger(f"imbridge.{__name__}")


def top_up_qr_pool(runtime: Runtime, tasks: Tasks) -> dict[str, int]:
    """Drop worn codes and queue a mint for the shortfall; returns what it saw and did."""
    if not runtime.settings.third.wechat.configured:
        return {"dropped": 0, "size": 0, "queued": 0}
    config = runtime.settings.login
    pool = QrPool(runtime.redis, config.pool_min_remaining_seconds)
    dropped = pool.prune()
    size = pool.size()
    shortfall = config.pool_size - size
    queued = 0
    if shortfall > 0:
        try:
            queued = shortfall if request_mint(pool, tasks, shortfall) else 0
        except Exception as exc:  # the broker is down: the next check tries again
            log.warning("QR pool: cannot queue a mint: %s", exc)
    if dropped:
        log.info("QR pool: dropped %d worn codes, %d left, %d queued", dropped, size, queued)
    return {"dropped": dropped, "size": size, "queued": queued}
