"""Subscription-message templates of the Official Account and of the mini-program, synced from
``/wxaapi/newtmpl/gettemplate``, plus our local fields.

``app`` says which kind of app's template it is (``oa``: an Official Account's, sent with ``bizsend``; ``applet``: a
mini-program's ``send``), ``account`` which account's (``default``: the seed's ``third.wechat`` and
``third.wechat-applet``; another code: that account of ``third.accounts`` or the API). ``code``, ``name`` and
``enabled`` are ours to edit (a code names one template of its account), as for the template messages' private
templates; ``keys`` are the content's ``{{thing1.DATA}}`` placeholders, each with a type that limits its value
(:mod:`models.wechat.subscribe_rules`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, iso, utcnow
from models.wechat.subscribe_rules import FORMATS, MAX_CHARS, key_type

#: The two kinds of app a subscription template belongs to.
APPS = ("oa", "applet")
#: Each kind's platform in the accounts registry.
APP_PLATFORMS = {"oa": "wechat", "applet": "wechat-applet"}
#: The platform's fields a sync copies (and compares to decide whether a template changed).
SYNCED_FIELDS = ("title", "content", "example", "kind")


class WeChatSubscribeTemplate(Base):
    __tablename__ = "wechat_subscribe_templates"
    __table_args__ = (
        UniqueConstraint("account", "app", "template_id", name="uq_wechat_subscribe_templates_account_app"),
        UniqueConstraint("account", "code", name="uq_wechat_subscribe_templates_account_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The account's code (``default``: the seed's apps).
    account: Mapped[str] = mapped_column(String(32), default="default", server_default="default")
    #: ``oa`` or ``applet``.
    app: Mapped[str] = mapped_column(String(16))
    #: The platform's ``priTmplId``.
    template_id: Mapped[str] = mapped_column(String(128))
    #: Ours: how senders name it. Unique over both apps of its account; unset until an operator gives one.
    code: Mapped[str | None] = mapped_column(String(64), default=None)
    name: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[str] = mapped_column(Text, default="")
    #: The platform's ``type``: 2 one-off (一次性), 3 long-term (长期).
    kind: Mapped[int] = mapped_column(default=2)
    keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


def find_subscribe_template(session: Session, app: str, *, template_id: str | None = None,
                            code: str | None = None, account: str = "default") -> WeChatSubscribeTemplate | None:
    """``account``'s template by its platform id (among its ``app``'s) or by code (among both its apps')."""
    query = select(WeChatSubscribeTemplate).where(WeChatSubscribeTemplate.account == account)
    if template_id is not None:
        query = query.where(WeChatSubscribeTemplate.app == app, WeChatSubscribeTemplate.template_id == template_id)
    elif code is not None:
        query = query.where(WeChatSubscribeTemplate.code == code)
    else:
        return None
    return session.scalars(query).one_or_none()


def key_rule(key: str) -> dict[str, Any]:
    """What WeChat accepts for ``key``'s value: its type (``thing`` for ``thing1``), longest value, whether it has
    a format (the admin page says which)."""
    kind = key_type(key)
    return {"key": key, "type": kind, "maxChars": MAX_CHARS.get(kind or ""), "formatted": kind in FORMATS}


def subscribe_template_view(template: WeChatSubscribeTemplate) -> dict[str, Any]:
    return {"id": template.id, "account": template.account, "app": template.app, "templateId": template.template_id,
            "code": template.code, "name": template.name, "enabled": template.enabled, "title": template.title,
            "content": template.content, "example": template.example, "type": template.kind, "keys": template.keys,
            "keyRules": [key_rule(key) for key in template.keys or []],
            "createdAt": iso(template.created_at), "updatedAt": iso(template.updated_at),
            "syncedAt": iso(template.synced_at)}
