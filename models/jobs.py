"""Jobs: every admin action that touches a platform, from the request to the platform's last word.

The ingress validates, writes a ``jobs`` row and enqueues its id (202 ``{jobId}``); a worker runs it and records
the result or the platform's error. Like a delivery, the row is written before the broker sees the message, so
a broker outage loses nothing (the scheduler's sweep enqueues it later):

    queued -> running -> succeeded
                      -> queued (next_attempt_at: retried later) -> running -> ...
                      -> failed (the platform refused for good, or the retry budget ran out)
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, OutboxColumns, iso


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def final(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED)



def new_job_id() -> str:
    return str(uuid.uuid4())


class Job(OutboxColumns, Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_jobs_created_at", "created_at"),
        Index("ix_jobs_kind", "kind"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_job_id)
    #: What to do, e.g. ``wechat.menu.publish`` (see ``workers.jobs.registry``).
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: What the job did (counts, ids), once it succeeded.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: Why it failed, or why its last attempt did.
    error: Mapped[str | None] = mapped_column(Text, default=None)
    errcode: Mapped[int | None] = mapped_column(default=None)
    #: Runs started (each platform failure worth a retry costs one).
    attempts: Mapped[int] = mapped_column(default=0)
    #: ``rest`` or ``schedule``.
    source: Mapped[str] = mapped_column(String(16), default="rest")
    #: The account it acts for (``default``: the seed block's app); also ``params["account"]`` when not default.
    account: Mapped[str] = mapped_column(String(32), default="default", server_default="default")
    started_at: Mapped[datetime | None] = mapped_column(default=None)

    def __repr__(self) -> str:
        return f"Job({self.id}, {self.kind}, {self.status})"


def create_job(session: Session, kind: str, params: dict[str, Any] | None = None, source: str = "rest",
               account: str = "default") -> Job:
    """Add a queued job to ``session`` (flushed, so its id is known); the caller enqueues after the commit.

    ``account``: the account it acts for; a job kind finds it in ``params["account"]`` (absent: the default).
    """
    params = dict(params or {})
    if account != "default":
        params["account"] = account
    job = Job(id=new_job_id(), kind=kind, params=params, status=JobStatus.QUEUED.value, source=source,
              account=account)
    session.add(job)
    session.flush()
    return job


def job_view(job: Job) -> dict[str, Any]:
    return {
        "id": job.id, "kind": job.kind, "account": job.account, "status": job.status, "params": job.params or {},
        "result": job.result,
        "error": job.error, "errcode": job.errcode, "attempts": job.attempts, "source": job.source,
        "createdAt": iso(job.created_at), "updatedAt": iso(job.updated_at), "enqueuedAt": iso(job.enqueued_at),
        "nextAttemptAt": iso(job.next_attempt_at), "startedAt": iso(job.started_at),
        "finishedAt": iso(job.finished_at),
    }
