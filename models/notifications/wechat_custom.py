"""WeChat customer-service messages (``/cgi-bin/message/custom/send``) to one follower, within 48 hours of the
follower's last message: text, image, voice, video, music, news (one article), mpnews, msgmenu, miniprogrampage.

Media (image, voice, video, and the thumbnails) are the platform's ``media_id``, or a blob/base64 under ``media``
(``thumb_media``) uploaded as temporary media before the send. A send outside the window fails for good with
WeChat's 45015, recorded with its reason.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from models.notifications.common import Body, LinkArticle, MediaBody, Text, ThumbBody, max_bytes
from models.notifications.wechat_template import Openid


class _CustomMessage(Body):
    touser: Openid


class TextContent(Body):
    content: Annotated[Text, max_bytes(2048)]


class TextMessage(_CustomMessage):
    msgtype: Literal["text"]
    text: TextContent


class ImageMessage(_CustomMessage):
    msgtype: Literal["image"]
    image: MediaBody


class VoiceMessage(_CustomMessage):
    msgtype: Literal["voice"]
    voice: MediaBody


class Video(MediaBody, ThumbBody):
    title: Annotated[str, max_bytes(128)] | None = None
    description: Annotated[str, max_bytes(512)] | None = None


class VideoMessage(_CustomMessage):
    msgtype: Literal["video"]
    video: Video


class Music(ThumbBody):
    title: Annotated[str, max_bytes(128)] | None = None
    description: Annotated[str, max_bytes(512)] | None = None
    musicurl: Annotated[Text, max_bytes(2048)]
    hqmusicurl: Annotated[Text, max_bytes(2048)]


class MusicMessage(_CustomMessage):
    msgtype: Literal["music"]
    music: Music


class News(Body):
    #: WeChat sends one article per customer-service news message.
    articles: list[LinkArticle] = Field(min_length=1, max_length=1)


class NewsMessage(_CustomMessage):
    msgtype: Literal["news"]
    news: News


class MpNews(Body):
    media_id: Text


class MpNewsMessage(_CustomMessage):
    msgtype: Literal["mpnews"]
    mpnews: MpNews


class MenuItem(Body):
    id: Annotated[Text, Field(max_length=64)]
    content: Annotated[Text, max_bytes(256)]


class MsgMenu(Body):
    head_content: Annotated[str, max_bytes(512)] | None = None
    list: Annotated[list[MenuItem], Field(min_length=1, max_length=10)]
    tail_content: Annotated[str, max_bytes(512)] | None = None


class MsgMenuMessage(_CustomMessage):
    msgtype: Literal["msgmenu"]
    msgmenu: MsgMenu


class MiniProgramPage(ThumbBody):
    title: Annotated[Text, max_bytes(128)]
    appid: Text
    pagepath: Text


class MiniProgramPageMessage(_CustomMessage):
    msgtype: Literal["miniprogrampage"]
    miniprogrampage: MiniProgramPage


WeChatCustomMessage = Annotated[
    TextMessage | ImageMessage | VoiceMessage | VideoMessage | MusicMessage | NewsMessage | MpNewsMessage
    | MsgMenuMessage | MiniProgramPageMessage,
    Field(discriminator="msgtype"),
]

TEXT_FIELDS = {"text": "text.content", "msgmenu": "msgmenu.head_content"}
