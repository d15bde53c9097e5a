"""WeChat subscription messages to one user: the Official Account's (``wechat_subscribe``, ``bizsend``) and the
mini-program's (``applet_subscribe``, ``subscribe/send``).

As for template messages, the message keeps the platform's fields and adds ``template_code`` (ours). The template
must be synced and enabled, ``data`` must fill exactly its keys, and each value must keep its key type's rule
(:mod:`models.wechat.subscribe_rules`): WeChat would refuse the whole message with 47003. A user who did not
subscribe (43101) fails for good, with that reason, and is never retried.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy.orm import Session

from models.notifications.common import Body, Code, Text
from models.notifications.wechat_template import DataKey, Openid
from models.wechat.subscribe_rules import value_problem
from models.wechat.subscribe_templates import find_subscribe_template

ProblemList = list[dict[str, str]]
Page = Annotated[str, Field(min_length=1, max_length=1024)]


class DataValue(Body):
    value: str

    @field_validator("value", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


class MiniProgramLink(Body):
    appid: Text
    pagepath: Text


class _SubscribeMessage(Body):
    #: Always ``subscribe``; set when the request is accepted.
    msgtype: Literal["subscribe"] | None = None
    touser: Openid
    template_id: str | None = Field(default=None, min_length=1, max_length=128)
    template_code: Code | None = None
    page: Page | None = None
    data: dict[DataKey, DataValue]

    @field_validator("data", mode="before")
    @classmethod
    def _bare_values(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: v if isinstance(v, dict | BaseModel) else {"value": v} for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _template(self) -> _SubscribeMessage:
        if self.template_id is None and self.template_code is None:
            raise ValueError("name the template: template_code (ours) or template_id (the platform's priTmplId)")
        return self


class OfficialSubscribeMessage(_SubscribeMessage):
    """``bizsend``: ``page`` is a web link, ``miniprogram`` a mini-program page to open instead."""

    miniprogram: MiniProgramLink | None = None


class AppletSubscribeMessage(_SubscribeMessage):
    """``subscribe/send``: ``page`` is the mini-program page the message opens."""

    miniprogram_state: Literal["developer", "trial", "formal"] | None = None
    lang: Literal["zh_CN", "en_US", "zh_HK", "zh_TW"] | None = None


def _problem(field: str, message: str, kind: str = "value_error") -> dict[str, str]:
    return {"field": field, "message": message, "type": kind}


def resolve_subscribe_template(session: Session, account: str, message: _SubscribeMessage) -> ProblemList:
    """Find the message's template among ``account``'s (``oa`` or ``applet``), check ``data`` against its keys and
    their rules; fills in the template's id and code and ``msgtype``. Returns every problem found."""
    template = by_id = None
    problems: ProblemList = []
    sync = "POST /api/v1/wechat/subscribe-templates/sync"
    if message.template_id is not None:
        template = by_id = find_subscribe_template(session, account, template_id=message.template_id)
        if by_id is None:
            problems.append(_problem("message.template_id", f"no synced subscription template "
                                                            f"'{message.template_id}' of this account ({sync})"))
    if message.template_code is not None:
        by_code = find_subscribe_template(session, account, code=message.template_code)
        if by_code is None or by_code.account != account:
            problems.append(_problem("message.template_code", f"no subscription template with code "
                                                              f"'{message.template_code}' of this account"))
        elif by_id is not None and by_code.id != by_id.id:
            problems.append(_problem("message.template_code", "names another template than template_id"))
        else:
            template = template or by_code
    if template is None or problems:
        return problems
    if not template.enabled:
        problems.append(_problem("message.template_code" if message.template_code else "message.template_id",
                                 f"the subscription template '{template.code or template.template_id}' is disabled"))
    keys = template.keys
    for key, entry in message.data.items():
        if key not in keys:
            problems.append(_problem(f"message.data.{key}", f"not a key of template '{template.name}' "
                                                            f"(its keys: {', '.join(keys) or 'none'})", "unknown_key"))
            continue
        reason = value_problem(key, entry.value)
        if reason:
            problems.append(_problem(f"message.data.{key}.value", reason))
    for key in keys:
        if key not in message.data:
            problems.append(_problem(f"message.data.{key}", f"template '{template.name}' needs a value for {key}",
                                     "missing"))
    message.msgtype = "subscribe"
    message.template_id = template.template_id
    message.template_code = template.code
    return problems


def platform_body(message: dict[str, Any]) -> dict[str, Any]:
    """The recorded message as the platform takes it (our ``msgtype`` and ``template_code`` left out)."""
    return {k: v for k, v in message.items() if k not in ("msgtype", "template_code") and v is not None}
