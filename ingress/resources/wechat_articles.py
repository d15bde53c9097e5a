"""``/api/v1/wechat/articles``: the account's published articles and drafts (admin scope).

Lists answer from the local table, page by page; ``POST .../sync`` refreshes it from WeChat (a job; the scheduler
does not, since articles change only when an editor publishes). Both take ``?account=`` (omitted: the default
Official Account; unknown: 422 naming ``account``).
"""

from __future__ import annotations

from typing import Literal

import falcon
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from config.settings import DEFAULT_ACCOUNT
from core import job_kinds
from core.accounts import Accounts
from core.tasks import Tasks
from ingress.bodies import parse_model
from ingress.bounds import MAX_ROW_ID
from ingress.resources.accounts import ACCOUNT_PARAMETER, query_account
from ingress.resources.jobs import JOB_ACCEPTED, enqueue_job, job_accepted
from models import Database, Scope
from models.jobs import create_job
from models.wechat.articles import WeChatArticle, article_view


class ArticleQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["published", "draft"] | None = None
    #: Part of the first article's title.
    q: str | None = Field(default=None, min_length=1, max_length=100)
    limit: int = Field(default=20, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=MAX_ROW_ID)


class ArticleCollection:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "Published articles and drafts as last synced, newest first (filters: kind "
                                  "published|draft, q in the title)", "parameters": [
        {"name": name, "in": "query", "required": False, "schema": {"type": kind}}
        for name, kind in [("kind", "string"), ("q", "string"), ("limit", "integer"), ("offset", "integer")]]
        + [ACCOUNT_PARAMETER]}}

    def __init__(self, database: Database, accounts: Accounts | None = None) -> None:
        self.database, self.accounts = database, accounts

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts) if self.accounts is not None else DEFAULT_ACCOUNT
        query = parse_model(ArticleQuery, {k: v for k, v in req.params.items() if v != "" and k != "account"})
        conditions = [WeChatArticle.account == account]
        if query.kind is not None:
            conditions.append(WeChatArticle.kind == query.kind)
        if query.q is not None:
            conditions.append(WeChatArticle.title.contains(query.q, autoescape=True))
        with self.database.session() as session:
            total = session.scalar(select(func.count()).select_from(WeChatArticle).where(*conditions)) or 0
            rows = session.scalars(select(WeChatArticle).where(*conditions)
                                   .order_by(WeChatArticle.updated_at.desc(), WeChatArticle.id)
                                   .offset(query.offset).limit(query.limit)).all()
            resp.media = {"items": [article_view(row) for row in rows], "total": total, "limit": query.limit,
                          "offset": query.offset}


class ArticleSync:
    scope = Scope.ADMIN
    needs_platform = {"POST": "wechat"}
    openapi = {"post": {"summary": "Sync published articles (freepublish/batchget) and drafts (draft/batchget) "
                                   "from WeChat (a job)", "parameters": [ACCOUNT_PARAMETER],
                        "responses": {"202": ("queued", JOB_ACCEPTED)}}}

    def __init__(self, database: Database, tasks: Tasks, accounts: Accounts | None = None) -> None:
        self.database, self.tasks, self.accounts = database, tasks, accounts

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts) if self.accounts is not None else DEFAULT_ACCOUNT
        with self.database.session() as session:
            job_id = create_job(session, job_kinds.ARTICLES_SYNC, account=account).id
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id)
