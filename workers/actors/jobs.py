"""``run_job(job_id)`` on the ``jobs`` queue: one run of an admin job (see :mod:`workers.jobs`).

A thin shell: the runner claims, runs and records; this enqueues the next run when the runner says so.
"""

from __future__ import annotations

import logging

from core.tasks import RUN_JOB
from workers.actors.declaration import ActorDef
from workers.alerts import announce_quota
from workers.context import ActorContext

log = logging.getLogger(f"imbridge.{__name__}")

#: Exceptions of ours (database or Redis down before a job was claimed) are retried by Dramatiq this often.
MAX_RETRIES = 5


def run_job(context: ActorContext, job_id: str) -> None:
    """Run an accepted job (or schedule it for later); a finished job is left alone."""
    outcome = context.jobs.run(job_id)
    if outcome.alert is not None:
        announce_quota(context, outcome.alert)
    if outcome.retry_in is not None:
        try:
            context.tasks.send(RUN_JOB, job_id, delay_seconds=outcome.retry_in)
        except Exception as exc:  # the job row keeps next_attempt_at: the scheduler's sweep enqueues it
            log.warning("could not enqueue job %s again (%s); the sweep will", job_id, exc)


ACTORS = [ActorDef(RUN_JOB, run_job, {"max_retries": MAX_RETRIES})]
