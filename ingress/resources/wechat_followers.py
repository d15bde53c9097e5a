"""``/api/v1/wechat/followers`` and ``/api/v1/wechat/tags``: who follows the account, remarks and tags (admin).

Reads answer from the local tables; every change (and every refresh) is a job that asks WeChat and records what it
answered, so the tables never claim what WeChat has not confirmed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import falcon
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from core import job_kinds
from core.tasks import Tasks
from ingress.bodies import parse_model, read_model
from ingress.bounds import MAX_ROW_ID
from ingress.errors import ApiError, unprocessable
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


def _job(database: Database, tasks: Tasks, resp: falcon.Response, kind: str, params: dict[str, Any]) -> None:
    with database.session() as session:
        job_id = create_job(session, kind, params).id
    enqueue_job(database, tasks, job_id)
    job_accepted(resp, job_id)


_ACCEPTED = {"202": ("queued", JOB_ACCEPTED)}


class FollowerCollection:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "Followers fetched so far (filters: tag, subscribed)", "parameters": [
        {"name": name, "in": "query", "required": False, "schema": {"type": kind}}
        for name, kind in [("tag", "integer"), ("subscribed", "boolean"), ("limit", "integer"),
                           ("offset", "integer")]]}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = parse_model(FollowerQuery, {k: v for k, v in req.params.items() if v != ""})
        conditions = [] if query.subscribed is None else [WeChatFollower.subscribed == query.subscribed]
        with self.database.session() as session:
            rows = session.scalars(select(WeChatFollower).where(*conditions)
                                   .order_by(WeChatFollower.fetched_at.desc(), WeChatFollower.openid)).all()
            if query.tag is not None:  # tag ids live in a JSON list: filtered here, the same on every database
                rows = [row for row in rows if query.tag in (row.tag_ids or [])]
            names = tag_names(session)
            page = rows[query.offset:query.offset + query.limit]
            resp.media = {"items": [follower_view(row, names) for row in page], "total": len(rows),
                          "limit": query.limit, "offset": query.offset}


class FollowerFetch:
    scope = Scope.ADMIN
    needs_platform = _NEEDS_WECHAT
    openapi = {"post": {"summary": "Fetch followers' data from WeChat (a job; user/info/batchget)",
                        "body": FollowersFetch, "responses": _ACCEPTED}}

    def __init__(self, database: Database, tasks: Tasks) -> None:
        self.database, self.tasks = database, tasks

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_model(req, FollowersFetch)
        _job(self.database, self.tasks, resp, job_kinds.FOLLOWERS_FETCH, {"openids": list(dict.fromkeys(body.openids))})


class FollowerItem:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "One follower, as last fetched"}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response, openid: str) -> None:
        with self.database.session() as session:
            row = session.get(WeChatFollower, openid)
            if row is None:
                raise ApiError(falcon.HTTP_404, f"follower {openid} was never fetched "
                                                "(POST /api/v1/wechat/followers/fetch)", code="not_found")
            resp.media = follower_view(row, tag_names(session))


class FollowerRemark:
    scope = Scope.ADMIN
    needs_platform = _NEEDS_WECHAT
    openapi = {"post": {"summary": "Set a follower's remark (a job; at most 30 characters)", "body": Remark,
                        "responses": _ACCEPTED}}

    def __init__(self, database: Database, tasks: Tasks) -> None:
        self.database, self.tasks = database, tasks

    def on_post(self, req: falcon.Request, resp: falcon.Response, openid: str) -> None:
        if re.fullmatch(OPENID_PATTERN, openid) is None:
            raise unprocessable("the path does not hold an openid", [{"field": "openid", "message": "not an openid"}])
        body = read_model(req, Remark)
        _job(self.database, self.tasks, resp, job_kinds.FOLLOWERS_REMARK, {"openid": openid, "remark": body.remark})


class TagCollection:
    scope = Scope.ADMIN
    needs_platform = _NEEDS_WECHAT
    openapi = {"get": {"summary": "The account's tags, as last synced"},
               "post": {"summary": "Create a tag (a job)", "body": TagCreate, "responses": _ACCEPTED}}

    def __init__(self, database: Database, tasks: Tasks) -> None:
        self.database, self.tasks = database, tasks

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.database.session() as session:
            resp.media = {"items": [tag_view(t) for t in session.scalars(select(WeChatTag).order_by(WeChatTag.id))]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_model(req, TagCreate)
        with self.database.session() as session:
            taken = session.scalar(select(func.count()).select_from(WeChatTag).where(WeChatTag.name == body.name))
        if taken:
            raise ApiError(falcon.HTTP_409, f"a tag is already named {body.name!r}", code="conflict",
                           details=[{"field": "name"}])
        _job(self.database, self.tasks, resp, job_kinds.TAGS_CREATE, {"name": body.name})


class TagSync:
    scope = Scope.ADMIN
    needs_platform = _NEEDS_WECHAT
    openapi = {"post": {"summary": "Sync the tag list from WeChat (a job)", "responses": _ACCEPTED}}

    def __init__(self, database: Database, tasks: Tasks) -> None:
        self.database, self.tasks = database, tasks

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        _job(self.database, self.tasks, resp, job_kinds.TAGS_SYNC, {})


def _own_tag(tag_id: int) -> int:
    if tag_id < FIRST_OWN_TAG:
        raise unprocessable(f"tag {tag_id} is one of WeChat's own (0-2) and cannot be changed",
                            [{"field": "tagId", "message": "not one of the account's own tags"}])
    return tag_id


class TagItem:
    scope = Scope.ADMIN
    needs_platform = _NEEDS_WECHAT
    openapi = {"delete": {"summary": "Delete a tag (a job); its followers lose it", "responses": _ACCEPTED}}

    def __init__(self, database: Database, tasks: Tasks) -> None:
        self.database, self.tasks = database, tasks

    def on_delete(self, req: falcon.Request, resp: falcon.Response, tag_id: int) -> None:
        _job(self.database, self.tasks, resp, job_kinds.TAGS_DELETE, {"tagId": _own_tag(tag_id)})


class TagMembership:
    """``.../members`` adds followers to the tag, ``.../members/remove`` takes them out."""

    scope = Scope.ADMIN
    needs_platform = _NEEDS_WECHAT

    def __init__(self, database: Database, tasks: Tasks, *, add: bool) -> None:
        self.database, self.tasks, self.add = database, tasks, add
        self.openapi = {"post": {"summary": "Tag followers (a job)" if add else "Untag followers (a job)",
                                 "body": TagMembers, "responses": _ACCEPTED}}

    def on_post(self, req: falcon.Request, resp: falcon.Response, tag_id: int) -> None:
        body = read_model(req, TagMembers)
        kind = job_kinds.TAGS_TAG if self.add else job_kinds.TAGS_UNTAG
        _job(self.database, self.tasks, resp, kind, {"tagId": _own_tag(tag_id),
                                                     "openids": list(dict.fromkeys(body.openids))})
