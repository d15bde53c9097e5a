"""The followers and tags jobs: each asks WeChat, then writes what WeChat answered into the local tables.

Tag membership changes read the tag list back in the same job, so the local counts are WeChat's, not our guess.
Each job acts for ``params["account"]`` (absent: the default): that account's token, that account's rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import job_kinds
from core.runtime import Runtime
from models.base import utcnow
from models.wechat.followers import WeChatFollower, WeChatTag, store_follower
from workers.jobs.kinds import JobKind, Params


def _account(params: Params) -> str:
    return params.get("account") or "default"


def _fetch(runtime: Runtime, params: Params) -> list[dict[str, Any]]:
    return runtime.clients.wechat_for(params.get("account")).followers.batch_info(params["openids"])


def _record_fetch(session: Session, params: Params, answers: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [row for row in (store_follower(session, info, _account(params)) for info in answers)
            if row is not None]
    following = sum(row.subscribed for row in rows)
    return {"fetched": len(rows), "following": following, "notFollowing": len(rows) - following}


def _remark(runtime: Runtime, params: Params) -> None:
    runtime.clients.wechat_for(params.get("account")).followers.update_remark(params["openid"], params["remark"])


def _record_remark(session: Session, params: Params, answer: None) -> dict[str, Any]:
    row = session.get(WeChatFollower, (_account(params), params["openid"]))
    if row is not None:
        row.remark = params["remark"]
    return {"openid": params["openid"], "remark": params["remark"]}


def _store_tags(session: Session, params: Params, tags: list[dict[str, Any]]) -> dict[str, Any]:
    now, account = utcnow(), _account(params)
    session.execute(delete(WeChatTag).where(WeChatTag.account == account))
    for tag in tags:
        if isinstance(tag.get("id"), int):
            session.add(WeChatTag(account=account, id=tag["id"], name=str(tag.get("name") or "")[:30],
                                  count=int(tag.get("count") or 0), synced_at=now))
    return {"tags": len(tags)}


def _list_tags(runtime: Runtime, params: Params) -> list[dict[str, Any]]:
    return runtime.clients.wechat_for(params.get("account")).followers.tags()


def _record_sync(session: Session, params: Params, tags: list[dict[str, Any]]) -> dict[str, Any]:
    return _store_tags(session, params, tags)


def _create(runtime: Runtime, params: Params) -> dict[str, Any]:
    followers = runtime.clients.wechat_for(params.get("account")).followers
    created = followers.create_tag(params["name"])
    return {"created": created, "tags": followers.tags()}


def _record_create(session: Session, params: Params, answer: dict[str, Any]) -> dict[str, Any]:
    _store_tags(session, params, answer["tags"])
    return {"id": answer["created"]["id"], "name": answer["created"]["name"]}


def _delete(runtime: Runtime, params: Params) -> list[dict[str, Any]]:
    followers = runtime.clients.wechat_for(params.get("account")).followers
    followers.delete_tag(params["tagId"])
    return followers.tags()


def _record_delete(session: Session, params: Params, tags: list[dict[str, Any]]) -> dict[str, Any]:
    tag_id = params["tagId"]
    for row in session.scalars(select(WeChatFollower).where(WeChatFollower.account == _account(params))):
        if tag_id in (row.tag_ids or []):
            row.tag_ids = [t for t in row.tag_ids if t != tag_id]
    _store_tags(session, params, tags)
    return {"deleted": tag_id}


def _membership(add: bool):  # type: ignore[no-untyped-def]
    def call(runtime: Runtime, params: Params) -> list[dict[str, Any]]:
        followers = runtime.clients.wechat_for(params.get("account")).followers
        (followers.tag if add else followers.untag)(params["tagId"], params["openids"])
        return followers.tags()

    def record(session: Session, params: Params, tags: list[dict[str, Any]]) -> dict[str, Any]:
        tag_id, openids = params["tagId"], params["openids"]
        for row in session.scalars(select(WeChatFollower).where(WeChatFollower.account == _account(params),
                                                            WeChatFollower.openid.in_(openids))):
            kept = [t for t in row.tag_ids or [] if t != tag_id]
            row.tag_ids = [*kept, tag_id] if add else kept
        _store_tags(session, params, tags)
        return {"tagId": tag_id, "added" if add else "removed": len(openids)}

    return call, record


KINDS = [
    JobKind(job_kinds.FOLLOWERS_FETCH, _fetch, _record_fetch),
    JobKind(job_kinds.FOLLOWERS_REMARK, _remark, _record_remark),
    JobKind(job_kinds.TAGS_SYNC, _list_tags, _record_sync),
    JobKind(job_kinds.TAGS_CREATE, _create, _record_create),
    JobKind(job_kinds.TAGS_DELETE, _delete, _record_delete),
    JobKind(job_kinds.TAGS_TAG, *_membership(add=True)),
    JobKind(job_kinds.TAGS_UNTAG, *_membership(add=False)),
]
