"""``wechat.subscribe_templates.sync``: make the local subscription-template table what the job's account
(``params["account"]``, absent: the default) lists: its Official Account's and its mini-program's, where that
account has them (an account code may name an Official Account, a mini-program, or both), each asked with its own
token.

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
from models.wechat.subscribe_templates import APP_PLATFORMS, WeChatSubscribeTemplate
from platforms.wechat import subscribe_keys
from workers.jobs.kinds import JobKind, Params
from workers.jobs.template_sync import COUNTS, merge_templates

KIND = job_kinds.SUBSCRIBE_TEMPLATES_SYNC


def _fields(item: dict[str, Any]) -> dict[str, Any]:
    kind = item.get("type")
    return {"title": str(item.get("title") or "")[:200], "content": str(item.get("content") or ""),
            "example": str(item.get("example") or ""), "kind": kind if isinstance(kind, int) else 2}


def call(runtime: Runtime, params: Params) -> dict[str, list[dict[str, Any]]]:
    code = params.get("account") or "default"
    clients = runtime.clients.for_account(code)
    remote = {}
    for app, platform in APP_PLATFORMS.items():
        settings = runtime.accounts.settings_of(platform, code)
        if settings is not None and settings.configured:
            remote[app] = (clients.wechat if app == "oa" else clients.wechat_applet).subscribe.templates()
    return remote


def _sync(session: Session, account: str, app: str, remote: list[dict[str, Any]], counts: dict[str, int]) -> None:
    local = {t.template_id: t for t in session.scalars(select(WeChatSubscribeTemplate).where(
        WeChatSubscribeTemplate.account == account, WeChatSubscribeTemplate.app == app))}
    seen = merge_templates(session, local, remote, id_field="priTmplId", fields=_fields, keys=subscribe_keys,
                           new_row=partial(WeChatSubscribeTemplate, account=account, app=app), counts=counts)
    counts["total"] += len(seen)


def record(session: Session, params: Params, remote: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """``apps``: which of the account's apps were asked."""
    counts = {**dict.fromkeys(COUNTS, 0), "total": 0}
    for app, items in remote.items():
        _sync(session, params.get("account") or "default", app, items, counts)
    return {**counts, "apps": sorted(remote)}


SYNC = JobKind(KIND, call, record)
