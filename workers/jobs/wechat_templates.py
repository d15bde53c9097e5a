"""``wechat.templates.sync``: make the local template table what the platform lists.

New templates are inserted (enabled, named after their title), changed ones updated, ones gone remotely
deleted; the counts are the job's result. The local fields (code, name, enabled) of kept templates stay.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import job_kinds
from core.runtime import Runtime
from models.base import utcnow
from models.wechat.templates import SYNCED_FIELDS, WeChatTemplate
from platforms.wechat import template_keys
from workers.jobs.kinds import JobKind, Params

KIND = job_kinds.TEMPLATES_SYNC

#: Column widths, so an unusually long platform value is cut rather than failing the sync.
_WIDTHS = {"title": 200, "primary_industry": 100, "deputy_industry": 100}


def _fields(item: dict[str, Any]) -> dict[str, str]:
    values = {name: str(item.get(name) or "") for name in SYNCED_FIELDS}
    return {name: value[:_WIDTHS[name]] if name in _WIDTHS else value for name, value in values.items()}


def call(runtime: Runtime, params: Params) -> list[dict[str, Any]]:
    return runtime.clients.wechat_for(params.get("account")).templates.list_private()


def record(session: Session, params: Params, remote: list[dict[str, Any]]) -> dict[str, Any]:
    account = params.get("account") or "default"
    mine = select(WeChatTemplate).where(WeChatTemplate.account == account)
    local = {t.template_id: t for t in session.scalars(mine)}
    now = utcnow()
    seen: set[str] = set()
    counts = {"inserted": 0, "updated": 0, "deleted": 0, "unchanged": 0}
    for item in remote:
        template_id = str(item.get("template_id") or "")
        if not template_id or template_id in seen:
            continue
        seen.add(template_id)
        fields = _fields(item)
        row = local.get(template_id)
        if row is None:
            name = (fields["title"] or template_id)[:100]
            session.add(WeChatTemplate(account=account, template_id=template_id, name=name, enabled=True,
                                       synced_at=now, keys=template_keys(fields["content"]), **fields))
            counts["inserted"] += 1
        elif any(getattr(row, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            row.keys = template_keys(fields["content"])
            row.synced_at = now
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    for template_id, row in local.items():
        if template_id not in seen:
            session.delete(row)
            counts["deleted"] += 1
    return {**counts, "total": len(seen)}


SYNC = JobKind(KIND, call, record)
