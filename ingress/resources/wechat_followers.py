"""``/api/v1/wechat/followers`` and ``/api/v1/wechat/tags``: who follows the account, remarks and tags (admin).

Reads answer from the local tables; every change (and every refresh) is a job that asks WeChat and records what it
answered, so the tables never claim what WeChat has not confirmed. Every route takes ``?account=`` (omitted: the
default Official Account; unknown: 422 naming ``account``): openids and tag ids are that account's.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import falcon
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from config.settings import DEFAULT_ACCOUNT
from core import job_kinds
from core.accounts import Accounts
from core.tasks import Tasks
from ingress.bodies import parse_model, read_model
from ingress.bounds import MAX_ROW_ID
from ingress.errors import ApiError, unprocessable
from ingress.resources.accounts import ACCOUNT_PARAMETER, query_account
from ingress.resources.jobs import JOB_ACCEPTED, enqueue_job, job_accepted
from models import Database, Scope
from models.jobs import create_job
from models.wechat.followers import WeChatFollower, WeChatTag, follower_view, tag_names, tag_view

OPENID_PATTERN = r"^[A-Za-z0-9_\-]{1,64}$"
Openid = Annotated[str, Field(pattern=OPENID_PATTERN)]
#: WeChat's own tags (0-2) cannot be renamed, deleted or (un)assigned through the API.
FIRST_OWN_TAG = 3
_NEEDS_WECHAT = {"POST": "wechat", "DELETE": "wechat"}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FollowersFetch(_Body):
    openids: list[Openid] = Field(min_length=1, max_length=1000)


class Remark(_Body):
    remark: str = Field(max_length=30)


class TagCreate(_Body):
    name: str = Field(min_length=1, max_length=30)


class TagMembers(_Body):
    openids: list[Openid] = Field(min_length=1, max_length=1000)


class FollowerQuery(_Body):
    tag: int | None = Field(default=None, ge=0, le=MAX_ROW_ID)
    subscribed: bool | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=MAX_ROW_ID)


def _account(req: falcon.Request, accounts: Accounts | None) -> str:
    """The request's ``?account=``; a 422 naming ``account`` when no Official Account has that code."""
    return query_account(req, accounts) if accounts is not None else DEFAULT_ACCOUNT


def _job(database: Database, tasks: Tasks, resp: falcon.Response, kind: str, params: dict[str, Any],
         account: str = DEFAULT_ACCOUNT) -> None:
    with database.session() as session:
        job_id = create_job(session, kind, params, account=account).id
    enqueue_job(database, tasks, job_id)
    job_accepted(resp, job_id)


_ACCEPTED = {"202": ("queued", JOB_ACCEPTED)}
_ACCOUNT = [ACCOUNT_PARAMETER]


class FollowerCollection:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "Followers fetched so far (filters: tag, subscribed)", "parameters": [
        {"name": name, "in": "query", "required": False, "schema": {"type": kind}}
        for name, kind in [("tag", "integer"), ("subscribed", "boolean"), ("limit", "integer"),
                           ("offset", "integer")]] + _ACCOUNT}}

    def __init__(self, database: Database, accounts: Accounts | None = None) -> None:
        self.database, self.accounts = database, accounts

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = _account(req, self.accounts)
        query = parse_model(FollowerQuery, {k: v for k, v in req.params.items() if v != "" and k != "account"})
        conditions = [WeChatFollower.account == account]
        if query.subscribed is not None:
            conditions.append(WeChatFollower.subscribed == query.subscribed)
        with self.database.session() as session:
            rows = session.scalars(select(WeChatFollower).where(*conditions)
                                   .order_by(WeChatFollower.fetched_at.desc(), WeChatFollower.openid)).all()
            if query.tag is not None:  # tag ids live in a JSON list: filtered here, the same on every database
                rows = [row for row in rows if query.tag in (row.tag_ids or [])]
            names = tag_names(session, account)
            page = rows[query.offset:query.offset + query.limit]
            resp.media = {"items": [follower_view(row, names) for row in page], "total": len(rows),
                          "limit": query.limit, "offset": query.offset}


class FollowerFetch:
    scope = Scope.ADMIN
    needs_platform = _NEEDS_WECHAT
    openapi = {"post": {"summary": "Fetch followers' data from WeChat (a job; user/info/batchget)",
                        "body": FollowersFetch, "responses": _ACCEPTED, "parameters": _ACCOUNT,
                        "example": {"openids": ["oDemoFollower000000000000001"]}}}

    def __init__(self, database: Database, tasks: Tasks, accounts: Accounts | None = None) -> None:
        self.database, self.tasks, self.accounts = database, tasks, accounts

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = _account(req, self.accounts)
        body = read_model(req, FollowersFetch)
        _job(self.database, self.tasks, resp, job_kinds.FOLLOWERS_FETCH, {"openids": list(dict.fromkeys(body.openids))},
             account)


class FollowerItem:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "One follower, as last fetched", "parameters": _ACCOUNT}}

    def __init__(self, database: Database, accounts: Accounts | None = None) -> None:
        self.database, self.accounts = database, accounts

    def on_get(self, req: falcon.Request, resp: falcon.Response, openid: str) -> None:
        account = _account(req, self.accounts)
        with self.database.session() as session:
            row = session.get(WeChatFollower, (account, openid))
            if row is None:
                raise ApiError(falcon.HTTP_404, f"follower {openid} was never fetched "
                                                "(POST /api/v1/wechat/followers/fetch)", code="not_found")
            resp.media = follower_view(row, tag_names(session, account))


class FollowerRemark:
    scope = Scope.ADMIN
    needs_platform = _NEEDS_WECHAT
    openapi = {"post": {"summary": "Set a follower's remark (a job; at most 30 characters)", "body": Remark,
                        "example": {"remark": "北京 VIP"}, "responses": _ACCEPTED, "parameters": _ACCOUNT}}

    def __init__(self, database: Database, tasks: Tasks, accounts: Accounts | None = None) -> None:
        self.database, self.tasks, self.accounts = database, tasks, accounts

    def on_post(self, req: falcon.Request, resp: falcon.Response, openid: str) -> None:
        account = _account(req, self.accounts)
        if re.fullmatch(OPENID_PATTERN, openid) is None:
            raise unprocessable("the path does not hold an openid", [{"field": "openid", "message": "not an openid"}])
        body = read_model(req, Remark)
        _job(self.database, self.tasks, resp, job_kinds.FOLLOWERS_REMARK, {"openid": openid, "remark": body.remark},
             account)


class TagCollection:
    scope = Scope.ADMIN
    needs_platform = _NEEDS_WECHAT
    openapi = {"get": {"summary": "The account's tags, as last synced", "parameters": _ACCOUNT},
               "post": {"summary": "Create a tag (a job)", "body": TagCreate, "example": {"name": "VIP客户"},
                        "responses": _ACCEPTED, "parameters": _ACCOUNT}}

    def __init__(self, database: Database, tasks: Tasks, accounts: Accounts | None = None) -> None:
        self.database, self.tasks, self.accounts = database, tasks, accounts

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = _account(req, self.accounts)
        with self.database.session() as session:
            tags = session.scalars(select(WeChatTag).where(WeChatTag.account == account).order_by(WeChatTag.id))
            resp.media = {"items": [tag_view(t) for t in tags]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = _account(req, self.accounts)
        body = read_model(req, TagCreate)
        with self.database.session() as session:
            taken = session.scalar(select(func.count()).select_from(WeChatTag).where(
                WeChatTag.account == account, WeChatTag.name == body.name))
        if taken:
            raise ApiError(falcon.HTTP_409, f"a tag is already named {body.name!r}", code="conflict",
                           details=[{"field": "name"}])
        _job(self.database, self.tasks, resp, job_kinds.TAGS_CREATE, {"name": body.name}, account)


class TagSync:
    scope = Scope.ADMIN
    needs_platform = _NEEDS_WECHAT
    openapi = {"post": {"summary": "Sync the tag list from WeChat (a job)", "responses": _ACCEPTED,
                        "parameters": _ACCOUNT}}

    def __init__(self, database: Database, tasks: Tasks, accounts: Accounts | None = None) -> None:
        self.database, self.tasks, self.accounts = database, tasks, accounts

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        _job(self.database, self.tasks, resp, job_kinds.TAGS_SYNC, {}, _account(req, self.accounts))


def _own_tag(tag_id: int) -> int:
    if tag_id < FIRST_OWN_TAG:
        raise unprocessable(f"tag {tag_id} is one of WeChat's own (0-2) and cannot be changed",
                            [{"field": "tagId", "message": "not one of the account's own tags"}])
    return tag_id


class TagItem:
    scope = Scope.ADMIN
    needs_platform = _NEEDS_WECHAT
    openapi = {"delete": {"summary": "Delete a tag (a job); its followers lose it", "responses": _ACCEPTED,
                          "parameters": _ACCOUNT}}

    def __init__(self, database: Database, tasks: Tasks, accounts: Accounts | None = None) -> None:
        self.database, self.tasks, self.accounts = database, tasks, accounts

    def on_delete(self, req: falcon.Request, resp: falcon.Response, tag_id: int) -> None:
        account = _account(req, self.accounts)
        _job(self.database, self.tasks, resp, job_kinds.TAGS_DELETE, {"tagId": _own_tag(tag_id)}, account)


class TagMembership:
    """``.../members`` adds followers to the tag, ``.../members/remove`` takes them out."""

    scope = Scope.ADMIN
    needs_platform = _NEEDS_WECHAT

    def __init__(self, database: Database, tasks: Tasks, *, add: bool, accounts: Accounts | None = None) -> None:
        self.database, self.tasks, self.add, self.accounts = database, tasks, add, accounts
        self.openapi = {"post": {"summary": "Tag followers (a job)" if add else "Untag followers (a job)",
                                 "body": TagMembers, "responses": _ACCEPTED, "parameters": _ACCOUNT,
                                 "example": {"openids": ["oDemoFollower000000000000001"]}}}

    def on_post(self, req: falcon.Request, resp: falcon.Response, tag_id: int) -> None:
        account = _account(req, self.accounts)
        body = read_model(req, TagMembers)
        kind = job_kinds.TAGS_TAG if self.add else job_kinds.TAGS_UNTAG
        _job(self.database, self.tasks, resp, kind, {"tagId": _own_tag(tag_id),
                                                     "openids": list(dict.fromkeys(body.openids))}, account)
