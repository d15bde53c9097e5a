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
from datetime import UTC, datetime

import redis
from apscheduler.schedulers.blocking import BlockingScheduler

from scheduler.jobs.admin_jobs import sweep_jobs, sync_wechat_templates
from scheduler.jobs.heartbeat import heartbeat
from scheduler.jobs.outbox import sweep_outbox
from scheduler.jobs.qr_pool import top_up_qr_pool
from scheduler.jobs.tokens import refresh_tokens
from scheduler.leader import LeaderLock
from workers.runtime import Runtime

log = logging.getLogger(__name__)


class SchedulerProcess:
    """One scheduler instance. ``run()`` blocks until ``stop()`` (or SIGTERM/SIGINT)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        config = runtime.settings.scheduler
        self.lock = LeaderLock(runtime.redis, ttl_seconds=config.leader_ttl_seconds)
        self.ttl_seconds = config.leader_ttl_seconds
        self.renew_every = config.leader_ttl_seconds / 3
        self._renewed_at = 0.0
        self._stopping = threading.Event()
        self._scheduler: BlockingScheduler | None = None

    def _build(self) -> BlockingScheduler:
        config = self.runtime.settings.scheduler
        scheduler = BlockingScheduler(job_defaults={"coalesce": True, "max_instances": 1})
        scheduler.add_job(self._renew, "interval", seconds=self.renew_every, id="leader-renew")
        scheduler.add_job(
            heartbeat, "interval", seconds=config.heartbeat_seconds, id="heartbeat",
            args=[self.runtime, self.lock.owner],
        )
        scheduler.add_job(
            refresh_tokens, "interval", seconds=self.runtime.settings.tokens.check_seconds, id="refresh-tokens",
            args=[self.runtime], next_run_time=datetime.now(UTC),
        )
        scheduler.add_job(
            sweep_outbox, "interval", seconds=self.runtime.settings.notifications.outbox_check_seconds,
            id="notifications-outbox", args=[self.runtime],
        )
        scheduler.add_job(
            sweep_jobs, "interval", seconds=self.runtime.settings.jobs.sweep_seconds, id="jobs-sweep",
            args=[self.runtime],
        )
        if self.runtime.settings.wechat_admin.template_sync_seconds:
            scheduler.add_job(
                sync_wechat_templates, "interval", seconds=self.runtime.settings.wechat_admin.template_sync_seconds,
                id="wechat-template-sync", args=[self.runtime], next_run_time=datetime.now(UTC),
            )
        scheduler.add_job(
            top_up_qr_pool, "interval", seconds=self.runtime.settings.login.pool_check_seconds, id="qr-pool",
            args=[self.runtime], next_run_time=datetime.now(UTC),
        )
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
            self._scheduler = self._build()
            self._scheduler.start()  # blocks until shutdown
            self._scheduler = None
        with contextlib.suppress(redis.RedisError):  # the lock expires on its own
            self.lock.release()

    def stop(self) -> None:
        self._stopping.set()
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)


def run_scheduler(runtime: Runtime) -> None:
    process = SchedulerProcess(runtime)

    def _on_signal(_signum: int, _frame: object) -> None:
        process.stop()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    process.run()
