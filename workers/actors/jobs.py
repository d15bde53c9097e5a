"""``run_job(job_id)`` on the ``jobs`` queue: one run of an admin job (see :mod:`workers.jobs`).

A thin shell: the runner claims, runs and records; this enqueues the next run when the runner says so.
"""

from __future__ import annotations

import logging
import threading

import dramatiq

from core import runtime as runtime_module
from workers.jobs.registry import KINDS
from workers.jobs.runner import JobRunner

log = logging.getLogger("imbridge.jobs")

QUEUE = "jobs"
#: Exceptions of ours (database or Redis down before a job was claimed) are retried by Dramatiq this often.
MAX_RETRIES = 5

_runner: tuple[runtime_module.Runtime, JobRunner] | None = None
_runner_lock = threading.Lock()


def runner() -> JobRunner:
    """This process's :class:`JobRunner`, rebuilt when the installed runtime changes (tests swap it)."""
    global _runner
    runtime = runtime_module.current()
    with _runner_lock:
        if _runner is None or _runner[0] is not runtime:
            _runner = (runtime, JobRunner(runtime, KINDS))
        return _runner[1]


@dramatiq.actor(queue_name=QUEUE, max_retries=MAX_RETRIES)
def run_job(job_id: str) -> None:
    """Run an accepted job (or schedule it for later); a finished job is left alone."""
    outcome = runner().run(job_id)
    if outcome.retry_in is not None:
        try:
            run_job.send_with_options(args=(job_id,), delay=max(int(outcome.retry_in * 1000), 0))
        except Exception as exc:  # the job row keeps next_attempt_at: the scheduler's sweep enqueues it
            log.warning("could not enqueue job %s again (%s); the sweep will", job_id, exc)
