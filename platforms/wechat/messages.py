"""Inbound callback messages and events, typed.

:func:`parse_message` turns a (decrypted) callback body into an :class:`InboundMessage` subclass chosen
by ``MsgType`` and, for events, ``Event``. Unknown types still parse into the base class, so a new
platform feature is recorded rather than rejected. WeCom posts the same format (plus ``AgentID``, kept in
``fields``), so this module serves both.

The passive replies live in :mod:`platforms.wechat.replies` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from platforms.errors import MessageFormatError
from platforms.wechat.replies import (
    Article,
    ImageReply,
    MusicReply,
    NewsReply,
    Reply,
    TextReply,
    VideoReply,
    VoiceReply,
    reply_to,
)
from platforms.xml import parse_xml

__all__ = [
    "Article",
    "ClickEvent",
    "ImageMessage",
    "ImageReply",
    "InboundMessage",
    "LinkMessage",
    "LocationEvent",
    "LocationMessage",
    "LocationSelectEvent",
    "MassSendJobFinishEvent",
    "MusicReply",
    "NewsReply",
    "PicEvent",
    "Reply",
    "ScanCodeEvent",
    "ScanEvent",
    "ShortVideoMessage",
    "SubscribeEvent",
    "TemplateSendJobFinishEvent",
    "TextMessage",
    "TextReply",
    "UnsubscribeEvent",
    "VideoMessage",
    "VideoReply",
    "ViewEvent",
    "VoiceMessage",
    "VoiceReply",
    "parse_message",
    "reply_to",
]

#: The EventKey prefix of a ``subscribe`` that came from scanning a parametric QR code.
QRSCENE_PREFIX = "qrscene_"

_COMMON = ("ToUserName", "FromUserName", "CreateTime", "MsgType")


@dataclass(frozen=True)
class InboundMessage:
    """A message or event as posted to the callback.

    ``fields`` keeps every element of the XML, so nothing the platform sends is lost; the subclasses
    add named properties for the fields of their type.
    """

    msg_type: str
    event: str | None
    event_key: str | None
    from_user: str
    to_user: str
    create_time: int
    msg_id: str | None
    fields: dict[str, str]

    #: Fields a message of this type must carry, beyond the common ones.
    required: ClassVar[tuple[str, ...]] = ()

    @property
    def is_event(self) -> bool:
        return self.msg_type == "event"

    @property
    def dedup_key(self) -> str:
        """Identifies redeliveries: the platform retries up to 3 times when we answer slowly.

        ``MsgId`` for messages; events have none, so ``FromUserName|CreateTime|Event|EventKey``.
        """
        if self.msg_id:
            return self.msg_id
        return f"{self.from_user}|{self.create_time}|{self.event or ''}|{self.event_key or ''}"


# -- messages ---------------------------------------------------------------------------------------


class TextMessage(InboundMessage):
    required = ("Content",)

    @property
    def content(self) -> str:
        return self.fields["Content"]


class ImageMessage(InboundMessage):
    required = ("MediaId",)

    @property
    def pic_url(self) -> str:
        return self.fields.get("PicUrl", "")

    @property
    def media_id(self) -> str:
        return self.fields["MediaId"]


class VoiceMessage(InboundMessage):
    required = ("MediaId",)

    @property
    def media_id(self) -> str:
        return self.fields["MediaId"]

    @property
    def format(self) -> str:
        return self.fields.get("Format", "")

    @property
    def recognition(self) -> str | None:
        """Speech-to-text, present only when the account enabled it."""
        return self.fields.get("Recognition")


class VideoMessage(InboundMessage):
    required = ("MediaId",)

    @property
    def media_id(self) -> str:
        return self.fields["MediaId"]

    @property
    def thumb_media_id(self) -> str:
        return self.fields.get("ThumbMediaId", "")


class ShortVideoMessage(VideoMessage):
    pass


class LocationMessage(InboundMessage):
    required = ("Location_X", "Location_Y")

    @property
    def location_x(self) -> float:
        """Latitude."""
        return float(self.fields["Location_X"])

    @property
    def location_y(self) -> float:
        """Longitude."""
        return float(self.fields["Location_Y"])

    @property
    def scale(self) -> int | None:
        value = self.fields.get("Scale")
        return int(value) if value else None

    @property
    def label(self) -> str:
        return self.fields.get("Label", "")


class LinkMessage(InboundMessage):
    required = ("Url",)

    @property
    def title(self) -> str:
        return self.fields.get("Title", "")

    @property
    def description(self) -> str:
        return self.fields.get("Description", "")

    @property
    def url(self) -> str:
        return self.fields["Url"]


# -- events -----------------------------------------------------------------------------------------


class SubscribeEvent(InboundMessage):
    """A user followed. Via a parametric QR code, EventKey is ``qrscene_<scene>`` and Ticket is set."""

    @property
    def scene(self) -> str | None:
        """The QR scene without the ``qrscene_`` prefix, or None for a plain follow."""
        key = self.event_key or ""
        return key[len(QRSCENE_PREFIX) :] if key.startswith(QRSCENE_PREFIX) else None

    @property
    def ticket(self) -> str | None:
        return self.fields.get("Ticket") or None


class UnsubscribeEvent(InboundMessage):
    pass


class ScanEvent(InboundMessage):
    """An existing follower scanned a parametric QR code; EventKey is the bare scene (no prefix)."""

    @property
    def scene(self) -> str | None:
        return self.event_key or None

    @property
    def ticket(self) -> str | None:
        return self.fields.get("Ticket") or None


class LocationEvent(InboundMessage):
    """The user's position, reported on entering the session when the account asks for it."""

    required = ("Latitude", "Longitude")

    @property
    def latitude(self) -> float:
        return float(self.fields["Latitude"])

    @property
    def longitude(self) -> float:
        return float(self.fields["Longitude"])

    @property
    def precision(self) -> float | None:
        value = self.fields.get("Precision")
        return float(value) if value else None


class ClickEvent(InboundMessage):
    """A ``click`` menu button; EventKey is the button's key."""

    @property
    def key(self) -> str:
        return self.event_key or ""


class ViewEvent(InboundMessage):
    """A ``view`` menu button; EventKey is the URL opened."""

    @property
    def url(self) -> str:
        return self.event_key or ""

    @property
    def menu_id(self) -> str | None:
        return self.fields.get("MenuId") or None


class ScanCodeEvent(InboundMessage):
    """``scancode_push`` / ``scancode_waitmsg``: the nested ScanCodeInfo is flattened into fields."""

    @property
    def scan_type(self) -> str:
        return self.fields.get("ScanType", "")

    @property
    def scan_result(self) -> str:
        return self.fields.get("ScanResult", "")


class PicEvent(InboundMessage):
    """``pic_sysphoto`` / ``pic_photo_or_album`` / ``pic_weixin``: the user sent pictures."""

    @property
    def count(self) -> int:
        value = self.fields.get("Count")
        return int(value) if value else 0


class LocationSelectEvent(InboundMessage):
    """``location_select``: the nested SendLocationInfo is flattened into fields."""

    @property
    def location_x(self) -> float | None:
        value = self.fields.get("Location_X")
        return float(value) if value else None

    @property
    def location_y(self) -> float | None:
        value = self.fields.get("Location_Y")
        return float(value) if value else None

    @property
    def label(self) -> str:
        return self.fields.get("Label", "")

    @property
    def poiname(self) -> str:
        return self.fields.get("Poiname", "")


class _SendReport(InboundMessage):
    """A report on one send: two sends reported in the same second are two events, so ``MsgID`` is in the key."""

    @property
    def dedup_key(self) -> str:
        return f"{super().dedup_key}|{self.fields.get('MsgID') or ''}"


class TemplateSendJobFinishEvent(_SendReport):
    """The outcome of a template message; ``Status`` is ``success`` or a failure reason."""

    @property
    def template_msg_id(self) -> str | None:
        return self.fields.get("MsgID") or None

    @property
    def status(self) -> str:
        return self.fields.get("Status", "")


class MassSendJobFinishEvent(_SendReport):
    """The outcome of a mass send."""

    @property
    def mass_msg_id(self) -> str | None:
        return self.fields.get("MsgID") or None

    @property
    def status(self) -> str:
        return self.fields.get("Status", "")


#: ``MsgType`` -> class, for ordinary messages.
MESSAGE_TYPES: dict[str, type[InboundMessage]] = {
    "text": TextMessage,
    "image": ImageMessage,
    "voice": VoiceMessage,
    "video": VideoMessage,
    "shortvideo": ShortVideoMessage,
    "location": LocationMessage,
    "link": LinkMessage,
}

#: Lower-cased ``Event`` -> class (the platform spells some upper case: ``SCAN``, ``CLICK``).
EVENT_TYPES: dict[str, type[InboundMessage]] = {
    "subscribe": SubscribeEvent,
    "unsubscribe": UnsubscribeEvent,
    "scan": ScanEvent,
    "location": LocationEvent,
    "click": ClickEvent,
    "view": ViewEvent,
    "scancode_push": ScanCodeEvent,
    "scancode_waitmsg": ScanCodeEvent,
    "pic_sysphoto": PicEvent,
    "pic_photo_or_album": PicEvent,
    "pic_weixin": PicEvent,
    "location_select": LocationSelectEvent,
    "templatesendjobfinish": TemplateSendJobFinishEvent,
    "masssendjobfinish": MassSendJobFinishEvent,
}


def parse_message(source: str | bytes | Mapping[str, str]) -> InboundMessage:
    """Parse a plaintext callback body (or fields already parsed) into a typed message.

    :raises MessageFormatError: bad XML, or a common or type-specific field is missing.
    """
    fields = dict(source) if isinstance(source, Mapping) else parse_xml(source)
    missing = [name for name in _COMMON if not fields.get(name)]
    if missing:
        raise MessageFormatError(f"missing field(s): {', '.join(missing)}")
    msg_type = fields["MsgType"]
    event = fields.get("Event") or None
    if msg_type == "event":
        if event is None:
            raise MessageFormatError("event without an Event field")
        cls = EVENT_TYPES.get(event.lower(), InboundMessage)
    else:
        cls = MESSAGE_TYPES.get(msg_type, InboundMessage)
    missing = [name for name in cls.required if not fields.get(name)]
    if missing:
        raise MessageFormatError(f"{msg_type} message missing field(s): {', '.join(missing)}")
    try:
        create_time = int(fields["CreateTime"])
    except ValueError:
        raise MessageFormatError("CreateTime is not a number") from None
    return cls(
        msg_type=msg_type,
        event=event,
        event_key=fields.get("EventKey"),
        from_user=fields["FromUserName"],
        to_user=fields["ToUserName"],
        create_time=create_time,
        msg_id=fields.get("MsgId") or None,
        fields=fields,
    )
