"""Inbound traffic: every message and event the platforms posted to a portal, as first received.

Written by the ``record_inbound`` actor, never by the request that received it (the portal answers within the
platform's 5 s and leaves the database to a worker). ``dedup_key`` is unique: an actor retried after a crash
cannot record a message twice, and neither can a platform's redelivery.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, Index, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, as_utc, utcnow


class InboundRecord(Base):
    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``wechat`` or ``wecom``.
    platform: Mapped[str] = mapped_column(String(16))
    #: The app the callback was for: the appid (WeChat) or corp id (WeCom).
    app: Mapped[str] = mapped_column(String(64))
    #: The account whose portal received it (``default``: the bare ``/wechat/portal``, ``/wecom/portal``).
    account: Mapped[str] = mapped_column(String(32), default="default", server_default="default")
    msg_type: Mapped[str] = mapped_column(String(32))
    event: Mapped[str | None] = mapped_column(String(64), default=None)
    event_key: Mapped[str | None] = mapped_column(String(1024), default=None)
    from_user: Mapped[str] = mapped_column(String(128))
    to_user: Mapped[str] = mapped_column(String(128))
    msg_id: Mapped[str | None] = mapped_column(String(64), default=None)
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    #: When the platform says the user acted (``CreateTime``).
    create_time: Mapped[datetime]
    #: When a portal received it.
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Every field of the message, JSON.
    fields_json: Mapped[str] = mapped_column(Text)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The handler that answered, and a short summary of its passive reply (None: no reply).
    handler: Mapped[str | None] = mapped_column(String(100), default=None)
    reply: Mapped[str | None] = mapped_column(String(255), default=None)

    __table_args__ = (
        Index("ix_inbound_messages_received_at", "received_at"),
        Index("ix_inbound_messages_from_user", "from_user"),
        Index("ix_inbound_messages_msg_type_event", "msg_type", "event"),
    )

    @property
    def fields(self) -> dict[str, str]:
        return json.loads(self.fields_json)

    def public(self) -> dict[str, Any]:
        """The JSON shape of the admin API and of outbound webhooks."""
        return {
            "id": self.id, "platform": self.platform, "app": self.app, "account": self.account,
            "msgType": self.msg_type,
            "event": self.event, "eventKey": self.event_key, "fromUser": self.from_user, "toUser": self.to_user,
            "msgId": self.msg_id, "dedupKey": self.dedup_key, "createTime": _iso(self.create_time),
            "receivedAt": _iso(self.received_at), "encrypted": self.encrypted, "handler": self.handler,
            "reply": self.reply, "fields": self.fields,
        }



def _iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat()



def store_inbound(session: Session, entry: dict[str, Any]) -> InboundRecord:
    """Insert the record a portal enqueued, or return the one already stored under its dedup key."""
    existing = session.scalars(select(InboundRecord).where(InboundRecord.dedup_key == entry["dedup_key"])).first()
    if existing is not None:
        return existing
    record = InboundRecord(
        platform=_clip(entry["platform"], 16), app=_clip(entry["app"], 64), msg_type=_clip(entry["msg_type"], 32),
        account=entry.get("account") or "default",
        event=_clip(entry.get("event"), 64), event_key=_clip(entry.get("event_key"), 1024),
        from_user=_clip(entry["from_user"], 128), to_user=_clip(entry["to_user"], 128),
        msg_id=_clip(entry.get("msg_id"), 64), dedup_key=entry["dedup_key"],
        create_time=_instant(entry["create_time"]), received_at=_instant(entry["received_at"]),
        fields_json=json.dumps(entry.get("fields") or {}, ensure_ascii=False),
        encrypted=bool(entry.get("encrypted")), handler=_clip(entry.get("handler"), 100),
        reply=_clip(entry.get("reply"), 255),
    )
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:  # a concurrent recorder won the race for this dedup key
        return session.scalars(select(InboundRecord).where(InboundRecord.dedup_key == entry["dedup_key"])).one()
    return record


def note_reply(session: Session, dedup_key: str, reply: str | None) -> None:
    """Add the reply summary to the record stored under ``dedup_key`` (its inbound entry came first)."""
    record = session.scalars(select(InboundRecord).where(InboundRecord.dedup_key == dedup_key)).first()
    if record is not None:
        record.reply = _clip(reply, 255)


def _clip(value: Any, length: int) -> Any:
    """The platform decides these lengths, not us: a longer value is cut to fit, never a failed insert."""
    return value if value is None or len(value) <= length else value[:length]


#: Timestamps outside this range (seconds) are not the platform's clock; they are stored as the epoch.
_LATEST = 253402300799  # 9999-12-31


def _instant(seconds: Any) -> datetime:
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        value = 0.0
    return datetime.fromtimestamp(value if 0 <= value <= _LATEST else 0, UTC)
