"""Running one job: claim the row, run its kind, record the result, or schedule a retry.

The same rules as notifications, from the same code: errors are classified by :mod:`platforms.errors` (the
transport already refreshed a rejected token once), retries back off with :class:`~core.retry.RetryPolicy`
within a budget of runs and of age, and error texts pass through the deliveries' redaction. A job is claimed
from the outbox (:mod:`core.outbox`: a conditional UPDATE plus a lease), so two copies of its broker message
cannot both run it; nothing here enqueues: the :class:`RunOutcome` says when to come back, and the actor does it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.outbox import EARLY_TOLERANCE, Claim
from core.outboxes import JOBS
from core.retry import RetryPolicy
from core.runtime import Runtime
from models.base import as_utc, utcnow
from models.jobs import Job, JobStatus
from platforms.errors import Outcome, PlatformError
from workers.jobs.kinds import Continue, JobKind, JobRefused
from workers.notifications.delivery import redact

log = logging.getLogger(f"imbridge.{__name__}")

#: The columns a job's claim reads back.
CLAIMED_COLUMNS = ("kind", "params", "attempts", "budget_started_at")


@dataclass(frozen=True)
class RunOutcome:
    """``succeeded``, ``failed``, ``retrying``, ``continuing``, ``waiting`` or ``skipped``; ``retry_in``: enqueue
    again then."""

    outcome: str
    detail: str = ""
    retry_in: float | None = None
    #: The platform said the account's quota is spent (``alert.quota``): the actor raises the alert.
    alert: PlatformError | None = None


@dataclass(frozen=True)
class Run:
    """One run of a job: this worker's :class:`~core.outbox.Claim` on the row (status ``running``), and what the
    run needs."""

    claim: Claim
    kind: str
    params: dict[str, Any]
    #: Runs started, this one included.
    attempts: int
    budget_started_at: datetime

    @property
    def id(self) -> str:
        return str(self.claim.id)


class LeaseLost(Exception):
    """Another worker took the job over (this one was presumed dead): its outcome must not be written."""


class JobRunner:
    """The job machinery of one process (shared by its actor threads)."""

    def __init__(self, runtime: Runtime, kinds: dict[str, JobKind]) -> None:
        self.runtime = runtime
        self.database = runtime.database
        self.kinds = kinds
        settings = runtime.settings.jobs
        self.lease = timedelta(seconds=settings.lease_seconds)
        self.policy = RetryPolicy.from_settings(settings)

    def run(self, job_id: str) -> RunOutcome:
        run = self._claim(job_id)
        if isinstance(run, RunOutcome):
            return run
        kind = self.kinds[run.kind]
        try:
            answer = kind.call(self.runtime, run.params)
        except JobRefused as exc:
            return self._fail(run, kind, str(exc), None)
        except PlatformError as exc:
            error = redact(str(exc), [])
            if exc.outcome is Outcome.PERMANENT:
                outcome = self._fail(run, kind, error, exc.errcode)
            else:
                outcome = self._retry(run, kind, error, exc.errcode, exc.retry_after)
            return replace(outcome, alert=exc) if exc.quota else outcome
        except Exception as exc:  # a bug or an outage of ours: retried within the budget, and logged loudly
            log.exception("job %s (%s): unexpected error", run.id, run.kind)
            return self._retry(run, kind, f"internal error: {type(exc).__name__}: {exc}", None, None)
        try:
            with self.database.session() as session:
                result = kind.record(session, run.params, answer)
                if isinstance(result, Continue):
                    return self._continue(session, run, result)
                self._write(session, run, status=JobStatus.SUCCEEDED.value, result=result, error=None,
                            errcode=None, next_attempt_at=None, finished_at=utcnow())
        except LeaseLost:
            return RunOutcome("skipped", "lease lost before the outcome was recorded")
        except Exception as exc:
            log.exception("job %s (%s): recording the outcome failed", run.id, run.kind)
            return self._retry(run, kind, f"internal error while recording: {type(exc).__name__}: {exc}", None,
                               None)
        log.info("job %s (%s) succeeded", run.id, run.kind)
        return RunOutcome("succeeded")

    def _continue(self, session: Session, run: Run, step: Continue) -> RunOutcome:
        """One step recorded: queue the next at once, its retry budget fresh (a step's failures count, not the
        steps)."""
        now = utcnow()
        self._write(session, run, status=JobStatus.QUEUED.value, params=step.params, result=step.progress,
                    error=None, errcode=None, next_attempt_at=now, attempts=0, budget_started_at=now)
        log.debug("job %s (%s): step done, going on", run.id, run.kind)
        return RunOutcome("continuing", retry_in=0.0)

    def _claim(self, job_id: str) -> Run | RunOutcome:
        now = utcnow()
        with self.database.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                return RunOutcome("skipped", "no such job")
            status = JobStatus(job.status)
            lease = as_utc(job.lease_until)
            if status.final:
                return RunOutcome("skipped", f"already {status.value}")
            if status is JobStatus.RUNNING and lease is not None and lease > now:
                return RunOutcome("skipped", "being run by another worker")
            next_at = as_utc(job.next_attempt_at)
            if next_at is not None and next_at - now > EARLY_TOLERANCE:
                return RunOutcome("waiting", "early", retry_in=(next_at - now).total_seconds())
            kind = self.kinds.get(job.kind)
            if kind is None:
                job.status, job.error, job.finished_at = JobStatus.FAILED.value, f"unknown job kind {job.kind}", now
                return RunOutcome("failed", job.error)
            claim = JOBS.claim(session.connection(), job_id, now=now, lease_until=now + self.lease,
                               returning=CLAIMED_COLUMNS, values={"started_at": now}, count=("attempts",))
            if claim is None:
                return RunOutcome("skipped", "claimed by another worker")
            row = claim.row
            run = Run(claim, row.kind, dict(row.params or {}), row.attempts, as_utc(row.budget_started_at) or now)
            if kind.started is not None:
                kind.started(session, run.params)
            return run

    def _retry(self, run: Run, kind: JobKind, error: str, errcode: int | None,
               retry_after: float | None) -> RunOutcome:
        now = utcnow()
        delay = self.policy.delay(run.attempts, retry_after)
        next_at = now + timedelta(seconds=delay)
        reason = self.policy.give_up(run.attempts, run.budget_started_at, next_at)
        if reason:
            return self._fail(run, kind, f"{reason}; last: {error}", errcode)
        try:
            with self.database.session() as session:
                self._write(session, run, status=JobStatus.QUEUED.value, error=error, errcode=errcode,
                            next_attempt_at=next_at)
        except LeaseLost:
            return RunOutcome("skipped", "lease lost before the outcome was recorded")
        log.info("job %s (%s) run %d: retrying in %.1f s (%s)", run.id, run.kind, run.attempts, delay, error)
        return RunOutcome("retrying", error, retry_in=delay)

    def _fail(self, run: Run, kind: JobKind, error: str, errcode: int | None) -> RunOutcome:
        try:
            with self.database.session() as session:
                if kind.failed is not None:
                    kind.failed(session, run.params, error, errcode)
                self._write(session, run, status=JobStatus.FAILED.value, error=error, errcode=errcode,
                            next_attempt_at=None, finished_at=utcnow())
        except LeaseLost:
            return RunOutcome("skipped", "lease lost before the outcome was recorded")
        log.info("job %s (%s) failed: %s", run.id, run.kind, error)
        return RunOutcome("failed", error)

    def _write(self, session: Session, run: Run, **values: Any) -> None:
        """Write the outcome if this worker still holds the job; LeaseLost (rolling back) otherwise."""
        session.flush()  # the kind's own writes go first: statements run in the order they were made
        if not JOBS.finish(session.connection(), run.claim, values):
            log.warning("job %s: lease lost before the outcome was recorded", run.id)
            raise LeaseLost(run.id)
