"""The channels: what each needs before its send (media ids, rate limits) and the send itself.

Each send returns the platform's answer in our record's shape (camelCase): ``{}`` for robots, ``{"taskId"}``
for DingTalk work notifications, ``{"msgid", "invalidUsers", ...}`` for WeCom app messages, ``{"msgid"}`` for
WeChat template messages. Errors are the :mod:`platforms.errors` exceptions, classified there and nowhere else.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from config.settings import NotificationsSettings
from core.clients import PlatformClients
from models.deliveries import Channel
from models.notifications.wechat_subscribe import platform_body
from models.robots import RobotCredentials
from workers.notifications.media import MediaResolver
from workers.notifications.ratelimit import Limit

RATE_KEY = "imbridge:notify:rate:{}"
PAUSE_KEY = "imbridge:notify:pause:{}"


def credential_digest(secret: str) -> str:
    """Names a robot in Redis keys without revealing its credential (two records of one webhook share it)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Pacing:
    """The rate limits a send must pass, the pauses it must respect, and the pause a throttle answer sets."""

    limits: list[Limit] = field(default_factory=list)
    pauses: list[str] = field(default_factory=list)
    #: The key a 130101/45009 answer pauses, and for how long.
    penalty_key: str | None = None
    penalty_seconds: float = 0.0

    @property
    def needed(self) -> bool:
        return bool(self.limits or self.pauses)


def paced_app(channel: Channel, clients: PlatformClients) -> str:
    """Who a channel's pace is booked for beside the chat or member: the WeCom app (``wecom:<corp>:<agent>``) or the
    DingTalk robot the group channel sends as. So two accounts' apps never share a window, even for one chat id."""
    if channel in (Channel.WECOM_APP, Channel.WECOM_APPCHAT):
        return clients.wecom.app_key
    if channel is Channel.DINGTALK_GROUP:
        return f"dingtalk-robot:{clients.dingtalk_robot_code}"
    return ""


def pacing_for(channel: Channel, payload: dict[str, Any], robot: RobotCredentials | None,
               settings: NotificationsSettings, corp_app: str) -> Pacing:
    """The limits of one send; ``corp_app`` is :func:`paced_app` of the account that sends it."""
    window = settings.rate_window_seconds
    if channel.is_robot:
        assert robot is not None
        name = f"{channel.value}:{credential_digest(robot.token)}"
        limits = [Limit(RATE_KEY.format(name), settings.robot_rate_limit, window)] if settings.robot_rate_limit else []
        penalty = (settings.dingtalk_robot_penalty_seconds if channel is Channel.DINGTALK_ROBOT
                   else settings.wecom_robot_penalty_seconds)
        pause = PAUSE_KEY.format(name)
        return Pacing(limits, [pause], pause, penalty)
    if channel is Channel.WECOM_APP:
        # WeCom drops a member's messages past 30 a minute or 1000 an hour without a word: both are booked.
        users = dict.fromkeys(payload.get("to", {}).get("users", []))
        limits = []
        for count, seconds, name in ((settings.recipient_rate_limit, window, "wecom_user"),
                                     (settings.recipient_hourly_limit, settings.recipient_hourly_window_seconds,
                                      "wecom_user_hour")):
            if count:
                limits += [Limit(RATE_KEY.format(f"{name}:{corp_app}:{user}"), count, seconds) for user in users]
        return Pacing(limits)
    if channel in (Channel.DINGTALK_GROUP, Channel.WECOM_APPCHAT) and settings.robot_rate_limit:
        # A chat takes a robot's pace (20 a minute): booked per chat, so one busy chat does not hold up the others.
        to = payload.get("to", {})
        name = f"{channel.value}:{corp_app}:{to.get('group') or to.get('chat')}"
        return Pacing([Limit(RATE_KEY.format(name), settings.robot_rate_limit, window)])
    return Pacing()


def prepare(channel: Channel, message: dict[str, Any], robot: RobotCredentials | None,
            clients: PlatformClients, media: MediaResolver) -> dict[str, Any]:
    """The message as the platform takes it: media uploaded (or inlined) now."""
    if channel in (Channel.DINGTALK_ROBOT, Channel.WECHAT_TEMPLATE, Channel.WECHAT_SUBSCRIBE, Channel.APPLET_SUBSCRIBE,
                   Channel.DINGTALK_GROUP, Channel.DINGTALK_ROBOT_USERS):
        return message
    if channel is Channel.WECOM_ROBOT:
        assert robot is not None
        if message.get("msgtype") == "image":
            return media.inline_image(message)
        key = robot.token

        def robot_upload(kind: str, filename: str, content: bytes, content_type: str) -> str:
            return clients.wecom_robot.upload_media(key, filename, content, kind, content_type)

        return media.with_media_ids(message, robot_upload, f"wecom_robot:{credential_digest(key)}")
    if channel is Channel.DINGTALK_WORK:
        return media.with_media_ids(message, clients.dingtalk.media.upload, None)
    if channel is Channel.WECHAT_CUSTOM:
        return media.with_media_ids(message, clients.wechat.media.upload, clients.wechat.app_key, thumb_kind="thumb")
    return media.with_media_ids(message, clients.wecom.media.upload, f"wecom_app:{clients.wecom.app_key}")


def send(channel: Channel, message: dict[str, Any], payload: dict[str, Any], robot: RobotCredentials | None,
         clients: PlatformClients) -> dict[str, Any]:
    """One platform send of a prepared message; the answer as recorded."""
    if channel is Channel.DINGTALK_ROBOT:
        assert robot is not None
        clients.dingtalk_robot.send(robot.token, message, secret=robot.secret)
        return {}
    if channel is Channel.WECOM_ROBOT:
        assert robot is not None
        clients.wecom_robot.send(robot.token, message)
        return {}
    if channel is Channel.WECHAT_TEMPLATE:
        msgid = clients.wechat.templates.send(
            message["touser"], message["template_id"], message["data"], url=message.get("url"),
            miniprogram=message.get("miniprogram"), client_msg_id=message.get("client_msg_id"))
        return {"msgid": msgid}
    if channel is Channel.WECHAT_CUSTOM:
        clients.wechat.custom.send(message)
        return {}
    if channel is Channel.WECHAT_SUBSCRIBE:
        clients.wechat.subscribe.send(platform_body(message))
        return {}
    if channel is Channel.APPLET_SUBSCRIBE:
        clients.wechat_applet.subscribe.send(platform_body(message))
        return {}
    to = payload.get("to", {})
    if channel in (Channel.DINGTALK_GROUP, Channel.DINGTALK_ROBOT_USERS):
        return _enterprise_robot(channel, message, to, clients)
    if channel is Channel.WECOM_APPCHAT:
        clients.wecom.appchats.send(to["chat"], message)
        return {}
    if channel is Channel.DINGTALK_WORK:
        task_id = clients.dingtalk.work_notices.send(
            message, userid_list=to.get("users"), dept_id_list=to.get("departments"), to_all_user=to.get("all", False))
        return {"taskId": task_id}
    body = dict(message)
    if to.get("all"):
        body["touser"] = "@all"
    for name, key in (("touser", "users"), ("toparty", "departments"), ("totag", "tags")):
        if to.get(key):
            body[name] = "|".join(str(v) for v in to[key])
    result = clients.wecom.messages.send(body)
    answer: dict[str, Any] = {"msgid": result["msgid"]}
    for name, key in (("invalidUsers", "invaliduser"), ("invalidParties", "invalidparty"),
                      ("invalidTags", "invalidtag"), ("unlicensedUsers", "unlicenseduser")):
        value = result.get(key)  # type: ignore[misc]
        if value:
            answer[name] = [v for v in str(value).split("|") if v]
    return answer


def _enterprise_robot(channel: Channel, message: dict[str, Any], to: dict[str, Any],
                      clients: PlatformClients) -> dict[str, Any]:
    """The app's enterprise robot: to a group, or to members (who it could not reach is kept in the answer)."""
    robot, code = clients.dingtalk.enterprise_robot, clients.dingtalk_robot_code
    if channel is Channel.DINGTALK_GROUP:
        return {"processQueryKey": robot.send_to_group(code, to["group"], message["msgKey"], message["msgParam"])}
    result = robot.send_to_users(code, to["users"], message["msgKey"], message["msgParam"])
    answer: dict[str, Any] = {"processQueryKey": result.process_query_key}
    if result.invalid_user_ids:
        answer["invalidUsers"] = result.invalid_user_ids
    if result.flow_controlled_user_ids:
        answer["flowControlledUsers"] = result.flow_controlled_user_ids
    return answer
