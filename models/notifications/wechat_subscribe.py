"""WeChat subscription messages to one user: the Official Account's (``wechat_subscribe``, ``bizsend``) and the
mini-program's (``applet_subscribe``, ``subscribe/send``).

As for template messages, the message keeps the platform's fields and adds ``template_code`` (ours). The template
must be synced and enabled, ``data`` must fill exactly its keys, and each value must keep its key type's rule
(:mod:`models.wechat.subscribe_rules`): WeChat would refuse the whole message with 47003. A user who did not
subscribe (43101) fails for good, with that reason, and is never retried.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator
from sqlalchemy.orm import Session

from models.notifications.common import Body, Code, Text
from models.notifications.template_data import (
    ProblemList,
    TemplateWords,
    as_text,
    data_problems,
    find_named_template,
    wrap_bare_values,
)
from models.notifications.wechat_template import DataKey, Openid
from models.wechat.subscribe_rules import value_problem
from models.wechat.subscribe_templates import WeChatSubscribeTemplate, find_subscribe_template

Page = Annotated[str, Field(min_length=1, max_length=1024)]


class DataValue(Body):
    value: str

    _text = field_validator("value", mode="before")(classmethod(lambda cls, value: as_text(value)))


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

    _bare_values = field_validator("data", mode="before")(classmethod(lambda cls, value: wrap_bare_values(value)))

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


#: How this kind's problems name its templates (each account has its own).
WORDS = TemplateWords("subscription template", "POST /api/v1/wechat/subscribe-templates/sync", " of this account")


def resolve_subscribe_template(session: Session, app: str, message: _SubscribeMessage,
                               account: str = "default") -> ProblemList:
    """Find the message's template among ``account``'s ``app``'s (``oa`` or ``applet``), check ``data`` against its
    keys and their rules; fills in the template's id and code and ``msgtype``. Returns every problem found."""
    def by_code(code: str) -> WeChatSubscribeTemplate | None:
        found = find_subscribe_template(session, app, code=code, account=account)
        return found if found is not None and found.app == app else None

    template, problems = find_named_template(
        message.template_id, message.template_code, WORDS,
        by_id=lambda template_id: find_subscribe_template(session, app, template_id=template_id, account=account),
        by_code=by_code)
    if template is None:
        return problems
    problems += data_problems(template, {key: entry.value for key, entry in message.data.items()}, value_problem)
    message.msgtype = "subscribe"
    message.template_id = template.template_id
    message.template_code = template.code
    return problems


def platform_body(message: dict[str, Any]) -> dict[str, Any]:
    """The recorded message as the platform takes it (our ``msgtype`` and ``template_code`` left out)."""
    return {k: v for k, v in message.items() if k not in ("msgtype", "template_code") and v is not None}
