"""DingTalk custom robot messages (``/robot/send``): text, link, markdown, actionCard, feedCard.

Limits: the whole JSON body at most 20000 bytes (460101 beyond); an actionCard has one button
(``singleTitle`` + ``singleURL``) or several (``btns``), never both.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from models.notifications.common import Body, Text

#: DingTalk refuses robot messages larger than this (bytes of the JSON body).
MAX_BODY_BYTES = 20000


class At(Body):
    atMobiles: list[Text] = Field(default_factory=list)
    atUserIds: list[Text] = Field(default_factory=list)
    isAtAll: bool = False


class TextContent(Body):
    content: Text


class TextMessage(Body):
    msgtype: Literal["text"]
    text: TextContent
    at: At | None = None


class Link(Body):
    title: Text
    text: Text
    messageUrl: Text
    picUrl: str | None = None


class LinkMessage(Body):
    msgtype: Literal["link"]
    link: Link


class Markdown(Body):
    title: Text
    text: Text


class MarkdownMessage(Body):
    msgtype: Literal["markdown"]
    markdown: Markdown
    at: At | None = None


class Button(Body):
    title: Text
    actionURL: Text


class ActionCard(Body):
    title: Text
    text: Text
    btnOrientation: Literal["0", "1"] | None = None
    hideAvatar: Literal["0", "1"] | None = None
    singleTitle: str | None = None
    singleURL: str | None = None
    btns: list[Button] | None = None

    @model_validator(mode="after")
    def _buttons(self) -> ActionCard:
        single = bool(self.singleTitle and self.singleURL)
        if single == bool(self.btns):
            raise ValueError("give either singleTitle and singleURL (one button) or btns (several), not both")
        return self


class ActionCardMessage(Body):
    msgtype: Literal["actionCard"]
    actionCard: ActionCard


class FeedLink(Body):
    title: Text
    messageURL: Text
    picURL: Text


class FeedCard(Body):
    links: list[FeedLink] = Field(min_length=1)


class FeedCardMessage(Body):
    msgtype: Literal["feedCard"]
    feedCard: FeedCard


def _fits(message: BaseModel) -> BaseModel:
    size = len(json.dumps(message.model_dump(exclude_unset=True), ensure_ascii=False).encode())
    if size > MAX_BODY_BYTES:
        raise ValueError(f"the message is {size} bytes; DingTalk robots take at most {MAX_BODY_BYTES}")
    return message


DingTalkRobotMessage = Annotated[
    TextMessage | LinkMessage | MarkdownMessage | ActionCardMessage | FeedCardMessage,
    Field(discriminator="msgtype"),
    AfterValidator(_fits),
]

#: Where a message template's text goes, per msgtype.
TEXT_FIELDS = {"text": "text.content", "markdown": "markdown.text", "link": "link.text",
               "actionCard": "actionCard.text"}
