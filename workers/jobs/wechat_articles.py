"""``wechat.articles.sync``: make the local table of published articles and drafts what the account lists.

Pages through ``freepublish/batchget`` and ``draft/batchget`` (20 a page, without the HTML bodies), then inserts,
updates and deletes rows so the table matches. A page that fails fails the job (retried as jobs are); the table
is written only once every page is in, so it never shows half a listing. The job's account (``params["account"]``)
is asked with its own token, and only its rows change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import job_kinds
from core.runtime import Runtime
from models.base import utcnow
from models.wechat.articles import ARTICLE_FIELDS, KINDS, WeChatArticle
from platforms.wechat.publish import MAX_PAGE
from workers.jobs.kinds import JobKind, Params

#: The most items a sync reads per kind (WeChat's lists are far shorter in practice).
MAX_ITEMS = 10000


def _list_all(page: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while len(items) < MAX_ITEMS:
        answer = page(len(items), MAX_PAGE, True)
        batch = list(answer.get("item") or [])
        items += batch
        if not batch or len(items) >= int(answer.get("total_count") or 0):
            break
    return items


def call(runtime: Runtime, params: Params) -> dict[str, list[dict[str, Any]]]:
    publications = runtime.clients.wechat_for(params.get("account")).publications
    return {"published": _list_all(publications.published), "draft": _list_all(publications.drafts)}


def _row_fields(item: dict[str, Any]) -> dict[str, Any]:
    news = ((item.get("content") or {}).get("news_item")) or []
    articles = [{name: article[name] for name in ARTICLE_FIELDS if name in article}
                for article in news if isinstance(article, dict)]
    stamp = item.get("update_time")
    updated = datetime.fromtimestamp(stamp, UTC) if isinstance(stamp, int) and stamp > 0 else None
    return {"title": str(articles[0].get("title") or "")[:200] if articles else "", "articles": articles,
            "updated_at": updated}


def record(session: Session, params: Params, remote: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    now, account = utcnow(), params.get("account") or "default"
    result: dict[str, Any] = {}
    for kind in KINDS:
        id_field = "article_id" if kind == "published" else "media_id"
        local = {row.platform_id: row for row in session.scalars(
            select(WeChatArticle).where(WeChatArticle.account == account, WeChatArticle.kind == kind))}
        seen: set[str] = set()
        for item in remote.get(kind, []):
            platform_id = str(item.get(id_field) or "")[:128]
            if not platform_id or platform_id in seen:
                continue
            seen.add(platform_id)
            fields = _row_fields(item)
            row = local.get(platform_id)
            if row is None:
                session.add(WeChatArticle(account=account, kind=kind, platform_id=platform_id, synced_at=now, **fields))
            else:
                for name, value in fields.items():
                    setattr(row, name, value)
                row.synced_at = now
        gone = [row for platform_id, row in local.items() if platform_id not in seen]
        for row in gone:
            session.delete(row)
        result[kind] = {"total": len(seen), "deleted": len(gone)}
    return result


SYNC = JobKind(job_kinds.ARTICLES_SYNC, call, record)
