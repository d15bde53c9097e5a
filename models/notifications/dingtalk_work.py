"""DingTalk work notifications (``asyncsend_v2``): text, image, voice, file, link, oa, markdown, action_card,
to user ids (at most 100), department ids (at most 20) or everyone.

Media messages take ``media`` (uploaded right before each send: a DingTalk media_id works once) or a
``media_id`` the caller uploaded (then a retry fails: prefer ``media``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from models.notifications.common import Body, MediaBody, OpenBody, Text, no_separator

MAX_USERS = 100
MAX_DEPARTMENTS = 20


class Recipients(Body):
    users: Annotated[list[str], no_separator(",")] = Field(default_factory=list, max_length=MAX_USERS)
    departments: Annotated[list[str | int], no_separator(",")] = Field(
        default_factory=list, max_length=MAX_DEPARTMENTS)
    tags: list[str | int] = Field(default_factory=list)
    all: bool = False

    @model_validator(mode="after")
    def _someone(self) -> Recipients:
        if self.tags:
            raise ValueError("DingTalk work notifications go to users, departments or all, not tags")
        if not (self.users or self.departments or self.all):
            raise ValueError("name at least one recipient: users, departments or all")
        return self


class TextContent(Body):
    content: Text


class TextMessage(Body):
    msgtype: Literal["text"]
    text: TextContent


class ImageMessage(Body):
    msgtype: Literal["image"]
    image: MediaBody


class Voice(MediaBody):
    #: Seconds, as a string in DingTalk's docs; a number is accepted and sent as given.
    duration: str | int


class VoiceMessage(Body):
    msgtype: Literal["voice"]
    voice: Voice


class FileMessage(Body):
    msgtype: Literal["file"]
    file: MediaBody


class Link(Body):
    messageUrl: Text
    picUrl: Text
    title: Text
    text: Text


class LinkMessage(Body):
    msgtype: Literal["link"]
    link: Link


class Oa(OpenBody):
    head: dict[str, str]
    body: dict


class OaMessage(Body):
    msgtype: Literal["oa"]
    oa: Oa


class Markdown(Body):
    title: Text
    text: Text


class MarkdownMessage(Body):
    msgtype: Literal["markdown"]
    markdown: Markdown


class CardButton(Body):
    title: Text
    action_url: Text


class ActionCard(Body):
    title: Text
    markdown: Text
    single_title: str | None = None
    single_url: str | None = None
    btn_orientation: Literal["0", "1"] | None = None
    btn_json_list: list[CardButton] | None = None

    @model_validator(mode="after")
    def _buttons(self) -> ActionCard:
        if bool(self.single_title and self.single_url) == bool(self.btn_json_list):
            raise ValueError("give either single_title and single_url or btn_json_list, not both")
        return self


class ActionCardMessage(Body):
    msgtype: Literal["action_card"]
    action_card: ActionCard


DingTalkWorkMessage = Annotated[
    TextMessage | ImageMessage | VoiceMessage | FileMessage | LinkMessage | OaMessage | MarkdownMessage
    | ActionCardMessage,
    Field(discriminator="msgtype"),
]

TEXT_FIELDS = {"text": "text.content", "markdown": "markdown.text", "link": "link.text",
               "action_card": "action_card.markdown", "oa": "oa.body.content"}
