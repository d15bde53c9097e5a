"""``POST /api/v1/wechat/followers/sync`` and ``.../tags/{id}/members/sync``: walk WeChat's follower list (admin).

The whole list (``user/get``) or a tag's (``user/tag/get``), then everyone's data in batches: a job in steps
(:mod:`workers.jobs.wechat_follower_sync`) whose result shows how far it got. One sync at a time: a second is
answered 409 with the running one's id, since both would spend the same daily quota for the same answer. "One" is per
account (``?account=``): each Official Account has its own quota and its own list.
"""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import select

from config.settings import DEFAULT_ACCOUNT
from core import job_kinds
from core.accounts import Accounts
from core.tasks import Tasks
from ingress.errors import ApiError
from ingress.resources.accounts import ACCOUNT_PARAMETER, query_account
from ingress.resources.jobs import JOB_ACCEPTED, enqueue_job, job_accepted
from models import Database, Scope
from models.jobs import Job, JobStatus, create_job

_RESPONSES = {"202": ("queued: GET /api/v1/jobs/{jobId} shows its progress", JOB_ACCEPTED),
              "409": "a followers sync of this account is already queued or running"}


class FollowerSync:
    """The whole list, or (``tag=True``) the followers of the tag in the path."""

    scope = Scope.ADMIN
    needs_platform = {"POST": "wechat"}

    def __init__(self, database: Database, tasks: Tasks, *, tag: bool = False,
                 accounts: Accounts | None = None) -> None:
        self.database, self.tasks, self.accounts = database, tasks, accounts
        summary = ("Sync a tag's followers from WeChat (a job; user/tag/get, then user/info/batchget); followers "
                   "no longer listed lose the tag" if tag else
                   "Sync every follower from WeChat (a job; user/get, then user/info/batchget); followers no longer "
                   "listed are marked unsubscribed")
        self.openapi = {"post": {"summary": summary, "responses": _RESPONSES, "parameters": [ACCOUNT_PARAMETER]}}

    def on_post(self, req: falcon.Request, resp: falcon.Response, tag_id: int | None = None) -> None:
        account = query_account(req, self.accounts) if self.accounts is not None else DEFAULT_ACCOUNT
        params: dict[str, Any] = {} if tag_id is None else {"tagId": tag_id}  # WeChat's own tags list too
        with self.database.session() as session:
            running = session.scalar(select(Job.id).where(
                Job.kind == job_kinds.FOLLOWERS_SYNC, Job.account == account,
                Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value])).limit(1))
            if running is not None:
                raise ApiError(falcon.HTTP_409, f"a followers sync is already queued or running (job {running})",
                               code="conflict", details=[{"field": "jobId", "value": running}],
                               message_id="followers.sync_running", params={"job": running})
            job_id = create_job(session, job_kinds.FOLLOWERS_SYNC, params, account=account).id
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id)
