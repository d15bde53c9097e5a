"""Each Official Account's followers and tags as the platform last answered, so pages and records can show them.

Openids and tag ids are the account's own (one person has another openid in each account; tag 100 of one account
is not tag 100 of another), so rows are keyed by (account, openid) and (account, tag id).

WeChat is the source: rows are written only by the followers jobs (``wechat.followers.fetch``, the tag jobs), never
edited locally. ``subscribed`` false means the openid did not (or no longer) follow when last fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from config.settings import DEFAULT_ACCOUNT
from models.base import Base, iso, utcnow


class WeChatFollower(Base):
    __tablename__ = "wechat_followers"

    #: The Official Account followed (``default``: ``third.wechat``).
    account: Mapped[str] = mapped_column(String(32), primary_key=True, default="default", server_default="default")
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

    #: The Official Account whose tag it is.
    account: Mapped[str] = mapped_column(String(32), primary_key=True, default="default", server_default="default")
    #: The platform's id (0-2 are WeChat's own tags).
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(30))
    count: Mapped[int] = mapped_column(default=0)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)


def _text(value: Any, width: int) -> str | None:
    """The platform's value cut to the column (WeChat decides lengths, not us); None when empty."""
    return str(value)[:width] if value not in (None, "") else None


def store_follower(session: Session, info: dict[str, Any], account: str = DEFAULT_ACCOUNT) -> WeChatFollower | None:
    """Insert or update ``account``'s row of one ``user/info`` answer; None when the answer names no openid."""
    openid = _text(info.get("openid"), 64)
    if openid is None:
        return None
    row = session.get(WeChatFollower, (account, openid)) or WeChatFollower(account=account, openid=openid)
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


def followers_by_openid(session: Session, openids: Iterable[str],
                        account: str = DEFAULT_ACCOUNT) -> dict[str, WeChatFollower]:
    """``account``'s rows of these openids, by openid."""
    wanted = list(dict.fromkeys(openids))
    if not wanted:
        return {}
    rows = session.scalars(select(WeChatFollower).where(WeChatFollower.account == account,
                                                        WeChatFollower.openid.in_(wanted)))
    return {row.openid: row for row in rows}


def follower_view(row: WeChatFollower, tag_names: dict[int, str] | None = None) -> dict[str, Any]:
    names = tag_names or {}
    return {"openid": row.openid, "account": row.account, "subscribed": row.subscribed, "language": row.language,
            "subscribedAt": iso(row.subscribed_at), "unionid": row.unionid, "remark": row.remark,
            "tags": [{"id": t, "name": names.get(t)} for t in row.tag_ids or []],
            "subscribeScene": row.subscribe_scene, "qrScene": row.qr_scene, "fetchedAt": iso(row.fetched_at)}


def follower_views(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The views of the followers fetched so far among ``(account, openid)`` pairs (records and bindings naming
    their senders), by pair; a few queries per account, whatever the number of pairs."""
    by_account: dict[str, list[str]] = {}
    for account, openid in keys:
        by_account.setdefault(account or DEFAULT_ACCOUNT, []).append(openid)
    views: dict[tuple[str, str], dict[str, Any]] = {}
    for account, openids in by_account.items():
        followers = followers_by_openid(session, openids, account)
        names = tag_names(session, account) if followers else {}
        views.update({(account, openid): follower_view(row, names) for openid, row in followers.items()})
    return views


def tag_names(session: Session, account: str = DEFAULT_ACCOUNT) -> dict[int, str]:
    return {tag.id: tag.name for tag in session.scalars(select(WeChatTag).where(WeChatTag.account == account))}


def tag_view(tag: WeChatTag) -> dict[str, Any]:
    return {"id": tag.id, "account": tag.account, "name": tag.name, "count": tag.count, "syncedAt": iso(tag.synced_at)}
