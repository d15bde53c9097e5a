"""Each Official Account's published articles (``freepublish``) and drafts (``draft``), as the last sync listed them.

One row per published item or draft (each may hold several articles); the articles are kept without their HTML
body (the sync asks with ``no_content``), enough to list and find them. An ``article_id`` or ``media_id`` is unique
within its account.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, iso, utcnow

#: ``published`` (an ``article_id``) or ``draft`` (a ``media_id``).
KINDS = ("published", "draft")
#: The fields of each article a row keeps.
ARTICLE_FIELDS = ("title", "author", "digest", "url", "content_source_url", "thumb_media_id", "thumb_url",
                  "is_deleted")


class WeChatArticle(Base):
    __tablename__ = "wechat_articles"
    __table_args__ = (UniqueConstraint("account", "kind", "platform_id", name="uq_wechat_articles_account"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The Official Account that published it (``default``: ``third.wechat``).
    account: Mapped[str] = mapped_column(String(32), default="default", server_default="default")
    kind: Mapped[str] = mapped_column(String(16))
    #: WeChat's ``article_id`` (published) or ``media_id`` (draft).
    platform_id: Mapped[str] = mapped_column(String(128))
    #: The first article's title, for lists.
    title: Mapped[str] = mapped_column(String(200), default="")
    articles: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: WeChat's ``update_time``.
    updated_at: Mapped[datetime | None] = mapped_column(default=None)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


def article_view(row: WeChatArticle) -> dict[str, Any]:
    return {"id": row.id, "account": row.account, "kind": row.kind,
            ("articleId" if row.kind == "published" else "mediaId"): row.platform_id,
            "title": row.title, "articles": row.articles, "updatedAt": iso(row.updated_at),
            "syncedAt": iso(row.synced_at)}
