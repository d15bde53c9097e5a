"""WeCom app messages (``/cgi-bin/message/send``): text, image, voice, video, file, textcard, news, mpnews,
markdown, template_card, to users (at most 1000), departments and tags (at most 100 each) or ``@all``.

The send options the platform takes beside the message (``safe``, ``enable_id_trans``,
``enable_duplicate_check``, ``duplicate_check_interval``) are accepted in the message, where the platform has them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from models.notifications.common import Body, MediaBody, OpenBody, Text, ThumbBody, max_bytes, no_separator

MAX_USERS = 1000
MAX_PARTIES = 100
MAX_TAGS = 100


class Recipients(Body):
    users: Annotated[list[str], no_separator("|")] = Field(default_factory=list, max_length=MAX_USERS)
    departments: Annotated[list[str | int], no_separator("|")] = Field(default_factory=list, max_length=MAX_PARTIES)
    tags: Annotated[list[str | int], no_separator("|")] = Field(default_factory=list, max_length=MAX_TAGS)
    all: bool = False

    @model_validator(mode="after")
    def _someone(self) -> Recipients:
        if self.all and (self.users or self.departments or self.tags):
            raise ValueError("all goes to everyone: leave users, departments and tags empty")
        if not (self.users or self.departments or self.tags or self.all):
            raise ValueError("name at least one recipient: users, departments, tags or all")
        if "@all" in self.users:
            raise ValueError("write all: true instead of the user '@all'")
        return self


class _AppMessage(Body):
    safe: Literal[0, 1] | None = None
    enable_id_trans: Literal[0, 1] | None = None
    enable_duplicate_check: Literal[0, 1] | None = None
    duplicate_check_interval: int | None = Field(default=None, ge=1, le=14400)


class TextContent(Body):
    content: Annotated[Text, max_bytes(2048)]


class TextMessage(_AppMessage):
    msgtype: Literal["text"]
    text: TextContent


class ImageMessage(_AppMessage):
    msgtype: Literal["image"]
    image: MediaBody


class VoiceMessage(_AppMessage):
    msgtype: Literal["voice"]
    voice: MediaBody


class Video(MediaBody):
    title: Annotated[str, max_bytes(128)] | None = None
    description: Annotated[str, max_bytes(512)] | None = None


class VideoMessage(_AppMessage):
    msgtype: Literal["video"]
    video: Video


class FileMessage(_AppMessage):
    msgtype: Literal["file"]
    file: MediaBody


class TextCard(Body):
    title: Annotated[Text, max_bytes(128)]
    description: Annotated[Text, max_bytes(512)]
    url: Annotated[Text, max_bytes(2048)]
    btntxt: Annotated[str, Field(max_length=4)] | None = None


class TextCardMessage(_AppMessage):
    msgtype: Literal["textcard"]
    textcard: TextCard


class Article(Body):
    title: Annotated[Text, max_bytes(128)]
    description: Annotated[str, max_bytes(512)] | None = None
    url: str | None = None
    picurl: str | None = None
    appid: str | None = None
    pagepath: str | None = None


class News(Body):
    articles: list[Article] = Field(min_length=1, max_length=8)


class NewsMessage(_AppMessage):
    msgtype: Literal["news"]
    news: News


class MpArticle(ThumbBody):
    title: Annotated[Text, max_bytes(128)]
    author: Annotated[str, max_bytes(64)] | None = None
    content_source_url: str | None = None
    content: Annotated[Text, max_bytes(666 * 1024)]
    digest: Annotated[str, max_bytes(512)] | None = None


class MpNews(Body):
    articles: list[MpArticle] = Field(min_length=1, max_length=8)


class MpNewsMessage(_AppMessage):
    msgtype: Literal["mpnews"]
    mpnews: MpNews


class MarkdownContent(Body):
    content: Annotated[Text, max_bytes(2048)]


class MarkdownMessage(_AppMessage):
    msgtype: Literal["markdown"]
    markdown: MarkdownContent


class TemplateCard(OpenBody):
    card_type: Text


class TemplateCardMessage(_AppMessage):
    msgtype: Literal["template_card"]
    template_card: TemplateCard


WeComAppMessage = Annotated[
    TextMessage | ImageMessage | VoiceMessage | VideoMessage | FileMessage | TextCardMessage | NewsMessage
    | MpNewsMessage | MarkdownMessage | TemplateCardMessage,
    Field(discriminator="msgtype"),
]

TEXT_FIELDS = {"text": "text.content", "markdown": "markdown.content", "textcard": "textcard.description"}
