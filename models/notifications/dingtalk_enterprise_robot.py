"""DingTalk enterprise-robot messages (v1.0 ``robot/groupMessages/send`` and ``robot/oToMessages/batchSend``): to a
group chat by its ``openConversationId``, or to up to 20 members by userid.

The message keeps the platform's shape: a template ``msgKey`` and its ``msgParam`` (an object here; the SDK sends it
as the JSON string the platform wants). The robot is the app's own (``third.ding-talk.robot-code``, the AppKey
unless set).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from models.notifications.common import Body, Text, max_bytes

#: The most members one batchSend takes.
MAX_USERS = 20


class GroupRecipient(Body):
    """The group chat: its ``openConversationId`` (``cid...``)."""

    group: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^\S+$")]


class UserRecipients(Body):
    users: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=MAX_USERS)


class SampleText(Body):
    content: Annotated[Text, max_bytes(5000)]


class SampleMarkdown(Body):
    title: Annotated[Text, max_bytes(128)]
    text: Annotated[Text, max_bytes(5000)]


class SampleLink(Body):
    text: Text
    title: Text
    picUrl: Text
    messageUrl: Text


class SampleImage(Body):
    photoURL: Text


class SampleActionCard(Body):
    title: Text
    text: Text
    singleTitle: Text
    singleURL: Text


class TextMessage(Body):
    msgKey: Literal["sampleText"]
    msgParam: SampleText


class MarkdownMessage(Body):
    msgKey: Literal["sampleMarkdown"]
    msgParam: SampleMarkdown


class LinkMessage(Body):
    msgKey: Literal["sampleLink"]
    msgParam: SampleLink


class ImageMessage(Body):
    msgKey: Literal["sampleImageMsg"]
    msgParam: SampleImage


class ActionCardMessage(Body):
    msgKey: Literal["sampleActionCard"]
    msgParam: SampleActionCard


EnterpriseRobotMessage = Annotated[
    TextMessage | MarkdownMessage | LinkMessage | ImageMessage | ActionCardMessage, Field(discriminator="msgKey")]

TEXT_FIELDS = {"sampleText": "msgParam.content", "sampleMarkdown": "msgParam.text", "sampleActionCard": "msgParam.text"}
