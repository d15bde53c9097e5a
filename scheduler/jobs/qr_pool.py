"""The QR-code pool's upkeep: drop codes close to their end, and queue a mint when the pool is below its target.

Handed-out keys need no sweep: each expires in Redis with its QR code. Pooled codes have no expiry of their
own (they sit in a list), so this job removes those with less than ``login.pool-min-remaining-seconds``
left, then asks a worker to mint what is missing up to the pool's target: the applies of the last
``login.pool-demand-window-seconds`` between ``pool-min-size`` and ``pool-size``, and with nobody applying no
more than ``pool-idle-codes-per-hour`` codes an hour (see :mod:`core.login.demand`). Every Official Account with
QR login has its own pool, kept alike (:func:`top_up_qr_pools`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from core.accounts import UnknownAccount
from core.login import QrPool, request_mint
from core.login.accounts import QrLoginOff, qr_login_account, qr_login_accounts
from core.login.demand import IDLE_BUDGET_SECONDS, PoolDemand
from core.runtime import Runtime
from core.tasks import Tasks

log = logging.getLogger(f"imbridge.{__name__}")


def top_up_qr_pools(runtime: Runtime, tasks: Tasks) -> dict[str, dict[str, int]]:
    """:func:`top_up_qr_pool` for every Official Account with QR login; what each saw and did, by code."""
    return {account.code: top_up_qr_pool(runtime, tasks, account=account.code)
            for account in qr_login_accounts(runtime.accounts)}


def top_up_qr_pool(runtime: Runtime, tasks: Tasks, clock: Callable[[], float] | None = None,
                   account: str | None = None) -> dict[str, int]:
    """Drop worn codes of ``account``'s pool (None: the default's) and queue a mint for the shortfall; returns
    what it saw and did (all zero for an account without QR login).

    :param clock: the pool's clock (None: the Redis server's); a bench passes a simulated one.
    """
    try:
        qr_login_account(runtime.accounts, account)
    except (UnknownAccount, QrLoginOff):
        return {"dropped": 0, "size": 0, "queued": 0, "target": 0}
    config = runtime.settings.login
    pool = QrPool.from_settings(runtime.redis, config, clock, account=account)
    demand = PoolDemand.from_settings(config)
    dropped = pool.prune()
    size = pool.size()
    applies = pool.recent_applies()
    shortfall = demand.shortfall(size, applies, pool.minted_since(IDLE_BUDGET_SECONDS))
    queued = 0
    if shortfall > 0:
        try:
            queued = shortfall if request_mint(pool, tasks, shortfall) else 0
        except Exception as exc:  # the broker is down: the next check tries again
            log.warning("QR pool: cannot queue a mint: %s", exc)
    if dropped:
        log.info("QR pool (%s): dropped %d worn codes, %d left, %d queued", pool.account, dropped, size, queued)
    return {"dropped": dropped, "size": size, "queued": queued, "target": demand.target(applies)}
