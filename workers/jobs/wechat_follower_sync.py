"""``wechat.followers.sync``: the whole follower list (or one tag's) from WeChat into the local table, in steps.

Each run of the job is one step, recorded before the next (:class:`~workers.jobs.kinds.Continue`): first one page
of ``user/get`` (``user/tag/get`` with ``tagId``) a step, the list kept in :mod:`models.wechat.follower_listing`;
then the listed followers' data, :data:`FETCH_STEP` openids a step through ``user/info/batchget``; last, whoever
the local table holds but the list did not name is marked as no longer following (or loses the tag). Where the
walk is, and how far it got, is in the job's params and result, so an error midway (45009: the day's quota spent)
fails the job with its progress, and running it again (``POST /api/v1/jobs/{id}/retry``) goes on from there; a
step run twice writes the same rows again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core import job_kinds
from core.runtime import Runtime
from models.base import utcnow
from models.wechat.follower_listing import add_listed, forget, listed, listed_after, unlisted
from models.wechat.followers import WeChatFollower, followers_by_openid, store_follower
from platforms.wechat.followers import BATCH_INFO_LIMIT
from workers.jobs.kinds import Continue, JobKind, JobRefused, Params

#: Openids whose data one step fetches (ten ``user/info/batchget`` calls).
FETCH_STEP = BATCH_INFO_LIMIT * 10
#: What the job's result shows while it runs, and when it is done.
PROGRESS_KEYS = ("phase", "pages", "listed", "total", "fetched", "following")


def _state(params: Params) -> dict[str, Any]:
    return dict(params.get("sync") or {"phase": "list", "cursor": "", "after": "", "pages": 0, "listed": 0,
                                       "fetched": 0, "following": 0})


def _call(runtime: Runtime, params: Params) -> dict[str, Any]:
    state, tag_id = _state(params), params.get("tagId")
    followers = runtime.clients.wechat_for(params.get("account")).followers
    if state["phase"] == "list":
        cursor = state["cursor"]
        return {"page": followers.list_page(cursor) if tag_id is None else followers.tag_page(tag_id, cursor)}
    with runtime.database.session() as session:
        openids = listed_after(session, state["id"], state["after"], FETCH_STEP)
        if len(openids) < FETCH_STEP and _kept(session, state) != state["listed"]:
            raise JobRefused("this sync's follower list was dropped when a newer sync started: start a new sync")
    return {"openids": openids, "answers": followers.batch_info(openids) if openids else []}


def _kept(session: Session, state: dict[str, Any]) -> int:
    return session.scalar(select(func.count()).select_from(listed(state["id"]).subquery())) or 0


def _record(session: Session, params: Params, answer: dict[str, Any]) -> dict[str, Any] | Continue:
    state, account = _state(params), _account(params)
    if "id" not in state:  # the first step: a new list, and the account's older lists go (one sync per account)
        state.update(id=str(uuid.uuid4()), startedAt=utcnow().isoformat())
        forget(session, except_sync=state["id"], account=account)
    if "page" in answer:
        page = answer["page"]
        state["pages"] += 1 if page.openids else 0
        state["listed"] += add_listed(session, state["id"], page.openids, account)
        if page.total is not None:
            state["total"] = page.total
        if page.last or page.next_openid == state["cursor"]:
            state["phase"] = "fetch"
        else:
            state["cursor"] = page.next_openid
        return _step(params, state)
    followers_by_openid(session, answer["openids"], account)  # one query loads the rows the answers update
    rows = [row for row in (store_follower(session, info, account) for info in answer["answers"])
            if row is not None]
    state["fetched"] += len(rows)
    state["following"] += sum(row.subscribed for row in rows)
    if answer["openids"]:
        state["after"] = answer["openids"][-1]
    if len(answer["openids"]) == FETCH_STEP:
        return _step(params, state)
    return _finish(session, params, state)


def _account(params: Params) -> str:
    return params.get("account") or "default"


def _step(params: Params, state: dict[str, Any]) -> Continue:
    return Continue({**params, "sync": state}, _progress(params, state))


def _progress(params: Params, state: dict[str, Any]) -> dict[str, Any]:
    tag = {"tagId": params["tagId"]} if params.get("tagId") is not None else {}
    return {**tag, **{key: state[key] for key in PROGRESS_KEYS if key in state}}


def _finish(session: Session, params: Params, state: dict[str, Any]) -> dict[str, Any]:
    """Who was here before the walk began and is not on its list: no longer a follower (or no longer tagged)."""
    started = datetime.fromisoformat(state["startedAt"])
    account = _account(params)
    missing = (WeChatFollower.account == account, WeChatFollower.fetched_at < started,
               unlisted(state["id"], WeChatFollower.openid))
    tag_id = params.get("tagId")
    if tag_id is None:
        gone = session.execute(update(WeChatFollower).where(WeChatFollower.subscribed.is_(True), *missing)
                               .values(subscribed=False).execution_options(synchronize_session=False)).rowcount
        outcome = {"unsubscribed": gone}
    else:  # tag ids live in a JSON list: read a thousand rows at a time, change those that have the tag
        candidates = session.execute(select(WeChatFollower.openid, WeChatFollower.tag_ids).where(*missing)
                                     .execution_options(yield_per=1000))
        losing = [openid for openid, tags in candidates if tag_id in (tags or [])]
        for start in range(0, len(losing), FETCH_STEP):
            for row in followers_by_openid(session, losing[start:start + FETCH_STEP], account).values():
                row.tag_ids = [t for t in row.tag_ids if t != tag_id]
        outcome = {"untagged": len(losing)}
    forget(session, sync_id=state["id"])
    return {**_progress(params, {**state, "phase": "done"}), **outcome}


SYNC = JobKind(job_kinds.FOLLOWERS_SYNC, _call, _record)
