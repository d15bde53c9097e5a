"""``wechat.subscribe_templates.sync``: make the local subscription-template table what each configured account
(the Official Account, the mini-program) lists.

As for the private templates (:mod:`workers.jobs.template_sync`): new ones inserted, changed ones updated, ones
gone remotely deleted, the local fields of kept ones left alone. An account that is not configured is not asked,
and its rows stay.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import job_kinds
from core.runtime import Runtime
from models.wechat.subscribe_templates import WeChatSubscribeTemplate
from platforms.wechat import subscribe_keys
from workers.jobs.kinds import JobKind, Params
from workers.jobs.template_sync import COUNTS, merge_templates

KIND = job_kinds.SUBSCRIBE_TEMPLATES_SYNC


def _fields(item: dict[str, Any]) -> dict[str, Any]:
    kind = item.get("type")
    return {"title": str(item.get("title") or "")[:200], "content": str(item.get("content") or ""),
            "example": str(item.get("example") or ""), "kind": kind if isinstance(kind, int) else 2}


def call(runtime: Runtime, params: Params) -> dict[str, list[dict[str, Any]]]:
    third = runtime.settings.third
    remote = {}
    if third.wechat.configured:
        remote["oa"] = runtime.clients.wechat.subscribe.templates()
    if third.wechat_applet.configured:
        remote["applet"] = runtime.clients.wechat_applet.subscribe.templates()
    return remote


def _sync(session: Session, account: str, remote: list[dict[str, Any]], counts: dict[str, int]) -> None:
    local = {t.template_id: t for t in session.scalars(
        select(WeChatSubscribeTemplate).where(WeChatSubscribeTemplate.account == account))}
    seen = merge_templates(session, local, remote, id_field="priTmplId", fields=_fields, keys=subscribe_keys,
                           new_row=partial(WeChatSubscribeTemplate, account=account), counts=counts)
    counts["total"] += len(seen)


def record(session: Session, params: Params, remote: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    counts = {**dict.fromkeys(COUNTS, 0), "total": 0}
    for account, items in remote.items():
        _sync(session, account, items, counts)
    return {**counts, "accounts": sorted(remote)}


SYNC = JobKind(KIND, call, record)
