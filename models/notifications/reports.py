"""What a platform reports about a send after it answered: WeChat's TEMPLATESENDJOBFINISH.

WeChat accepts a template message at once (errcode 0, a msgid) and says later, in an event to the portal,
whether the follower got it: ``success``, ``failed:user block`` (the follower refused the account's template
messages) or ``failed: system failed``. The report is kept in the record's answer (``jobStatus``,
``jobReportedAt``); a failure turns the ``sent`` record into ``failed``, so a failed notification shows up
where operators look for them, with WeChat's reason as its error.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.deliveries import Channel, Delivery, DeliveryStatus

#: The event's ``Status`` for a message that reached the follower.
SUCCESS = "success"


class Applied(NamedTuple):
    """The record a report was applied to; ``failed_now``: the report turned it from ``sent`` into ``failed``
    (an outcome its callbacks hear of)."""

    delivery_id: str
    client_id: int | None
    failed_now: bool


def apply_template_report(session: Session, msgid: str, status: str, reported_at: datetime) -> Applied | None:
    """Record WeChat's report on the template message ``msgid``; None if no record of ours carries it (yet)."""
    delivery = session.scalars(select(Delivery).where(
        Delivery.platform_msgid == msgid, Delivery.channel == Channel.WECHAT_TEMPLATE.value)).first()
    if delivery is None:
        return None
    delivery.answer = {**(delivery.answer or {}), "jobStatus": status, "jobReportedAt": reported_at.isoformat()}
    failed_now = status != SUCCESS and delivery.status == DeliveryStatus.SENT.value
    if failed_now:
        delivery.status = DeliveryStatus.FAILED.value
        delivery.last_error = f"WeChat reported after the send: {status}"
    return Applied(delivery.id, delivery.client_id, failed_now)
