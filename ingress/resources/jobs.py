"""``/api/v1/jobs``: what became of an admin action (admin scope), and the helpers that start one.

An action that touches a platform validates, records a job row, enqueues its id and answers 202 ``{jobId}``.
The row is committed before the broker sees the message; if the broker is down the answer is still 202 (the
scheduler's sweep enqueues the job when the broker is back).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import falcon
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select, update

from core.log_context import log_ids
from core.tasks import Tasks
from ingress.bounds import MAX_PAGE
from ingress.errors import ApiError, unprocessable, validation_details
from models import Database, Scope
from models.base import utcnow
from models.jobs import Job, JobStatus, job_view

log = logging.getLogger(f"imbridge.{__name__}")

JOB_ACCEPTED = {"type": "object", "required": ["jobId"],
                "properties": {"jobId": {"type": "string"}, "status": {"type": "string"}}}


def enqueue_job(database: Database, tasks: Tasks, job_id: str) -> None:
    """Hand a committed job to the broker; if it is down, the job waits for the sweep (never lost)."""
    with database.session() as session:
        session.execute(update(Job).where(Job.id == job_id).values(enqueued_at=utcnow()))
    with log_ids(job=job_id):
        try:
            tasks.run_job(job_id)
        except Exception as exc:  # redis/pika errors differ; the row is safe either way
            log.warning("job accepted; broker unavailable (%s): left to the sweep", exc)
            with database.session() as session:
                session.execute(update(Job).where(Job.id == job_id).values(enqueued_at=None))
            return
        log.info("job accepted and queued")


def job_accepted(resp: falcon.Response, job_id: str, **extra: Any) -> None:
    resp.status = falcon.HTTP_202
    resp.set_header("Location", f"/api/v1/jobs/{job_id}")
    resp.media = {"jobId": job_id, "status": JobStatus.QUEUED.value, **extra}


class JobQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = Field(default=None, max_length=40)
    status: JobStatus | None = None
    since: datetime | None = None
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    limit: int = Field(default=50, ge=1, le=500)


def _get(session: Any, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise ApiError(falcon.HTTP_404, f"no job {job_id}", code="not_found")
    return job


class JobCollection:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "List jobs, newest first (filters: kind, status, since; page, limit)",
                       "query": JobQuery}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        try:
            params = JobQuery.model_validate(req.params)
        except ValidationError as exc:
            raise unprocessable("the query is not valid", validation_details(exc)) from exc
        query = select(Job)
        if params.kind:
            query = query.where(Job.kind == params.kind)
        if params.status:
            query = query.where(Job.status == params.status.value)
        if params.since:
            since = params.since if params.since.tzinfo else params.since.replace(tzinfo=UTC)
            query = query.where(Job.created_at >= since)
        with self.database.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            rows = session.scalars(query.order_by(Job.created_at.desc(), Job.id)
                                   .offset((params.page - 1) * params.limit).limit(params.limit)).all()
            resp.media = {"items": [job_view(j) for j in rows], "page": params.page, "limit": params.limit,
                          "total": total}


class JobItem:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "One job: queued | running | succeeded | failed, its result or the platform's "
                                  "error (errcode)"}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response, job_id: str) -> None:
        with self.database.session() as session:
            resp.media = job_view(_get(session, job_id))


class JobRetry:
    scope = Scope.ADMIN
    #: Every kind of job today acts on the Official Account.
    needs_platform = {"POST": "wechat"}
    openapi = {"post": {"summary": "Run a failed job again, with a fresh retry budget",
                        "responses": {"202": ("queued again", JOB_ACCEPTED), "409": "the job has not failed"}}}

    def __init__(self, database: Database, tasks: Tasks) -> None:
        self.database = database
        self.tasks = tasks

    def on_post(self, req: falcon.Request, resp: falcon.Response, job_id: str) -> None:
        with self.database.session() as session:
            job = _get(session, job_id)
            if job.status != JobStatus.FAILED:
                raise ApiError(falcon.HTTP_409, f"only failed jobs are run again; this one is {job.status}",
                               code="conflict")
            job.status, job.attempts, job.budget_started_at = JobStatus.QUEUED.value, 0, utcnow()
            job.next_attempt_at = job.finished_at = None
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id)
