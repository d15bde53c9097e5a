"""Fan-out: one message to several targets (robots, work-notification recipients, followers), one request each.

    {"targets": [{"channel": "dingtalk_robot", "robot": "ops"},
                 {"channel": "wecom_robot", "robot": "ops-wecom"},
                 {"channel": "wecom_app", "to": {"users": ["zhangsan"]}},
                 {"channel": "dingtalk_work", "to": {"users": ["manager01"]},
                  "message": {"msgtype": "text", "text": {"content": "in the platform's own shape"}}}],
     "message": {"format": "markdown", "title": "Deploy", "text": "**crm** is live"},
     "template": {"code": "deploy", "variables": {"app": "crm"}}}

The common ``message`` is plain ``text`` or ``markdown``, shaped here for each channel (DingTalk's markdown has a
title, WeCom's does not); a target with a ``message`` of its own keeps it. A ``template`` fills the text of every
target's message. A WeChat message (template or customer-service) names its follower inside the message: such a
target brings its own message.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from config.settings import ACCOUNT_CODE_PATTERN
from models.notifications.common import Body, Code, TemplateUse
from models.notifications.intake import RequestInvalid
from models.notifications.request import ProblemList, problem

#: The most targets one fan-out request may name.
MAX_TARGETS = 50
#: Channels whose targets bring their own message (it names the follower; a template message has no text).
OWN_MESSAGE = ("wechat_template", "wechat_custom")
#: Channels whose message is an enterprise robot's template (``msgKey`` + ``msgParam``), not a ``msgtype``.
ENTERPRISE_ROBOT = ("dingtalk_group", "dingtalk_robot_users")
#: The title DingTalk shows in the chat list when the message has none of its own.
DEFAULT_TITLE = "imbridge"


class CommonMessage(Body):
    format: Literal["text", "markdown"] = "text"
    title: str | None = Field(default=None, min_length=1, max_length=128)
    #: Leave out when a ``template`` fills it.
    text: str | None = Field(default=None, min_length=1)


class Target(BaseModel):
    """Where one copy goes: the fields of a notification request but its message (checked per channel later)."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["dingtalk_robot", "wecom_robot", "dingtalk_work", "wecom_app", "wechat_template", "wechat_custom",
                     "dingtalk_group", "dingtalk_robot_users", "wecom_appchat"]
    robot: Code | None = None
    to: dict[str, Any] | None = None
    message: dict[str, Any] | None = None
    #: The account this copy is sent through, as a notification's ``account`` (omitted: the default).
    account: str | None = Field(default=None, pattern=ACCOUNT_CODE_PATTERN)


class GroupRequest(Body):
    targets: list[Target] = Field(min_length=1, max_length=MAX_TARGETS)
    message: CommonMessage | None = None
    template: TemplateUse | None = None


def shaped(channel: str, common: CommonMessage) -> dict[str, Any]:
    """``common`` in ``channel``'s own shape (its text left out when a template fills it)."""
    text = {"content": common.text} if common.text is not None else {}
    if channel in ENTERPRISE_ROBOT:
        if common.format == "text":
            return {"msgKey": "sampleText", "msgParam": text}
        param = {"title": common.title or DEFAULT_TITLE, **({"text": common.text} if common.text is not None else {})}
        return {"msgKey": "sampleMarkdown", "msgParam": param}
    if common.format == "text":
        return {"msgtype": "text", "text": text}
    if channel.startswith("dingtalk"):
        markdown = {"title": common.title or DEFAULT_TITLE}
        if common.text is not None:
            markdown["text"] = common.text
        return {"msgtype": "markdown", "markdown": markdown}
    return {"msgtype": "markdown", "markdown": text}


def _field(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path) or "body"


def expand(data: Any) -> tuple[list[dict[str, Any] | None], ProblemList]:
    """The notification requests of a group request, one per target in order (None for a target that has no
    message), and the problems found; :class:`RequestInvalid` when the group's own shape is wrong. Each target's
    request is validated on its own after this."""
    try:
        group = GroupRequest.model_validate(data)
    except ValidationError as exc:
        raise RequestInvalid([problem(_field(e["loc"]), e["msg"].removeprefix("Value error, "), e["type"])
                              for e in exc.errors(include_url=False)]) from exc
    problems: ProblemList = []
    requests: list[dict[str, Any] | None] = []
    for index, target in enumerate(group.targets):
        request: dict[str, Any] = {"channel": target.channel}
        if target.robot is not None:
            request["robot"] = target.robot
        if target.to is not None:
            request["to"] = target.to
        if target.account is not None:
            request["account"] = target.account
        if target.message is not None:
            request["message"] = target.message
        elif target.channel in OWN_MESSAGE or group.message is None:
            why = ("a WeChat message names its follower: give this target its own message"
                   if target.channel in OWN_MESSAGE else "give the group a message, or this target its own")
            problems.append(problem(f"targets.{index}.message", why))
            requests.append(None)
            continue
        else:
            request["message"] = shaped(target.channel, group.message)
        if group.template is not None and target.channel not in OWN_MESSAGE:
            request["template"] = group.template.model_dump(exclude_none=True)
        requests.append(request)
    if group.message is not None and group.message.text is None and group.template is None:
        problems.append(problem("message.text", "give the text, or a template to fill it"))
    return requests, problems
