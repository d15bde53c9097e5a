"""Menu drafts: a name, the buttons in the platform's own JSON, a remark, and the published flag.

At most one row is published: the one whose buttons are the live menu (published by us, or imported from the
platform). A partial unique index makes a second published row impossible, whatever the workers race to do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, select, true, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, iso, partial_index, utcnow


class WeChatMenu(Base):
    __tablename__ = "wechat_menus"
    __table_args__ = (
        partial_index("uq_wechat_menus_account_published", "account", "published", unique=True, where="published"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The Official Account whose menu it is (``default``: ``third.wechat``); one published row per account.
    account: Mapped[str] = mapped_column(String(32), default="default", server_default="default")
    name: Mapped[str] = mapped_column(String(100))
    #: ``[{"type": "click", "name": ..., "key": ...}, {"name": ..., "sub_button": [...]}]``.
    buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    remark: Mapped[str | None] = mapped_column(Text, default=None)
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def published_menu(session: Session, account: str = "default") -> WeChatMenu | None:
    return session.scalars(select(WeChatMenu).where(WeChatMenu.published == true(),
                                                    WeChatMenu.account == account)).one_or_none()


def unpublish_all(session: Session, account: str = "default") -> None:
    """Nothing of ``account`` is live any more (its menu was cleared, or another row is about to be published)."""
    session.flush()
    session.execute(update(WeChatMenu).where(WeChatMenu.published == true(), WeChatMenu.account == account)
                    .values(published=False, updated_at=utcnow()).execution_options(synchronize_session=False))
    session.expire_all()


def mark_published(session: Session, menu: WeChatMenu) -> None:
    """``menu`` is live now, and its account's only published row."""
    unpublish_all(session, menu.account or "default")
    menu.published = True
    menu.published_at = utcnow()
    session.flush()


def menu_view(menu: WeChatMenu, with_buttons: bool = True) -> dict[str, Any]:
    view: dict[str, Any] = {"id": menu.id, "account": menu.account, "name": menu.name, "remark": menu.remark,
                            "published": menu.published,
                            "publishedAt": iso(menu.published_at), "createdAt": iso(menu.created_at),
                            "updatedAt": iso(menu.updated_at)}
    if with_buttons:
        view["buttons"] = menu.buttons
    return view


def diff_buttons(published: Any, draft: Any, path: str = "buttons") -> list[dict[str, Any]]:
    """What publishing ``draft`` would change: ``{"path", "change": added|removed|changed, "published", "draft"}``.

    Buttons are compared by position, as the platform shows them; attributes by name.
    """
    if isinstance(published, dict) and isinstance(draft, dict):
        changes = []
        for key in [*published, *(k for k in draft if k not in published)]:
            where = f"{path}.{key}"
            if key not in draft:
                changes.append({"path": where, "change": "removed", "published": published[key], "draft": None})
            elif key not in published:
                changes.append({"path": where, "change": "added", "published": None, "draft": draft[key]})
            else:
                changes += diff_buttons(published[key], draft[key], where)
        return changes
    if isinstance(published, list) and isinstance(draft, list):
        changes = []
        for i in range(max(len(published), len(draft))):
            where = f"{path}.{i}"
            if i >= len(draft):
                changes.append({"path": where, "change": "removed", "published": published[i], "draft": None})
            elif i >= len(published):
                changes.append({"path": where, "change": "added", "published": None, "draft": draft[i]})
            else:
                changes += diff_buttons(published[i], draft[i], where)
        return changes
    if published != draft:
        return [{"path": path, "change": "changed", "published": published, "draft": draft}]
    return []
