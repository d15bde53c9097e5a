"""WeCom group robot messages (``/cgi-bin/webhook/send``): text, markdown, markdown_v2, image, news, file,
voice, template_card.

Limits: text 2048 bytes, markdown 4096 bytes, news 1..8 articles, image at most 2 MB. An image may come the
platform's way (``base64`` + ``md5``, checked) or as ``media``; file and voice as ``media_id`` or ``media``
(uploaded with the robot's own ``upload_media`` before the send).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from models.notifications.common import (
    Body,
    LinkArticle,
    MediaBody,
    MediaRef,
    OpenBody,
    Text,
    inline_image_md5,
    max_bytes,
)

#: WeCom refuses robot images larger than this.
MAX_IMAGE_BYTES = 2 * 1024 * 1024


class TextContent(Body):
    content: Annotated[Text, max_bytes(2048)]
    mentioned_list: list[Text] = Field(default_factory=list)
    mentioned_mobile_list: list[Text] = Field(default_factory=list)


class TextMessage(Body):
    msgtype: Literal["text"]
    text: TextContent


class MarkdownContent(Body):
    content: Annotated[Text, max_bytes(4096)]


class MarkdownMessage(Body):
    msgtype: Literal["markdown"]
    markdown: MarkdownContent


class MarkdownV2Message(Body):
    msgtype: Literal["markdown_v2"]
    markdown_v2: MarkdownContent


class Image(Body):
    base64: str | None = None
    md5: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{32}$")
    media: MediaRef | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Image:
        inline = self.base64 is not None or self.md5 is not None
        if inline == (self.media is not None):
            raise ValueError("give either base64 and md5 (the platform's way) or media")
        if inline:
            if self.base64 is None or self.md5 is None:
                raise ValueError("base64 and md5 go together")
            size = len(inline_image_md5(self.base64, self.md5))
        elif self.media.base64 is not None:  # type: ignore[union-attr]
            size = len(self.media.content())  # type: ignore[union-attr]
        else:
            size = 0  # a stored blob: its size is checked when the request is accepted
        if size > MAX_IMAGE_BYTES:
            raise ValueError(f"the image is {size} bytes; WeCom robots take at most {MAX_IMAGE_BYTES}")
        return self


class ImageMessage(Body):
    msgtype: Literal["image"]
    image: Image


class News(Body):
    articles: list[LinkArticle] = Field(min_length=1, max_length=8)


class NewsMessage(Body):
    msgtype: Literal["news"]
    news: News


class FileMessage(Body):
    msgtype: Literal["file"]
    file: MediaBody


class VoiceMessage(Body):
    msgtype: Literal["voice"]
    voice: MediaBody


class TemplateCard(OpenBody):
    card_type: Literal["text_notice", "news_notice"]


class TemplateCardMessage(Body):
    msgtype: Literal["template_card"]
    template_card: TemplateCard


WeComRobotMessage = Annotated[
    TextMessage | MarkdownMessage | MarkdownV2Message | ImageMessage | NewsMessage | FileMessage | VoiceMessage
    | TemplateCardMessage,
    Field(discriminator="msgtype"),
]

TEXT_FIELDS = {"text": "text.content", "markdown": "markdown.content", "markdown_v2": "markdown_v2.content"}
