"""``wechat.templates.sync``: make the local template table what the platform lists.

New templates are inserted, changed ones updated, ones gone remotely deleted, the local fields of kept ones left
alone (:mod:`workers.jobs.template_sync`); the counts are the job's result.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import job_kinds
from core.runtime import Runtime
from models.wechat.templates import SYNCED_FIELDS, WeChatTemplate
from platforms.wechat import template_keys
from workers.jobs.kinds import JobKind, Params
from workers.jobs.template_sync import COUNTS, merge_templates

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
    counts = dict.fromkeys(COUNTS, 0)
    seen = merge_templates(session, local, remote, id_field="template_id", fields=_fields, keys=template_keys,
                           new_row=functools.partial(WeChatTemplate, account=account), counts=counts)
    return {**counts, "total": len(seen)}


SYNC = JobKind(KIND, call, record)
