"""``wechat.subscribe_templates.sync``: make the local subscription-template table what each configured account
(the Official Account, the mini-program) lists.

As for the private templates: new ones inserted (enabled, named after their title), changed ones updated, ones gone
remotely deleted, the local fields (code, name, enabled) of kept ones left alone. An account that is not configured
is not asked, and its rows stay.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import job_kinds
from core.runtime import Runtime
from models.base import utcnow
from models.wechat.subscribe_templates import WeChatSubscribeTemplate
from platforms.wechat import subscribe_keys
from workers.jobs.kinds import JobKind, Params

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
    now = utcnow()
    seen: set[str] = set()
    for item in remote:
        template_id = str(item.get("priTmplId") or "")
        if not template_id or template_id in seen:
            continue
        seen.add(template_id)
        fields = _fields(item)
        row = local.get(template_id)
        if row is None:
            session.add(WeChatSubscribeTemplate(account=account, template_id=template_id, enabled=True,
                                                name=(fields["title"] or template_id)[:100], synced_at=now,
                                                keys=subscribe_keys(fields["content"]), **fields))
            counts["inserted"] += 1
        elif any(getattr(row, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            row.keys = subscribe_keys(fields["content"])
            row.synced_at = now
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    for template_id, row in local.items():
        if template_id not in seen:
            session.delete(row)
            counts["deleted"] += 1
    counts["total"] += len(seen)


def record(session: Session, params: Params, remote: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    counts = {"inserted": 0, "updated": 0, "deleted": 0, "unchanged": 0, "total": 0}
    for account, items in remote.items():
        _sync(session, account, items, counts)
    return {**counts, "accounts": sorted(remote)}


SYNC = JobKind(KIND, call, record)
