"""The scheduler process: wait for leadership, run the jobs while leading, step down cleanly.

APScheduler's BlockingScheduler runs the jobs; a separate renewal job keeps the leader lock. Losing the lock
(Redis restarted, the process stalled past the TTL) stops the jobs and puts this instance back to waiting.
Redis being unreachable is waited out, never a reason to exit: a leader that cannot renew for a whole TTL
steps down (another scheduler may lead by then), and a waiting one keeps trying.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

import redis
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.exc import OperationalError

from core.runtime import Runtime
from core.tasks import Tasks
from scheduler.jobs.admin_jobs import sweep_jobs, sync_subscribe_templates, sync_wechat_templates
from scheduler.jobs.heartbeat import heartbeat
from scheduler.jobs.outbox import sweep_outbox
from scheduler.jobs.qr_pool import top_up_qr_pools
from scheduler.jobs.retention import prune_old_records
from scheduler.jobs.tokens import refresh_tokens
from scheduler.leader import LeaderLock

log = logging.getLogger(f"imbridge.{__name__}")

#: A job meeting one of these is skipped until its next run: an outage, not a bug (no traceback for each run).
OUTAGES = (redis.RedisError, OperationalError)


def skipped_during_outages(job: Callable[..., Any]) -> Callable[..., Any]:
    """``job``, logging one line instead of APScheduler's traceback when Redis or the database cannot answer."""

    @wraps(job)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return job(*args, **kwargs)
        except OUTAGES as exc:
            reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            log.warning("scheduler job %s skipped until its next run: %s (%s)", job.__name__, reason,
                        type(exc).__name__)
            return None

    return run


class SchedulerProcess:
    """One scheduler instance. ``run()`` blocks until ``stop()`` (or SIGTERM/SIGINT).

    :param tasks: what its jobs enqueue through; built from the settings when not given.
    """

    def __init__(self, runtime: Runtime, tasks: Tasks | None = None) -> None:
        self.runtime = runtime
        self.tasks = tasks or Tasks.from_settings(runtime.settings)
        config = runtime.settings.scheduler
        self.lock = LeaderLock(runtime.redis, ttl_seconds=config.leader_ttl_seconds)
        self.ttl_seconds = config.leader_ttl_seconds
        self.renew_every = config.leader_ttl_seconds / 3
        self._renewed_at = 0.0
        self._stopping = threading.Event()
        self._scheduler: BlockingScheduler | None = None

    def build(self) -> BlockingScheduler:
        """A scheduler with every job this deployment runs, not started (``run`` starts one while it leads)."""
        settings, runtime, tasks = self.runtime.settings, self.runtime, self.tasks
        scheduler = BlockingScheduler(job_defaults={"coalesce": True, "max_instances": 1})
        scheduler.add_job(self._renew, "interval", seconds=self.renew_every, id="leader-renew")

        def every(seconds: float, job_id: str, job: Callable[..., Any], *args: Any, now: bool = False) -> None:
            scheduler.add_job(skipped_during_outages(job), "interval", seconds=seconds, id=job_id, args=list(args),
                              **({"next_run_time": datetime.now(UTC)} if now else {}))

        every(settings.scheduler.heartbeat_seconds, "heartbeat", heartbeat, runtime, self.lock.owner)
        every(settings.tokens.check_seconds, "refresh-tokens", refresh_tokens, runtime, now=True)
        every(settings.notifications.outbox_check_seconds, "notifications-outbox", sweep_outbox, runtime, tasks)
        every(settings.jobs.sweep_seconds, "jobs-sweep", sweep_jobs, runtime, tasks)
        if settings.wechat_admin.template_sync_seconds:
            every(settings.wechat_admin.template_sync_seconds, "wechat-template-sync", sync_wechat_templates, runtime,
                  tasks, now=True)
            every(settings.wechat_admin.template_sync_seconds, "wechat-subscribe-template-sync",
                  sync_subscribe_templates, runtime, tasks, now=True)
        every(settings.login.pool_check_seconds, "qr-pool", top_up_qr_pools, runtime, tasks, now=True)
        every(settings.retention.check_seconds, "retention", prune_old_records, runtime)
        return scheduler

    def _renew(self) -> None:
        try:
            renewed = self.lock.renew()
        except redis.RedisError as exc:
            if time.monotonic() - self._renewed_at < self.ttl_seconds:
                log.warning("scheduler: Redis unavailable (%s); leadership kept until the lock's TTL", exc)
                return
            log.warning("scheduler: Redis unavailable for a whole lock TTL (%s); stepping down", exc)
            renewed = False
        if renewed:
            self._renewed_at = time.monotonic()
            return
        log.warning("lost scheduler leadership; stopping jobs and waiting to lead again")
        assert self._scheduler is not None
        self._scheduler.shutdown(wait=False)

    def _acquire(self) -> bool:
        """Whether we lead now; an unreachable Redis means not yet."""
        try:
            return self.lock.acquire()
        except redis.RedisError as exc:
            log.warning("scheduler: Redis unavailable (%s); trying to lead again in %.1f s", exc, self.renew_every)
            return False

    def run(self) -> None:
        while not self._stopping.is_set():
            if not self._acquire():
                self._stopping.wait(self.renew_every)
                continue
            self._renewed_at = time.monotonic()
            log.info("scheduler %s leads", self.lock.owner)
            self._scheduler = self.build()
            self._scheduler.start()  # blocks until shutdown
            self._scheduler = None
        with contextlib.suppress(redis.RedisError):  # the lock expires on its own
            self.lock.release()

    def stop(self) -> None:
        self._stopping.set()
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)


def run_scheduler(runtime: Runtime, tasks: Tasks | None = None) -> None:
    process = SchedulerProcess(runtime, tasks)

    def _on_signal(_signum: int, _frame: object) -> None:
        process.stop()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    process.run()
