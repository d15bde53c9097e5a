"""The account's followers and tags as the platform last answered, so pages and records can show them.

WeChat is the source: rows are written only by the followers jobs (``wechat.followers.fetch``, the tag jobs), never
edited locally. ``subscribed`` false means the openid did not (or no longer) follow when last fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, iso, utcnow


class WeChatFollower(Base):
    __tablename__ = "wechat_followers"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    subscribed: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(String(16), default=None)
    subscribed_at: Mapped[datetime | None] = mapped_column(default=None)
    unionid: Mapped[str | None] = mapped_column(String(64), default=None)
    remark: Mapped[str] = mapped_column(String(30), default="")
    tag_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: How they came: ``ADD_SCENE_QR_CODE``, ``ADD_SCENE_SEARCH``... and the QR scene, if any.
    subscribe_scene: Mapped[str | None] = mapped_column(String(64), default=None)
    qr_scene: Mapped[str | None] = mapped_column(String(64), default=None)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class WeChatTag(Base):
    __tablename__ = "wechat_tags"

    #: The platform's id (0-2 are WeChat's own tags).
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(30))
    count: Mapped[int] = mapped_column(default=0)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


def _text(value: Any, width: int) -> str | None:
    """The platform's value cut to the column (WeChat decides lengths, not us); None when empty."""
    return str(value)[:width] if value not in (None, "") else None


def store_follower(session: Session, info: dict[str, Any]) -> WeChatFollower | None:
    """Insert or update the row of one ``user/info`` answer; None when the answer names no openid."""
    openid = _text(info.get("openid"), 64)
    if openid is None:
        return None
    row = session.get(WeChatFollower, openid) or WeChatFollower(openid=openid)
    row.subscribed = bool(info.get("subscribe"))
    if row.subscribed:  # a non-follower's answer carries nothing else: what we knew stays
        stamp = info.get("subscribe_time")
        row.subscribed_at = datetime.fromtimestamp(stamp, UTC) if isinstance(stamp, int) and stamp > 0 else None
        row.language = _text(info.get("language"), 16)
        row.unionid = _text(info.get("unionid"), 64)
        row.remark = _text(info.get("remark"), 30) or ""
        row.tag_ids = [t for t in info.get("tagid_list") or [] if isinstance(t, int)]
        row.subscribe_scene = _text(info.get("subscribe_scene"), 64)
        row.qr_scene = _text(info.get("qr_scene_str") or info.get("qr_scene") or None, 64)
    row.fetched_at = utcnow()
    session.add(row)
    return row


def followers_by_openid(session: Session, openids: Iterable[str]) -> dict[str, WeChatFollower]:
    wanted = list(dict.fromkeys(openids))
    if not wanted:
        return {}
    rows = session.scalars(select(WeChatFollower).where(WeChatFollower.openid.in_(wanted)))
    return {row.openid: row for row in rows}


def follower_view(row: WeChatFollower, tag_names: dict[int, str] | None = None) -> dict[str, Any]:
    names = tag_names or {}
    return {"openid": row.openid, "subscribed": row.subscribed, "language": row.language,
            "subscribedAt": iso(row.subscribed_at), "unionid": row.unionid, "remark": row.remark,
            "tags": [{"id": t, "name": names.get(t)} for t in row.tag_ids or []],
            "subscribeScene": row.subscribe_scene, "qrScene": row.qr_scene, "fetchedAt": iso(row.fetched_at)}


def tag_names(session: Session) -> dict[int, str]:
    return {tag.id: tag.name for tag in session.scalars(select(WeChatTag))}


def tag_view(tag: WeChatTag) -> dict[str, Any]:
    return {"id": tag.id, "name": tag.name, "count": tag.count, "syncedAt": iso(tag.synced_at)}
