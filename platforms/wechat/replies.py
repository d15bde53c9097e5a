"""Passive replies: the XML a callback answers with, inside the platform's 5-second window.

Convention: ``render(to_user, from_user, create_time)`` takes the *reply's* addressing, which is the
inbound message's swapped: ``to_user`` is the inbound ``FromUserName`` (the follower's openid) and
``from_user`` the inbound ``ToUserName`` (the account's original id). :func:`reply_to` does the swap.
An empty body or the literal ``success`` means "no reply" and needs none of this.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from platforms.xml import render_xml

#: The most articles a news reply may carry (one, when answering a user's own message).
MAX_NEWS_ARTICLES = 8


class Reply:
    """Base of the passive replies; subclasses supply ``msg_type`` and the type-specific body."""

    msg_type: ClassVar[str]

    def render(self, to_user: str, from_user: str, create_time: int) -> str:
        """The reply XML addressed ``from_user`` -> ``to_user`` (see the module doc for the swap)."""
        fields: dict[str, Any] = {
            "ToUserName": to_user,
            "FromUserName": from_user,
            "CreateTime": int(create_time),
            "MsgType": self.msg_type,
        }
        fields.update(self._body())
        return render_xml(fields)

    def _body(self) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class TextReply(Reply):
    content: str
    msg_type: ClassVar[str] = "text"

    def _body(self) -> dict[str, Any]:
        return {"Content": self.content}


@dataclass(frozen=True)
class ImageReply(Reply):
    media_id: str
    msg_type: ClassVar[str] = "image"

    def _body(self) -> dict[str, Any]:
        return {"Image": {"MediaId": self.media_id}}


@dataclass(frozen=True)
class VoiceReply(Reply):
    media_id: str
    msg_type: ClassVar[str] = "voice"

    def _body(self) -> dict[str, Any]:
        return {"Voice": {"MediaId": self.media_id}}


@dataclass(frozen=True)
class VideoReply(Reply):
    media_id: str
    title: str | None = None
    description: str | None = None
    msg_type: ClassVar[str] = "video"

    def _body(self) -> dict[str, Any]:
        return {"Video": {"MediaId": self.media_id, "Title": self.title, "Description": self.description}}


@dataclass(frozen=True)
class MusicReply(Reply):
    thumb_media_id: str
    title: str | None = None
    description: str | None = None
    music_url: str | None = None
    hq_music_url: str | None = None
    msg_type: ClassVar[str] = "music"

    def _body(self) -> dict[str, Any]:
        return {
            "Music": {
                "Title": self.title,
                "Description": self.description,
                "MusicUrl": self.music_url,
                "HQMusicUrl": self.hq_music_url,
                "ThumbMediaId": self.thumb_media_id,
            }
        }


@dataclass(frozen=True)
class Article:
    """One entry of a :class:`NewsReply`."""

    title: str
    description: str = ""
    pic_url: str = ""
    url: str = ""


@dataclass(frozen=True)
class NewsReply(Reply):
    articles: list[Article] = field(default_factory=list)
    msg_type: ClassVar[str] = "news"

    def __post_init__(self) -> None:
        if not 1 <= len(self.articles) <= MAX_NEWS_ARTICLES:
            raise ValueError(f"a news reply carries 1..{MAX_NEWS_ARTICLES} articles")

    def _body(self) -> dict[str, Any]:
        items = [
            {"Title": a.title, "Description": a.description, "PicUrl": a.pic_url, "Url": a.url} for a in self.articles
        ]
        return {"ArticleCount": len(items), "Articles": items}


class _Addressed(Protocol):
    @property
    def from_user(self) -> str: ...
    @property
    def to_user(self) -> str: ...


def reply_to(message: _Addressed, reply: Reply, create_time: int | None = None) -> str:
    """Render ``reply`` as the answer to ``message``, swapping To and From."""
    now = int(time.time()) if create_time is None else create_time
    return reply.render(to_user=message.from_user, from_user=message.to_user, create_time=now)
