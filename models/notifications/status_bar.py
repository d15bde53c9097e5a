"""The status bar of a DingTalk OA work notification: which records have one, and what a request to set it says.

DingTalk shows it under an OA message ("已同意" on green) and lets the sender change it later
(``status_bar/update``, by the send's task id); only a sent ``dingtalk_work`` record of msgtype ``oa`` has one.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.deliveries import Channel, Delivery, DeliveryStatus

#: The longest status text accepted (the bar is one short line on a phone).
MAX_VALUE_CHARS = 20
_HEX6 = re.compile(r"#([0-9A-Fa-f]{6})")
_ARGB = re.compile(r"0x[0-9A-Fa-f]{8}")


class StatusBarRequest(BaseModel):
    """``POST /api/v1/notifications/{id}/status-bar``: the text and, optionally, its background colour."""

    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=1, max_length=MAX_VALUE_CHARS, description="the status text, e.g. 已同意")
    color: str | None = Field(default=None, description="#RRGGBB or DingTalk's 0xAARRGGBB, e.g. #78C06E")

    @field_validator("value")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("color")
    @classmethod
    def _argb(cls, color: str | None) -> str | None:
        """DingTalk's ``status_bg`` is ``0xAARRGGBB``; ``#RRGGBB`` is taken as opaque."""
        if color is None:
            return None
        if match := _HEX6.fullmatch(color):
            return f"0xFF{match.group(1).upper()}"
        if _ARGB.fullmatch(color):
            return "0x" + color[2:].upper()
        raise ValueError("must be #RRGGBB or 0xAARRGGBB")


def status_bar_settable(delivery: Delivery) -> bool:
    """Only a sent DingTalk work notification of msgtype ``oa`` has a status bar (and its task id to name it)."""
    return (delivery.channel == Channel.DINGTALK_WORK and delivery.msgtype == "oa"
            and delivery.status == DeliveryStatus.SENT and (delivery.answer or {}).get("taskId") is not None)
