"""Mass sends (群发), from draft to WeChat's final report.

A mass send cannot be taken back, so it is made in two steps: a ``draft`` row with a preview of whom it reaches and
what it says, then a confirmation that starts the send (a job). The job passes ``clientmsgid`` = ``imbridge-mass-<id>``,
so a retried job never sends twice (WeChat answers 45065 instead). WeChat's ``MASSSENDJOBFINISH`` event is joined to
the row by ``msg_id`` (:func:`apply_mass_report`); one that came before the job recorded the ``msg_id`` is kept in
the inbound records and joined when the job records it (:func:`join_stored_report`). Each send is one Official
Account's (``account``), and msg_ids are the account's own: a report joins only a send of the account whose portal
received it::

    draft -> sending -> sent -> (report)        confirm; the job; the event's totals
                     -> failed                  WeChat refused (the error kept)
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, Text, and_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, as_utc, iso, utcnow
from models.inbound import InboundRecord


class MassStatus(enum.StrEnum):
    DRAFT = "draft"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class WeChatMassSend(Base):
    __tablename__ = "wechat_mass_sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The Official Account that sends it (``default``: ``third.wechat``).
    account: Mapped[str] = mapped_column(String(32), default="default", server_default="default")
    status: Mapped[str] = mapped_column(String(16), default=MassStatus.DRAFT.value)
    #: ``all``, ``tag`` or ``openids``.
    audience: Mapped[str] = mapped_column(String(16))
    tag_id: Mapped[int | None] = mapped_column(default=None)
    tag_name: Mapped[str | None] = mapped_column(String(30), default=None)
    openids: Mapped[list[str]] = mapped_column(JSON, default=list)
    msgtype: Mapped[str] = mapped_column(String(16))
    #: The message as WeChat takes it: ``{"msgtype": ..., "<msgtype>": {...}}``.
    message: Mapped[dict[str, Any]] = mapped_column(JSON)
    send_ignore_reprint: Mapped[bool] = mapped_column(default=False)
    job_id: Mapped[str | None] = mapped_column(String(36), default=None)
    #: WeChat's ids of the send (``msg_id`` names it in ``mass/get`` and the event).
    msg_id: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    msg_data_id: Mapped[str | None] = mapped_column(String(64), default=None)
    #: What ``mass/get`` last answered (``SEND_SUCCESS``, ``SENDING``, ``SEND_FAIL``, ``DELETE``).
    msg_status: Mapped[str | None] = mapped_column(String(32), default=None)
    #: The MASSSENDJOBFINISH event: ``{status, totalCount, filterCount, sentCount, errorCount, reportedAt}``.
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    errcode: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


def clientmsgid(mass_id: int) -> str:
    """The ``clientmsgid`` of a row's send: WeChat sends once per value, however often the job runs."""
    return f"imbridge-mass-{mass_id}"


def summary(message: dict[str, Any]) -> str:
    """A line saying what the message is, for the confirmation step."""
    msgtype = str(message.get("msgtype"))
    content = message.get(msgtype) or {}
    if msgtype == "text":
        text = str(content.get("content", ""))
        return f"text: {text[:60]}{'...' if len(text) > 60 else ''}"
    if msgtype == "wxcard":
        return f"wxcard {content.get('card_id')}"
    return f"{msgtype} {content.get('media_id')}"


def preview(row: WeChatMassSend) -> dict[str, Any]:
    """Whom the send reaches and what it says, as the confirmation shows it."""
    if row.audience == "all":
        audience: dict[str, Any] = {"kind": "all"}
    elif row.audience == "tag":
        audience = {"kind": "tag", "tagId": row.tag_id, "tagName": row.tag_name}
    else:
        audience = {"kind": "openids", "count": len(row.openids)}
    return {"audience": audience, "message": summary(row.message)}


def mass_send_view(row: WeChatMassSend, tag_count: int | None = None) -> dict[str, Any]:
    shown = preview(row)
    if tag_count is not None:
        shown["audience"]["count"] = tag_count
    return {"id": row.id, "account": row.account, "status": row.status, "preview": shown, "message": row.message,
            "openids": row.openids, "sendIgnoreReprint": row.send_ignore_reprint, "jobId": row.job_id,
            "msgId": row.msg_id, "msgDataId": row.msg_data_id, "msgStatus": row.msg_status, "report": row.report,
            "lastError": row.last_error, "errcode": row.errcode, "clientMsgId": clientmsgid(row.id),
            "createdAt": iso(row.created_at), "updatedAt": iso(row.updated_at),
            "confirmedAt": iso(row.confirmed_at), "sentAt": iso(row.sent_at)}


def _count(fields: dict[str, Any], name: str) -> int | None:
    try:
        return int(fields[name])
    except (KeyError, TypeError, ValueError):
        return None


def apply_mass_report(session: Session, fields: dict[str, Any], reported_at: datetime,
                      account: str = "default") -> bool:
    """Record WeChat's MASSSENDJOBFINISH event (its XML fields), received at ``account``'s portal, on that account's
    send it names; False if none of ours.

    WeChat reports a send once: the first report stays, and a later one naming the same ``msg_id`` (a replay with
    another CreateTime, or a forgery) changes nothing, though it is ours (True: nothing to retry). Where two sends
    carry one ``msg_id`` (the sandbox counts afresh after a restart), the newest without a report takes it.
    """
    msg_id = str(fields.get("MsgID") or "")
    rows = session.scalars(select(WeChatMassSend).where(WeChatMassSend.account == account,
                                                        WeChatMassSend.msg_id == msg_id)
                           .order_by(WeChatMassSend.id.desc())).all() if msg_id else []
    if not rows:
        return False
    row = next((row for row in rows if row.report is None), None)
    if row is not None:
        _set_report(row, fields, reported_at)
    return True


#: Reports received this long before the send was confirmed are still looked at (the ingress replicas' clocks
#: differ by seconds). No more: an older report naming the same msg_id was another send's (the sandbox counts
#: msg_ids afresh after a restart, while the database keeps the sends and reports made before it).
CLOCK_MARGIN = timedelta(minutes=1)


def join_stored_report(session: Session, row: WeChatMassSend) -> bool:
    """Join the MASSSENDJOBFINISH event already recorded for ``row``'s ``msg_id``, if one came before it; True if so.

    Mass sends are few, so the reports since the row was made are read and matched here, not by a JSON query.
    """
    if not row.msg_id or row.report is not None:
        return False
    since = (row.confirmed_at or row.created_at) - CLOCK_MARGIN
    events = session.scalars(select(InboundRecord).where(and_(
        InboundRecord.platform == "wechat", InboundRecord.account == (row.account or "default"),
        InboundRecord.event.in_(("MASSSENDJOBFINISH", "masssendjobfinish")),
        InboundRecord.received_at >= since)).order_by(InboundRecord.id))
    for event in events:
        fields = event.fields
        if str(fields.get("MsgID") or "") == row.msg_id:
            _set_report(row, fields, event.create_time)
            return True
    return False


def _set_report(row: WeChatMassSend, fields: dict[str, Any], reported_at: datetime) -> None:
    row.report = {"status": str(fields.get("Status") or "")[:200], "totalCount": _count(fields, "TotalCount"),
                  "filterCount": _count(fields, "FilterCount"), "sentCount": _count(fields, "SentCount"),
                  "errorCount": _count(fields, "ErrorCount"), "reportedAt": as_utc(reported_at).isoformat()}
