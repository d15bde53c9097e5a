"""``replyTo``: answer an inbound message after the portal's 5 seconds, without knowing its platform's ways.

``{"replyTo": <inbound id>, "message": {...}}`` takes the channel and the recipient from the inbound record: a
WeChat follower gets a customer-service message (``wechat_custom``, ``touser`` = the sender), a WeCom member an app
message to them (``wecom_app``, ``to.users`` = [the sender]). Naming another channel or recipient as well is a
contradiction, refused like any bad field.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models.deliveries import Channel
from models.inbound import InboundRecord
from models.notifications.request import ProblemList, problem

#: The platform an inbound message came from -> the channel that answers it.
REPLY_CHANNELS = {"wechat": Channel.WECHAT_CUSTOM, "wecom": Channel.WECOM_APP}


def resolve_reply_to(session: Session, data: Any) -> tuple[Any, ProblemList]:
    """``data`` with ``replyTo`` turned into a channel and a recipient (a copy; ``data`` is left as it was), and
    the problems found; ``data`` itself when it names no ``replyTo``."""
    if not isinstance(data, dict) or "replyTo" not in data:
        return data, []
    data = dict(data)
    ref = data.pop("replyTo")
    if isinstance(ref, bool) or not isinstance(ref, int | str) or not str(ref).isdigit():
        return data, [problem("replyTo", "the id of an inbound message (GET /api/v1/inbound)", "type_error")]
    record = session.get(InboundRecord, int(ref))
    if record is None:
        return data, [problem("replyTo", f"no inbound message with id {ref}", "not_found")]
    channel = REPLY_CHANNELS.get(record.platform)
    if channel is None:
        return data, [problem("replyTo", f"messages from {record.platform} cannot be answered this way")]
    if data.get("channel", channel.value) != channel.value:
        return data, [problem("channel", f"a reply to a {record.platform} message goes on {channel.value}; "
                                         "leave channel out")]
    data["channel"] = channel.value
    if data.get("account", record.account) != record.account:
        return data, [problem("account", f"the reply goes through the account that received the message "
                                         f"('{record.account}'); leave account out")]
    if record.account != "default":
        data["account"] = record.account
    message = data.get("message")
    if channel is Channel.WECHAT_CUSTOM and isinstance(message, dict):
        if message.get("touser", record.from_user) != record.from_user:
            return data, [problem("message.touser", "the reply goes to the inbound message's sender; leave it out")]
        data["message"] = {**message, "touser": record.from_user}
    elif channel is Channel.WECOM_APP:
        if "to" in data:
            return data, [problem("to", "the reply goes to the inbound message's sender; leave it out")]
        data["to"] = {"users": [record.from_user]}
    return data, []
