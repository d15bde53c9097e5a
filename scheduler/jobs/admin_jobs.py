"""Admin jobs from the scheduler's side: the periodic template syncs, and the sweep for lost jobs.

A job row is committed before its message is enqueued, so a broker outage at that moment leaves a queued row
with ``enqueued_at`` unset (the REST call still answered 202); a message can also be lost later (a worker
holding delayed messages killed). The sweep (:meth:`Outbox.sweep <core.outbox.Outbox.sweep>`) finds queued jobs
never enqueued or long overdue, and running jobs past their lease, and enqueues them again; the runner's claim
makes a duplicate harmless.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from core.job_kinds import SUBSCRIBE_TEMPLATES_SYNC, TEMPLATES_SYNC
from core.log_context import log_ids
from core.outboxes import JOBS
from core.runtime import Runtime
from core.tasks import Tasks
from models.base import utcnow
from models.jobs import Job, JobStatus, create_job

log = logging.getLogger(f"imbridge.{__name__}")

#: At most this many jobs are enqueued per sweep (the oldest first); the next sweep takes the rest.
BATCH = 200


def _enqueue(runtime: Runtime, tasks: Tasks, job_id: str) -> bool:
    try:
        tasks.run_job(job_id)
    except Exception as exc:  # the broker is down: the next sweep tries again
        with log_ids(job=job_id):
            log.warning("broker unavailable for the job (%s); left for the next sweep", exc)
        return False
    with runtime.database.session() as session:
        session.execute(update(Job).where(Job.id == job_id).values(enqueued_at=utcnow()))
    return True


def _start_once(runtime: Runtime, tasks: Tasks, kind: str, account: str = "default") -> str | None:
    """Start a ``kind`` job for ``account`` unless one is waiting or running already; returns the new job's id."""
    settings = runtime.accounts.settings_of("wechat", account)
    if settings is None or not settings.configured:
        return None
    with runtime.database.session() as session:
        pending = session.scalar(select(Job.id).where(
            Job.kind == kind, Job.account == account,
            Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value])).limit(1))
        if pending is not None:
            log.info("%s %s is still pending; not starting another", kind, pending)
            return None
        job_id = create_job(session, kind, {"trigger": "schedule"}, source="schedule", account=account).id
    _enqueue(runtime, tasks, job_id)
    return job_id


def sync_wechat_templates(runtime: Runtime, tasks: Tasks) -> str | None:
    """Start a template sync of every Official Account unless one is waiting or running already; returns the
    default account's new job's id (the others' are started alongside)."""
    for account in runtime.accounts.listed("wechat"):
        if account.code != "default":
            _start_once(runtime, tasks, TEMPLATES_SYNC, account.code)
    return _start_once(runtime, tasks, TEMPLATES_SYNC)


def sync_subscribe_templates(runtime: Runtime, tasks: Tasks) -> str | None:
    """Start a subscription-template sync of every Official Account unless one is waiting or running already;
    returns the default account's new job's id (the others' are started alongside)."""
    for account in runtime.accounts.listed("wechat"):
        if account.code != "default":
            _start_once(runtime, tasks, SUBSCRIBE_TEMPLATES_SYNC, account.code)
    return _start_once(runtime, tasks, SUBSCRIBE_TEMPLATES_SYNC)


def stranded_jobs(runtime: Runtime) -> list[str]:
    """Ids of jobs that need their broker message again, oldest first."""
    grace = runtime.settings.jobs.sweep_grace_seconds
    with runtime.database.engine.connect() as connection:
        return JOBS.stranded(connection, now=utcnow(), grace_seconds=grace, limit=BATCH)


def sweep_jobs(runtime: Runtime, tasks: Tasks) -> int:
    """Enqueue every stranded job; returns how many were enqueued."""

    def enqueue(job_id: str) -> None:
        with log_ids(job=job_id):
            tasks.run_job(job_id)
            log.info("job sweep: job queued again (its broker message was missing or overdue)")

    swept = JOBS.sweep(runtime.database.engine, enqueue, limit=BATCH,
                       grace_seconds=runtime.settings.jobs.sweep_grace_seconds)
    if swept.error is not None:  # the broker is down: the next sweep tries again
        log.warning("job sweep: broker unavailable (%s); %d left for the next sweep", swept.error,
                    swept.found - swept.enqueued)
    if swept.enqueued:
        log.info("job sweep enqueued %d stranded jobs", swept.enqueued)
    return swept.enqueued
