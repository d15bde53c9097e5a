"""WeCom app-chat messages (``/cgi-bin/appchat/send``) to a group chat the app created (``appchat/create``, see
``POST /api/v1/wecom/appchats``): text, image, voice, video, file, textcard, news, mpnews, markdown.

The message bodies are the app message's (:mod:`models.notifications.wecom_app`), without template cards and with
``safe`` as the only send option.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from models.notifications import wecom_app
from models.notifications.common import Body


class ChatRecipient(Body):
    """The chat: the ``chatid`` it was created with (1 to 32 letters and digits)."""

    chat: Annotated[str, Field(pattern=r"^[0-9A-Za-z]{1,32}$")]


class _ChatMessage(Body):
    safe: Literal[0, 1] | None = None


class TextMessage(_ChatMessage):
    msgtype: Literal["text"]
    text: wecom_app.TextContent


class ImageMessage(_ChatMessage):
    msgtype: Literal["image"]
    image: wecom_app.MediaBody


class VoiceMessage(_ChatMessage):
    msgtype: Literal["voice"]
    voice: wecom_app.MediaBody


class VideoMessage(_ChatMessage):
    msgtype: Literal["video"]
    video: wecom_app.Video


class FileMessage(_ChatMessage):
    msgtype: Literal["file"]
    file: wecom_app.MediaBody


class TextCardMessage(_ChatMessage):
    msgtype: Literal["textcard"]
    textcard: wecom_app.TextCard


class NewsMessage(_ChatMessage):
    msgtype: Literal["news"]
    news: wecom_app.News


class MpNewsMessage(_ChatMessage):
    msgtype: Literal["mpnews"]
    mpnews: wecom_app.MpNews


class MarkdownMessage(_ChatMessage):
    msgtype: Literal["markdown"]
    markdown: wecom_app.MarkdownContent


WeComAppChatMessage = Annotated[
    TextMessage | ImageMessage | VoiceMessage | VideoMessage | FileMessage | TextCardMessage | NewsMessage
    | MpNewsMessage | MarkdownMessage,
    Field(discriminator="msgtype"),
]

TEXT_FIELDS = {"text": "text.content", "markdown": "markdown.content", "textcard": "textcard.description"}
