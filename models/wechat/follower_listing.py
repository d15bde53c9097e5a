"""The follower list as one sync walked it (``user/get`` or ``user/tag/get``), kept until the sync is done.

A sync walks every page first, then fetches the listed followers' data a batch at a time; the list lives here
between the job's steps (one account can have millions of followers: too many for a job's params), so a sync
that stopped (a daily quota spent, a worker gone) goes on from where it was. Who is in the local table but not in
the list no longer follows (or no longer has the tag). Each list is one account's: a sync of another account
runs beside it and never drops it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, String, delete, exists, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base

#: Openids per ``IN (...)``: well under every database's limit on bound parameters.
_IN_CHUNK = 1000


class WeChatFollowerListing(Base):
    __tablename__ = "wechat_follower_listings"

    #: The sync that listed it (a job's ``params["sync"]["id"]``).
    sync_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The Official Account whose list it is.
    account: Mapped[str] = mapped_column(String(32), default="default", server_default="default")


def add_listed(session: Session, sync_id: str, openids: Iterable[str], account: str = "default") -> int:
    """Add a page's openids (those not listed yet: a page read twice adds nothing); how many were new."""
    page = [o for o in dict.fromkeys(openids) if 0 < len(o) <= 64]
    if not page:
        return 0
    known: set[str] = set()
    for start in range(0, len(page), _IN_CHUNK):
        known.update(session.scalars(select(WeChatFollowerListing.openid).where(
            WeChatFollowerListing.sync_id == sync_id, WeChatFollowerListing.openid.in_(page[start:start + _IN_CHUNK]))))
    new = [o for o in page if o not in known]
    session.add_all(WeChatFollowerListing(sync_id=sync_id, openid=o, account=account) for o in new)
    return len(new)


def listed_after(session: Session, sync_id: str, after: str, limit: int) -> list[str]:
    """The next ``limit`` listed openids after ``after``, in openid order."""
    return list(session.scalars(select(WeChatFollowerListing.openid).where(
        WeChatFollowerListing.sync_id == sync_id, WeChatFollowerListing.openid > after)
        .order_by(WeChatFollowerListing.openid).limit(limit)))


def listed(sync_id: str) -> Select[tuple[str]]:
    """A subquery of the sync's openids."""
    return select(WeChatFollowerListing.openid).where(WeChatFollowerListing.sync_id == sync_id)


def unlisted(sync_id: str, openid: ColumnElement[str]) -> ColumnElement[bool]:
    """True where ``openid`` is not on the sync's list (NOT EXISTS: an anti-join on every database)."""
    return ~exists().where(WeChatFollowerListing.sync_id == sync_id, WeChatFollowerListing.openid == openid)


def forget(session: Session, *, sync_id: str | None = None, except_sync: str | None = None,
           account: str = "default") -> None:
    """Drop a sync's list (``sync_id``), or every other sync's of ``account`` (``except_sync``)."""
    statement = delete(WeChatFollowerListing)
    if sync_id is not None:
        statement = statement.where(WeChatFollowerListing.sync_id == sync_id)
    if except_sync is not None:
        statement = statement.where(WeChatFollowerListing.sync_id != except_sync,
                                    WeChatFollowerListing.account == account)
    session.execute(statement)
