"""The account's private templates, kept in sync with the platform, plus our local fields.

``template_id`` and the platform's fields (title, industries, content, example) come from the sync; ``code``,
``name`` and ``enabled`` are ours to edit: a sender names a template by its code, so the platform's long ids
stay out of other systems' configuration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, iso, utcnow

#: The platform's fields a sync copies (and compares to decide whether a template changed).
SYNCED_FIELDS = ("title", "primary_industry", "deputy_industry", "content", "example")


class WeChatTemplate(Base):
    __tablename__ = "wechat_templates"
    __table_args__ = (
        UniqueConstraint("account", "template_id", name="uq_wechat_templates_account_template_id"),
        UniqueConstraint("account", "code", name="uq_wechat_templates_account_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The Official Account whose template it is (``default``: ``third.wechat``).
    account: Mapped[str] = mapped_column(String(32), default="default", server_default="default")
    template_id: Mapped[str] = mapped_column(String(128))
    #: Ours: how senders name it. Unique in its account; unset until an operator gives one.
    code: Mapped[str | None] = mapped_column(String(64), default=None)
    name: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    primary_industry: Mapped[str] = mapped_column(String(100), default="")
    deputy_industry: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[str] = mapped_column(Text, default="")
    #: The data keys a message with this template must fill (its ``{{key.DATA}}`` placeholders, in order),
    #: read from ``content`` by the sync.
    keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: When a sync last found it changed (or new).
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


def find_wechat_template(session: Session, *, template_id: str | None = None, code: str | None = None,
                         account: str = "default") -> WeChatTemplate | None:
    """``account``'s template with this platform id, or else this code."""
    mine = select(WeChatTemplate).where(WeChatTemplate.account == account)
    if template_id is not None:
        return session.scalars(mine.where(WeChatTemplate.template_id == template_id)).one_or_none()
    if code is not None:
        return session.scalars(mine.where(WeChatTemplate.code == code)).one_or_none()
    return None


def wechat_template_view(template: WeChatTemplate) -> dict[str, Any]:
    return {"id": template.id, "account": template.account,
            "templateId": template.template_id, "code": template.code, "name": template.name,
            "enabled": template.enabled, "title": template.title, "primaryIndustry": template.primary_industry,
            "deputyIndustry": template.deputy_industry, "content": template.content, "example": template.example,
            "keys": template.keys, "createdAt": iso(template.created_at), "updatedAt": iso(template.updated_at),
            "syncedAt": iso(template.synced_at)}
