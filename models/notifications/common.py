"""Building blocks of notification requests: strict bodies, byte limits, media references, recipients.

Message bodies keep each platform's own field names (``messageUrl``, ``mentioned_list``, ``btn_json_list``), so
a caller who knows the platform's docs knows our API. Unknown fields are refused: a typo must be a 422, not a
message that silently lacks its button.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

#: Keys under which a message may carry a :class:`MediaRef` instead of a platform media id.
MEDIA_KEYS = ("media", "thumb_media")


class Body(BaseModel):
    """A platform message object: unknown fields refused, values kept as given."""

    model_config = ConfigDict(extra="forbid")


class OpenBody(BaseModel):
    """A platform object too rich to model field by field (template cards, OA messages): fields pass through."""

    model_config = ConfigDict(extra="allow")


def max_bytes(limit: int):  # type: ignore[no-untyped-def]
    """A validator: the text's UTF-8 encoding is at most ``limit`` bytes (the platforms count bytes)."""

    def check(value: str) -> str:
        size = len(value.encode())
        if size > limit:
            raise ValueError(f"at most {limit} bytes (UTF-8), got {size}")
        return value

    return AfterValidator(check)


Text = Annotated[str, Field(min_length=1)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


def _decode_base64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not valid base64") from None


class MediaRef(Body):
    """A file for a media message: its bytes (``base64`` with a ``filename``) or a stored upload (``blobId``).

    The worker uploads the bytes to the platform right before each send that needs them.
    """

    base64: str | None = None
    blobId: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    filename: str | None = Field(default=None, min_length=1, max_length=200)
    contentType: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _one_source(self) -> MediaRef:
        if (self.base64 is None) == (self.blobId is None):
            raise ValueError("give either base64 (with filename) or blobId")
        if self.base64 is not None:
            if not self.filename:
                raise ValueError("a filename is needed with base64 (the platforms judge the type by it)")
            if not _decode_base64(self.base64):
                raise ValueError("base64 holds no bytes")
        return self

    def content(self) -> bytes:
        assert self.base64 is not None
        return _decode_base64(self.base64)


class MediaBody(Body):
    """A media object: the platform's ``media_id``, or a :class:`MediaRef` under ``media``."""

    media_id: str | None = Field(default=None, min_length=1)
    media: MediaRef | None = None

    @model_validator(mode="after")
    def _one_source(self) -> MediaBody:
        if (self.media_id is None) == (self.media is None):
            raise ValueError("give either media_id or media")
        return self


def inline_image_md5(b64: str, md5: str) -> bytes:
    """The bytes of a WeCom robot image given the platform's way; ValueError when md5 does not match."""
    content = _decode_base64(b64)
    if hashlib.md5(content).hexdigest() != md5.lower():
        raise ValueError("md5 is not the MD5 of the base64 bytes")
    return content


def no_separator(separator: str):  # type: ignore[no-untyped-def]
    def check(values: list[Any]) -> list[Any]:
        for value in values:
            if separator in str(value) or not str(value).strip():
                raise ValueError(f"ids must be non-empty and must not contain '{separator}'")
        return values

    return AfterValidator(check)


class TemplateUse(Body):
    """Fill a text field of the message from a stored message template."""

    code: Code
    variables: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    #: The field to fill, as a dotted path below the message (``markdown.text``); default: the msgtype's main text.
    field: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class ThumbBody(Body):
    """A thumbnail: the platform's ``thumb_media_id``, or a :class:`MediaRef` under ``thumb_media`` (uploaded first)."""

    thumb_media_id: str | None = Field(default=None, min_length=1)
    thumb_media: MediaRef | None = None

    @model_validator(mode="after")
    def _one_thumb(self) -> ThumbBody:
        if (self.thumb_media_id is None) == (self.thumb_media is None):
            raise ValueError("give either thumb_media_id or thumb_media")
        return self


class LinkArticle(Body):
    """One article of a news message that opens a link, as WeChat's customer-service news and WeCom's robot news
    take it (the same fields and limits on both)."""

    title: Annotated[Text, max_bytes(128)]
    description: Annotated[str, max_bytes(512)] | None = None
    url: Text
    picurl: str | None = None
