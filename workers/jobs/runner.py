"""Running one job: claim the row, run its kind, record the result, or schedule a retry.

The same rules as notifications, from the same code: errors are classified by :mod:`platforms.errors` (the
transport already refreshed a rejected token once), retries back off with :class:`RetryPolicy` within a budget
of runs and of age, and error texts pass through the deliveries' redaction. A job is claimed with a conditional
UPDATE plus a lease, so two copies of its broker message cannot both run it; nothing here enqueues: the
:class:`RunOutcome` says when to come back, and the actor does it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from core.retry import RetryPolicy
from models.base import as_utc, utcnow
from models.jobs import Job, JobStatus
from platforms.errors import Outcome, PlatformError
from workers.jobs.kinds import JobKind, JobRefused
from workers.notifications.delivery import redact
from workers.runtime import Runtime

log = logging.getLogger("imbridge.jobs")

#: A broker message arriving this much before the job's next attempt is put back to sleep.
EARLY_TOLERANCE = timedelta(seconds=0.5)


@dataclass(frozen=True)
class RunOutcome:
    """``succeeded``, ``failed``, ``retrying``, ``waiting`` or ``skipped``; ``retry_in``: enqueue again then."""

    outcome: str
    detail: str = ""
    retry_in: float | None = None


@dataclass(frozen=True)
class Claim:
    id: str
    kind: str
    params: dict[str, Any]
    attempts: int
    budget_started_at: datetime
    lease_until: datetime


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
        claim = self._claim(job_id)
        if isinstance(claim, RunOutcome):
            return claim
        kind = self.kinds[claim.kind]
        try:
            answer = kind.call(self.runtime, claim.params)
        except JobRefused as exc:
            return self._fail(claim, kind, str(exc), None)
        except PlatformError as exc:
            error = redact(str(exc), [])
            if exc.outcome is Outcome.PERMANENT:
                return self._fail(claim, kind, error, exc.errcode)
            return self._retry(claim, kind, error, exc.errcode, exc.retry_after)
        except Exception as exc:  # a bug or an outage of ours: retried within the budget, and logged loudly
            log.exception("job %s (%s): unexpected error", claim.id, claim.kind)
            return self._retry(claim, kind, f"internal error: {type(exc).__name__}: {exc}", None, None)
        try:
            with self.database.session() as session:
                result = kind.record(session, claim.params, answer)
                self._write(session, claim, status=JobStatus.SUCCEEDED.value, result=result, error=None,
                            errcode=None, next_attempt_at=None, finished_at=utcnow())
        except LeaseLost:
            return RunOutcome("skipped", "lease lost before the outcome was recorded")
        except Exception as exc:
            log.exception("job %s (%s): recording the outcome failed", claim.id, claim.kind)
            return self._retry(claim, kind, f"internal error while recording: {type(exc).__name__}: {exc}", None,
                               None)
        log.info("job %s (%s) succeeded", claim.id, claim.kind)
        return RunOutcome("succeeded")

    def _claim(self, job_id: str) -> Claim | RunOutcome:
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
            lease_until = now + self.lease
            claimable = (Job.status == JobStatus.QUEUED.value) | (
                (Job.status == JobStatus.RUNNING.value) & (Job.lease_until < now))
            won = session.execute(
                update(Job).where(Job.id == job_id, claimable)
                .values(status=JobStatus.RUNNING.value, lease_until=lease_until, attempts=Job.attempts + 1,
                        started_at=now, updated_at=now)
                .execution_options(synchronize_session=False)).rowcount
            if not won:
                return RunOutcome("skipped", "claimed by another worker")
            params = dict(job.params or {})
            if kind.started is not None:
                kind.started(session, params)
            return Claim(job.id, job.kind, params, job.attempts + 1, as_utc(job.budget_started_at) or now,
                         lease_until)

    def _retry(self, claim: Claim, kind: JobKind, error: str, errcode: int | None,
               retry_after: float | None) -> RunOutcome:
        now = utcnow()
        delay = self.policy.delay(claim.attempts, retry_after)
        next_at = now + timedelta(seconds=delay)
        reason = self.policy.give_up(claim.attempts, claim.budget_started_at, next_at)
        if reason:
            return self._fail(claim, kind, f"{reason}; last: {error}", errcode)
        try:
            with self.database.session() as session:
                self._write(session, claim, status=JobStatus.QUEUED.value, error=error, errcode=errcode,
                            next_attempt_at=next_at)
        except LeaseLost:
            return RunOutcome("skipped", "lease lost before the outcome was recorded")
        log.info("job %s (%s) run %d: retrying in %.1f s (%s)", claim.id, claim.kind, claim.attempts, delay, error)
        return RunOutcome("retrying", error, retry_in=delay)

    def _fail(self, claim: Claim, kind: JobKind, error: str, errcode: int | None) -> RunOutcome:
        try:
            with self.database.session() as session:
                if kind.failed is not None:
                    kind.failed(session, claim.params, error, errcode)
                self._write(session, claim, status=JobStatus.FAILED.value, error=error, errcode=errcode,
                            next_attempt_at=None, finished_at=utcnow())
        except LeaseLost:
            return RunOutcome("skipped", "lease lost before the outcome was recorded")
        log.info("job %s (%s) failed: %s", claim.id, claim.kind, error)
        return RunOutcome("failed", error)

    def _write(self, session: Any, claim: Claim, **values: Any) -> None:
        """Write the outcome if this worker still holds the job; LeaseLost (rolling back) otherwise."""
        won = session.execute(
            update(Job).where(Job.id == claim.id, Job.status == JobStatus.RUNNING.value,
                              Job.lease_until == claim.lease_until)
            .values(**values, lease_until=None, updated_at=utcnow())
            .execution_options(synchronize_session=False)).rowcount
        if not won:
            log.warning("job %s: lease lost before the outcome was recorded", claim.id)
            raise LeaseLost(claim.id)
