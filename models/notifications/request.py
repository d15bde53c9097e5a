"""A notification request: the channel, where it goes, the message in the platform's own shape.

    {"channel": "dingtalk_robot", "robot": "ops",
     "message": {"msgtype": "markdown", "markdown": {"title": "Deploy", "text": "**done**"}}}
    {"channel": "wecom_app", "to": {"users": ["zhangsan"]},
     "message": {"msgtype": "text", "text": {}}, "template": {"code": "deploy", "variables": {"app": "crm"}}}

A ``template`` fills the msgtype's main text field (or the one named by ``template.field``) before the message
is validated, so the platform's limits apply to the rendered text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from config.settings import ACCOUNT_CODE_PATTERN
from models.message_templates import MAX_OUTPUT_BYTES, MessageTemplate, TemplateError, TemplateTooLarge, render
from models.notifications import (
    dingtalk_enterprise_robot,
    dingtalk_robot,
    dingtalk_work,
    wechat_custom,
    wechat_subscribe,
    wechat_template,
    wecom_app,
    wecom_appchat,
    wecom_robot,
)
from models.notifications.common import Body, Code, TemplateUse

ProblemList = list[dict[str, str]]


class _Request(Body):
    template: TemplateUse | None = None
    #: The account (``third.accounts`` or the admin API) of the channel's platform that sends it; omitted: the
    #: seed block's, ``default``.
    account: str | None = Field(default=None, pattern=ACCOUNT_CODE_PATTERN)


class DingTalkRobotRequest(_Request):
    channel: Literal["dingtalk_robot"]
    robot: Code
    message: dingtalk_robot.DingTalkRobotMessage


class WeComRobotRequest(_Request):
    channel: Literal["wecom_robot"]
    robot: Code
    message: wecom_robot.WeComRobotMessage


class DingTalkWorkRequest(_Request):
    channel: Literal["dingtalk_work"]
    to: dingtalk_work.Recipients
    message: dingtalk_work.DingTalkWorkMessage


class WeComAppRequest(_Request):
    channel: Literal["wecom_app"]
    to: wecom_app.Recipients
    message: wecom_app.WeComAppMessage


class WeChatTemplateRequest(_Request):
    channel: Literal["wechat_template"]
    message: wechat_template.TemplateMessage


class WeChatCustomRequest(_Request):
    channel: Literal["wechat_custom"]
    message: wechat_custom.WeChatCustomMessage


class WeChatSubscribeRequest(_Request):
    channel: Literal["wechat_subscribe"]
    message: wechat_subscribe.OfficialSubscribeMessage


class AppletSubscribeRequest(_Request):
    channel: Literal["applet_subscribe"]
    message: wechat_subscribe.AppletSubscribeMessage


class DingTalkGroupRequest(_Request):
    channel: Literal["dingtalk_group"]
    to: dingtalk_enterprise_robot.GroupRecipient
    message: dingtalk_enterprise_robot.EnterpriseRobotMessage


class DingTalkRobotUsersRequest(_Request):
    channel: Literal["dingtalk_robot_users"]
    to: dingtalk_enterprise_robot.UserRecipients
    message: dingtalk_enterprise_robot.EnterpriseRobotMessage


class WeComAppChatRequest(_Request):
    channel: Literal["wecom_appchat"]
    to: wecom_appchat.ChatRecipient
    message: wecom_appchat.WeComAppChatMessage


NotificationRequest = Annotated[
    DingTalkRobotRequest | WeComRobotRequest | DingTalkWorkRequest | WeComAppRequest | WeChatTemplateRequest
    | WeChatCustomRequest | WeChatSubscribeRequest | AppletSubscribeRequest | DingTalkGroupRequest
    | DingTalkRobotUsersRequest | WeComAppChatRequest,
    Field(discriminator="channel"),
]
RobotRequest = DingTalkRobotRequest | WeComRobotRequest
WorkRequest = DingTalkWorkRequest | WeComAppRequest
SubscribeRequest = WeChatSubscribeRequest | AppletSubscribeRequest
#: channel -> the kind of app whose subscription templates it sends (each account has its own of each).
SUBSCRIBE_ACCOUNTS = {"wechat_subscribe": "oa", "applet_subscribe": "applet"}
#: Requests whose ``to`` names one group chat or a short list of members (recorded in the payload like WorkRequest).
GroupRequest = DingTalkGroupRequest | DingTalkRobotUsersRequest | WeComAppChatRequest


def message_type(message: Any) -> str | None:
    """The message's type: its ``msgtype``, or the enterprise robot's template ``msgKey``."""
    if not isinstance(message, dict):
        return None
    kind = message.get("msgtype", message.get("msgKey"))
    return kind if isinstance(kind, str) else None

REQUEST_ADAPTER: TypeAdapter[Any] = TypeAdapter(NotificationRequest)

#: channel -> msgtype -> the dotted path a template fills by default.
TEXT_FIELDS: dict[str, dict[str, str]] = {
    "dingtalk_robot": dingtalk_robot.TEXT_FIELDS,
    "wecom_robot": wecom_robot.TEXT_FIELDS,
    "dingtalk_work": dingtalk_work.TEXT_FIELDS,
    "wecom_app": wecom_app.TEXT_FIELDS,
    "wechat_template": {},
    "wechat_custom": wechat_custom.TEXT_FIELDS,
    "wechat_subscribe": {},
    "applet_subscribe": {},
    "dingtalk_group": dingtalk_enterprise_robot.TEXT_FIELDS,
    "dingtalk_robot_users": dingtalk_enterprise_robot.TEXT_FIELDS,
    "wecom_appchat": wecom_appchat.TEXT_FIELDS,
}


def problem(field: str, message: str, kind: str = "value_error") -> dict[str, str]:
    return {"field": field, "message": message, "type": kind}


def apply_template(data: dict[str, Any], lookup: Callable[[str], MessageTemplate | None],
                   max_bytes: int = MAX_OUTPUT_BYTES) -> ProblemList:
    """Render ``data["template"]`` into ``data["message"]`` in place; returns the problems found.

    A malformed ``template`` is left for the model's validation to report; a text over ``max_bytes`` (UTF-8)
    is one of the problems, found before it is built.
    """
    use = data.get("template")
    message = data.get("message")
    if not isinstance(use, dict) or not isinstance(use.get("code"), str) or not isinstance(message, dict):
        return []
    template = lookup(use["code"])
    if template is None or not template.enabled:
        state = "disabled" if template is not None else "unknown"
        return [problem("template.code", f"{state} message template '{use['code']}'")]
    path = use.get("field") or TEXT_FIELDS.get(str(data.get("channel")), {}).get(str(message_type(message)))
    if not isinstance(path, str):
        return [problem("template.field", f"msgtype '{message_type(message)}' has no main text field here; "
                                          "name the field to fill in template.field")]
    *parents, leaf = path.split(".")
    target: Any = message
    for name in parents:
        target = target.setdefault(name, {}) if isinstance(target, dict) else None
    if not isinstance(target, dict):
        return [problem("template.field", f"message.{path} cannot be filled: a parent is not an object")]
    if target.get(leaf) not in (None, ""):
        return [problem(f"message.{path}", "given here and by the template: choose one")]
    variables = use.get("variables") if isinstance(use.get("variables"), dict) else {}
    try:
        target[leaf] = render(template.content, variables, max_bytes)
    except TemplateError as exc:
        # The unrendered text stands in, so the field is not also reported missing.
        target[leaf] = template.content
        if isinstance(exc, TemplateTooLarge):
            return [problem("template.variables", str(exc), "too_long")]
        field = "template.variables" if exc.missing else "template.code"
        return [problem(field, str(exc), "missing" if exc.missing else "value_error")]
    return []
