"""Handing out a login code: from the pool when it holds one, else minted on demand, a bounded number at once.

``applyQrCode`` calls :func:`dispense`. A pooled code costs one Redis round trip and no call to WeChat; a
pool running low (against the demand it just counted) gets a top-up queued. An empty pool makes the request
take an on-demand slot (``login.pool-max-concurrent-mints`` across every ingress), queue a mint of one code
and wait for it on the pool list; with no slot free, a burst is told "busy" at once instead of queueing WeChat
calls without end.
"""

from __future__ import annotations

import logging

from config.settings import LoginSettings
from core.login.demand import PoolDemand
from core.login.pool import QrPool, TakenCode, request_mint, request_on_demand_mint
from core.tasks import Tasks

log = logging.getLogger(f"imbridge.{__name__}")


class CodeUnavailable(Exception):
    """No code for this request; ``code`` names why (the API error code)."""

    code = "pool_empty"


class PoolEmpty(CodeUnavailable):
    """No code arrived within ``login.apply-wait-seconds``."""

    code = "pool_empty"


class PoolBusy(CodeUnavailable):
    """The pool is empty and every on-demand mint slot is taken."""

    code = "busy"


class BrokerUnavailable(CodeUnavailable):
    """The pool is empty and the broker refused the mint."""

    code = "broker_unavailable"


def dispense(pool: QrPool, tasks: Tasks, login: LoginSettings) -> TakenCode:
    """A code for one apply, its key open.

    :raises CodeUnavailable: (a subclass naming why) when none can be had within the bounds.
    """
    demand = PoolDemand.from_settings(login)
    got = pool.take()
    if isinstance(got, TakenCode):
        if demand.running_low(got.pool_size, got.recent_applies):
            _top_up(pool, tasks, demand.target(got.recent_applies) - got.pool_size)
        return got
    _top_up(pool, tasks, demand.target(got.recent_applies))
    slot = pool.claim_on_demand_slot(login.pool_max_concurrent_mints)
    if slot is None:
        raise PoolBusy("every on-demand mint slot is taken")
    try:
        try:
            request_on_demand_mint(tasks, login.apply_wait_seconds, pool.account)
        except Exception as exc:  # redis/pika connection errors differ; all mean "broker unavailable"
            raise BrokerUnavailable("the broker refused the mint") from exc
        taken = pool.wait_take(login.apply_wait_seconds)
    finally:
        pool.release_on_demand_slot(slot)
    if taken is None:
        raise PoolEmpty("no code arrived in time")
    return taken


def _top_up(pool: QrPool, tasks: Tasks, count: int) -> None:
    """Queue a top-up mint at once (best effort: the scheduler's next check tries again)."""
    if count <= 0:
        return
    try:
        request_mint(pool, tasks, count)
    except Exception as exc:
        log.warning("QR pool low and the broker refused a mint: %s", exc)
