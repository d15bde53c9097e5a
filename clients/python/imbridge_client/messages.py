"""Typed builders for every channel and message type imbridge accepts.

Each channel is a small class that knows where a message goes (a robot, recipients, a follower); its methods
build one :class:`Notification` per message type, with the platform's own field names underneath, so the
platform's docs still apply::

    dingtalk_robot("ops").markdown("Deploy", "**crm** is live")
    wecom_app(users=["zhangsan"]).textcard("Leave approved", "2 days from Monday", "https://oa.example/l/42")
    wechat_template("o6_bmjrPTlm6_2sgVt7hMZOPfL2M", template_code="order_paid", data={"amount": "9.90"})

A builder checks nothing the server checks (limits, known robots and templates): the server's 422 names the field.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

JSON = dict[str, Any]


@dataclass(frozen=True)
class Media:
    """A file for a media message: bytes sent inline, a stored upload (``blob_id``) or the platform's ``media_id``."""

    content: bytes | None = None
    filename: str | None = None
    content_type: str | None = None
    blob_id: str | None = None
    media_id: str | None = None

    @classmethod
    def from_path(cls, path: str | Path, content_type: str | None = None) -> Media:
        path = Path(path)
        guessed = content_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return cls(content=path.read_bytes(), filename=path.name, content_type=guessed)

    @classmethod
    def from_bytes(cls, content: bytes, filename: str, content_type: str | None = None) -> Media:
        return cls(content=content, filename=filename, content_type=content_type)

    @classmethod
    def upload(cls, blob_id: str) -> Media:
        """A file uploaded before (``POST /api/v1/blobs``), by its id."""
        return cls(blob_id=blob_id)

    @classmethod
    def platform(cls, media_id: str) -> Media:
        """A ``media_id`` the platform gave you (DingTalk's work once only: prefer bytes or an upload)."""
        return cls(media_id=media_id)

    def ref(self) -> JSON:
        """The ``media`` reference (inline bytes or an upload)."""
        if self.blob_id is not None:
            return {"blobId": self.blob_id}
        if self.content is None:
            raise ValueError("this Media is a platform media_id; it has no bytes to reference")
        ref: JSON = {"base64": base64.b64encode(self.content).decode(), "filename": self.filename or "file"}
        if self.content_type:
            ref["contentType"] = self.content_type
        return ref

    def body(self) -> JSON:
        """A media object: ``{"media_id": ...}`` or ``{"media": <ref>}``."""
        return {"media_id": self.media_id} if self.media_id is not None else {"media": self.ref()}


@dataclass(frozen=True)
class Notification:
    """One notification request, ready to send; :meth:`to_request` is the REST body."""

    channel: str
    message: JSON
    robot: str | None = None
    to: JSON | None = None
    template: JSON | None = None
    #: An inbound message's id to answer (``replyTo``): the channel and recipient come from it.
    reply_to: int | None = None
    #: The account that sends it (``third.accounts`` or added by an operator): its code; None: the default.
    account: str | None = None

    def with_template(self, code: str, variables: Mapping[str, Any] | None = None, *,
                      field: str | None = None) -> Notification:
        """Fill the message's main text (or ``field``, a dotted path) from the stored message template ``code``."""
        use: JSON = {"code": code, "variables": dict(variables or {})}
        if field:
            use["field"] = field
        return replace(self, template=use)

    def with_account(self, code: str) -> Notification:
        """Send it through the account ``code`` of the channel's platform (a second Official Account, WeCom app
        or DingTalk app) instead of the default; an account the server does not know is a 422 naming
        ``account``. Robots carry their own credentials and a reply goes through the account that received the
        message: neither takes one."""
        if self.reply_to is not None:
            raise ValueError("a reply goes through the account that received the message: leave the account out")
        return replace(self, account=code)

    def target(self) -> JSON:
        """Where it goes, as a fan-out target (``channel`` plus ``robot`` or ``to``, and ``account`` if given)."""
        if self.reply_to is not None:
            return {"replyTo": self.reply_to}
        target: JSON = {"channel": self.channel}
        if self.robot is not None:
            target["robot"] = self.robot
        if self.to is not None:
            target["to"] = self.to
        if self.account is not None:
            target["account"] = self.account
        return target

    def to_request(self) -> JSON:
        request = {**self.target(), "message": self.message}
        if self.template is not None:
            request["template"] = self.template
        return request


def _drop_none(values: Mapping[str, Any]) -> JSON:
    return {k: v for k, v in values.items() if v is not None}


def _recipients(users: Iterable[str], departments: Iterable[str | int], tags: Iterable[str | int],
                everyone: bool) -> JSON:
    to: JSON = {name: list(values) for name, values in
                (("users", users), ("departments", departments), ("tags", tags)) if values}
    if everyone:
        to["all"] = True
    return to


@dataclass(frozen=True)
class DingTalkRobot:
    """A DingTalk group robot, by the code an operator gave it."""

    robot: str

    def target(self) -> JSON:
        """Where it goes, as a fan-out target."""
        return {"channel": "dingtalk_robot", "robot": self.robot}

    def _n(self, message: JSON) -> Notification:
        return Notification("dingtalk_robot", message, robot=self.robot)

    @staticmethod
    def _at(mobiles: Sequence[str], user_ids: Sequence[str], everyone: bool) -> JSON | None:
        at = _drop_none({"atMobiles": list(mobiles) or None, "atUserIds": list(user_ids) or None,
                         "isAtAll": everyone or None})
        return at or None

    def text(self, content: str, *, at_mobiles: Sequence[str] = (), at_user_ids: Sequence[str] = (),
             at_all: bool = False) -> Notification:
        return self._n(_drop_none({"msgtype": "text", "text": {"content": content},
                                   "at": self._at(at_mobiles, at_user_ids, at_all)}))

    def markdown(self, title: str, text: str, *, at_mobiles: Sequence[str] = (), at_user_ids: Sequence[str] = (),
                 at_all: bool = False) -> Notification:
        return self._n(_drop_none({"msgtype": "markdown", "markdown": {"title": title, "text": text},
                                   "at": self._at(at_mobiles, at_user_ids, at_all)}))

    def link(self, title: str, text: str, message_url: str, pic_url: str | None = None) -> Notification:
        return self._n({"msgtype": "link", "link": _drop_none(
            {"title": title, "text": text, "messageUrl": message_url, "picUrl": pic_url})})

    def action_card(self, title: str, text: str, *, single: tuple[str, str] | None = None,
                    buttons: Sequence[tuple[str, str]] = (), vertical: bool = True,
                    hide_avatar: bool = False) -> Notification:
        """One button (``single=(title, url)``) or several (``buttons=[(title, url), ...]``)."""
        card: JSON = {"title": title, "text": text, "btnOrientation": "0" if vertical else "1"}
        if hide_avatar:
            card["hideAvatar"] = "1"
        if single:
            card["singleTitle"], card["singleURL"] = single
        if buttons:
            card["btns"] = [{"title": t, "actionURL": u} for t, u in buttons]
        return self._n({"msgtype": "actionCard", "actionCard": card})

    def feed_card(self, links: Sequence[tuple[str, str, str]]) -> Notification:
        """``links``: ``(title, message_url, pic_url)`` each."""
        return self._n({"msgtype": "feedCard", "feedCard": {"links": [
            {"title": t, "messageURL": u, "picURL": p} for t, u, p in links]}})


@dataclass(frozen=True)
class WeComRobot:
    """A WeCom group robot, by the code an operator gave it."""

    robot: str

    def target(self) -> JSON:
        """Where it goes, as a fan-out target."""
        return {"channel": "wecom_robot", "robot": self.robot}

    def _n(self, message: JSON) -> Notification:
        return Notification("wecom_robot", message, robot=self.robot)

    def text(self, content: str, *, mentioned: Sequence[str] = (),
             mentioned_mobiles: Sequence[str] = ()) -> Notification:
        text = _drop_none({"content": content, "mentioned_list": list(mentioned) or None,
                           "mentioned_mobile_list": list(mentioned_mobiles) or None})
        return self._n({"msgtype": "text", "text": text})

    def markdown(self, content: str) -> Notification:
        return self._n({"msgtype": "markdown", "markdown": {"content": content}})

    def markdown_v2(self, content: str) -> Notification:
        return self._n({"msgtype": "markdown_v2", "markdown_v2": {"content": content}})

    def image(self, image: Media) -> Notification:
        """An image of at most 2 MB; bytes go the platform's way (base64 + md5)."""
        if image.content is not None:
            body = {"base64": base64.b64encode(image.content).decode(), "md5": hashlib.md5(image.content).hexdigest()}
        else:
            body = {"media": image.ref()}
        return self._n({"msgtype": "image", "image": body})

    def news(self, articles: Sequence[Article]) -> Notification:
        return self._n({"msgtype": "news", "news": {"articles": [a.json() for a in articles]}})

    def file(self, file: Media) -> Notification:
        return self._n({"msgtype": "file", "file": file.body()})

    def voice(self, voice: Media) -> Notification:
        return self._n({"msgtype": "voice", "voice": voice.body()})

    def template_card(self, card: Mapping[str, Any]) -> Notification:
        """``card`` in WeCom's shape (``card_type``: ``text_notice`` or ``news_notice``)."""
        return self._n({"msgtype": "template_card", "template_card": dict(card)})


@dataclass(frozen=True)
class Article:
    """A news article (WeCom robot and app messages)."""

    title: str
    url: str | None = None
    description: str | None = None
    picurl: str | None = None

    def json(self) -> JSON:
        return _drop_none({"title": self.title, "description": self.description, "url": self.url,
                           "picurl": self.picurl})


@dataclass(frozen=True)
class MpArticle:
    """An mpnews article (WeCom app): stored by WeCom, shown in its own page."""

    title: str
    content: str
    thumb: Media
    author: str | None = None
    digest: str | None = None
    content_source_url: str | None = None

    def json(self) -> JSON:
        thumb = ({"thumb_media_id": self.thumb.media_id} if self.thumb.media_id is not None
                 else {"thumb_media": self.thumb.ref()})
        return _drop_none({"title": self.title, "content": self.content, **thumb, "author": self.author,
                           "digest": self.digest, "content_source_url": self.content_source_url})


@dataclass(frozen=True)
class DingTalkWork:
    """A DingTalk work notification to users, departments or everyone of the organisation."""

    to: JSON = field(default_factory=dict)

    def target(self) -> JSON:
        """Where it goes, as a fan-out target."""
        return {"channel": "dingtalk_work", "to": self.to}

    def _n(self, message: JSON) -> Notification:
        return Notification("dingtalk_work", message, to=self.to)

    def text(self, content: str) -> Notification:
        return self._n({"msgtype": "text", "text": {"content": content}})

    def markdown(self, title: str, text: str) -> Notification:
        return self._n({"msgtype": "markdown", "markdown": {"title": title, "text": text}})

    def image(self, image: Media) -> Notification:
        return self._n({"msgtype": "image", "image": image.body()})

    def voice(self, voice: Media, duration_seconds: int) -> Notification:
        return self._n({"msgtype": "voice", "voice": {**voice.body(), "duration": str(duration_seconds)}})

    def file(self, file: Media) -> Notification:
        return self._n({"msgtype": "file", "file": file.body()})

    def link(self, title: str, text: str, message_url: str, pic_url: str) -> Notification:
        return self._n({"msgtype": "link", "link": {"title": title, "text": text, "messageUrl": message_url,
                                                    "picUrl": pic_url}})

    def oa(self, head: Mapping[str, str], body: Mapping[str, Any], **extra: Any) -> Notification:
        """An OA message in DingTalk's shape (``head``, ``body``, and e.g. ``message_url``)."""
        return self._n({"msgtype": "oa", "oa": {"head": dict(head), "body": dict(body), **extra}})

    def action_card(self, title: str, markdown: str, *, single: tuple[str, str] | None = None,
                    buttons: Sequence[tuple[str, str]] = (), vertical: bool = True) -> Notification:
        card: JSON = {"title": title, "markdown": markdown, "btn_orientation": "0" if vertical else "1"}
        if single:
            card["single_title"], card["single_url"] = single
        if buttons:
            card["btn_json_list"] = [{"title": t, "action_url": u} for t, u in buttons]
        return self._n({"msgtype": "action_card", "action_card": card})


@dataclass(frozen=True)
class WeComApp:
    """A WeCom app message to users, departments, tags or everyone; ``options`` are WeCom's send options
    (``safe``, ``enable_id_trans``, ``enable_duplicate_check``, ``duplicate_check_interval``)."""

    to: JSON = field(default_factory=dict)
    options: JSON = field(default_factory=dict)

    def target(self) -> JSON:
        """Where it goes, as a fan-out target."""
        return {"channel": "wecom_app", "to": self.to}

    def _n(self, message: JSON) -> Notification:
        return Notification("wecom_app", {**message, **self.options}, to=self.to)

    def text(self, content: str) -> Notification:
        return self._n({"msgtype": "text", "text": {"content": content}})

    def markdown(self, content: str) -> Notification:
        return self._n({"msgtype": "markdown", "markdown": {"content": content}})

    def image(self, image: Media) -> Notification:
        return self._n({"msgtype": "image", "image": image.body()})

    def voice(self, voice: Media) -> Notification:
        return self._n({"msgtype": "voice", "voice": voice.body()})

    def video(self, video: Media, title: str | None = None, description: str | None = None) -> Notification:
        return self._n({"msgtype": "video", "video": _drop_none(
            {**video.body(), "title": title, "description": description})})

    def file(self, file: Media) -> Notification:
        return self._n({"msgtype": "file", "file": file.body()})

    def textcard(self, title: str, description: str, url: str, button: str | None = None) -> Notification:
        return self._n({"msgtype": "textcard", "textcard": _drop_none(
            {"title": title, "description": description, "url": url, "btntxt": button})})

    def news(self, articles: Sequence[Article]) -> Notification:
        return self._n({"msgtype": "news", "news": {"articles": [a.json() for a in articles]}})

    def mpnews(self, articles: Sequence[MpArticle]) -> Notification:
        return self._n({"msgtype": "mpnews", "mpnews": {"articles": [a.json() for a in articles]}})

    def template_card(self, card: Mapping[str, Any]) -> Notification:
        return self._n({"msgtype": "template_card", "template_card": dict(card)})


def dingtalk_robot(robot: str) -> DingTalkRobot:
    return DingTalkRobot(robot)


def wecom_robot(robot: str) -> WeComRobot:
    return WeComRobot(robot)


def dingtalk_work(users: Iterable[str] = (), departments: Iterable[str | int] = (), *,
                  everyone: bool = False) -> DingTalkWork:
    return DingTalkWork(_recipients(users, departments, (), everyone))


def wecom_app(users: Iterable[str] = (), departments: Iterable[str | int] = (), tags: Iterable[str | int] = (), *,
              everyone: bool = False, **options: int) -> WeComApp:
    return WeComApp(_recipients(users, departments, tags, everyone), dict(options))


def wechat_template(touser: str, data: Mapping[str, Any], *, template_code: str | None = None,
                    template_id: str | None = None, url: str | None = None,
                    miniprogram: tuple[str, str | None] | None = None,
                    client_msg_id: str | None = None) -> Notification:
    """A WeChat Official Account template message to one follower (``touser``: the openid).

    Name the template by ``template_code`` (the operator's) or ``template_id`` (WeChat's); ``data`` values are
    text or ``{"value": ..., "color": "#RRGGBB"}``; ``miniprogram``: ``(appid, pagepath)``.
    """
    message = _drop_none({"touser": touser, "template_code": template_code, "template_id": template_id,
                          "url": url, "client_msg_id": client_msg_id, "data": dict(data)})
    if miniprogram:
        message["miniprogram"] = _drop_none({"appid": miniprogram[0], "pagepath": miniprogram[1]})
    return Notification("wechat_template", message)


@dataclass(frozen=True)
class WeChatCustom:
    """A WeChat customer-service message to one follower (``touser``: the openid), within 48 hours of the
    follower's last message; thumbnails and media as :class:`Media`."""

    touser: str

    def _n(self, message: JSON) -> Notification:
        return Notification("wechat_custom", {"touser": self.touser, **message})

    @staticmethod
    def _thumb(thumb: Media) -> JSON:
        return {"thumb_media_id": thumb.media_id} if thumb.media_id is not None else {"thumb_media": thumb.ref()}

    def text(self, content: str) -> Notification:
        return self._n({"msgtype": "text", "text": {"content": content}})

    def image(self, image: Media) -> Notification:
        return self._n({"msgtype": "image", "image": image.body()})

    def voice(self, voice: Media) -> Notification:
        return self._n({"msgtype": "voice", "voice": voice.body()})

    def video(self, video: Media, thumb: Media, title: str | None = None,
              description: str | None = None) -> Notification:
        return self._n({"msgtype": "video", "video": _drop_none(
            {**video.body(), **self._thumb(thumb), "title": title, "description": description})})

    def music(self, music_url: str, hq_music_url: str, thumb: Media, title: str | None = None,
              description: str | None = None) -> Notification:
        return self._n({"msgtype": "music", "music": _drop_none(
            {"musicurl": music_url, "hqmusicurl": hq_music_url, **self._thumb(thumb), "title": title,
             "description": description})})

    def news(self, article: Article) -> Notification:
        """One article (WeChat sends one per customer-service news message)."""
        return self._n({"msgtype": "news", "news": {"articles": [article.json()]}})

    def mpnews(self, media_id: str) -> Notification:
        return self._n({"msgtype": "mpnews", "mpnews": {"media_id": media_id}})

    def msgmenu(self, items: Sequence[tuple[str, str]], head: str | None = None,
                tail: str | None = None) -> Notification:
        """A menu the follower taps: ``items`` are ``(id, text)``."""
        return self._n({"msgtype": "msgmenu", "msgmenu": _drop_none(
            {"head_content": head, "list": [{"id": i, "content": c} for i, c in items], "tail_content": tail})})

    def miniprogrampage(self, title: str, appid: str, pagepath: str, thumb: Media) -> Notification:
        return self._n({"msgtype": "miniprogrampage", "miniprogrampage": {
            "title": title, "appid": appid, "pagepath": pagepath, **self._thumb(thumb)}})


@dataclass(frozen=True)
class ReplyTo:
    """An answer to an inbound message (``GET /api/v1/inbound``): a WeChat follower gets a customer-service
    message, a WeCom member an app message; the message without its recipient."""

    inbound_id: int

    def text(self, content: str) -> Notification:
        return self.message({"msgtype": "text", "text": {"content": content}})

    def message(self, message: Mapping[str, Any]) -> Notification:
        return Notification("", dict(message), reply_to=self.inbound_id)


def wechat_custom(touser: str) -> WeChatCustom:
    return WeChatCustom(touser)


def reply_to(inbound_id: int) -> ReplyTo:
    return ReplyTo(inbound_id)


def _subscribe(channel: str, touser: str, data: Mapping[str, Any], template_code: str | None,
               template_id: str | None, **extra: Any) -> Notification:
    message = _drop_none({"touser": touser, "template_code": template_code, "template_id": template_id,
                          "data": dict(data), **extra})
    return Notification(channel, message)


def wechat_subscribe(touser: str, data: Mapping[str, Any], *, template_code: str | None = None,
                     template_id: str | None = None, page: str | None = None,
                     miniprogram: tuple[str, str] | None = None) -> Notification:
    """An Official Account subscription message (``bizsend``) to a user who subscribed; ``data`` values are text
    (checked against the template's key types before anything is recorded)."""
    link = {"appid": miniprogram[0], "pagepath": miniprogram[1]} if miniprogram else None
    return _subscribe("wechat_subscribe", touser, data, template_code, template_id, page=page, miniprogram=link)


def applet_subscribe(touser: str, data: Mapping[str, Any], *, template_code: str | None = None,
                     template_id: str | None = None, page: str | None = None, state: str | None = None,
                     lang: str | None = None) -> Notification:
    """A mini-program subscription message (``subscribe/send``); ``state``: developer, trial or formal."""
    return _subscribe("applet_subscribe", touser, data, template_code, template_id, page=page,
                      miniprogram_state=state, lang=lang)


@dataclass(frozen=True)
class DingTalkEnterpriseRobot:
    """The app's enterprise robot (DingTalk v1.0) to a group chat or to up to 20 members: a template ``msgKey``
    and its ``msgParam``."""

    channel: str
    to: JSON

    def target(self) -> JSON:
        return {"channel": self.channel, "to": self.to}

    def _n(self, key: str, param: JSON) -> Notification:
        return Notification(self.channel, {"msgKey": key, "msgParam": param}, to=self.to)

    def text(self, content: str) -> Notification:
        return self._n("sampleText", {"content": content})

    def markdown(self, title: str, text: str) -> Notification:
        return self._n("sampleMarkdown", {"title": title, "text": text})

    def link(self, title: str, text: str, message_url: str, pic_url: str) -> Notification:
        return self._n("sampleLink", {"title": title, "text": text, "messageUrl": message_url, "picUrl": pic_url})


def dingtalk_group(open_conversation_id: str) -> DingTalkEnterpriseRobot:
    return DingTalkEnterpriseRobot("dingtalk_group", {"group": open_conversation_id})


def dingtalk_robot_users(users: Iterable[str]) -> DingTalkEnterpriseRobot:
    return DingTalkEnterpriseRobot("dingtalk_robot_users", {"users": list(users)})


@dataclass(frozen=True)
class WeComAppChat(WeComApp):
    """A WeCom app chat (one the app created with ``POST /api/v1/wecom/appchats``); the app messages' builders."""

    def target(self) -> JSON:
        return {"channel": "wecom_appchat", "to": self.to}

    def _n(self, message: JSON) -> Notification:
        return Notification("wecom_appchat", {**message, **self.options}, to=self.to)

    def template_card(self, card: Mapping[str, Any]) -> Notification:
        raise TypeError("WeCom app chats take no template_card")


def wecom_appchat(chat_id: str, *, safe: int | None = None) -> WeComAppChat:
    return WeComAppChat({"chat": chat_id}, _drop_none({"safe": safe}))
