"""WeChat Official Account template messages (``/cgi-bin/message/template/send``) to one follower.

The message keeps the platform's fields (``touser``, ``template_id``, ``url``, ``miniprogram``, ``data``) and
adds ``template_code``: a sender may name the template by the code an operator gave it instead of the
platform's id. ``data`` values are ``{"value", "color"?}`` or a bare value. The template must be known locally
(synced) and enabled, and ``data`` must fill exactly its ``{{key.DATA}}`` placeholders: a missing key would
render as a blank line, an unknown one is silently dropped by the platform, so both are a 422 here.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

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
from models.wechat.templates import find_wechat_template

Openid = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
DataKey = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]


class DataField(Body):
    value: str
    color: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$")

    _text = field_validator("value", mode="before")(classmethod(lambda cls, value: as_text(value)))


class MiniProgram(Body):
    appid: Text
    pagepath: str | None = None


class TemplateMessage(Body):
    #: Always ``template``; set when the request is accepted.
    msgtype: Literal["template"] | None = None
    touser: Openid
    template_id: str | None = Field(default=None, min_length=1, max_length=128)
    template_code: Code | None = None
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    miniprogram: MiniProgram | None = None
    #: The platform sends one message per (openid, client_msg_id): retries of a lost answer do not repeat it.
    client_msg_id: str | None = Field(default=None, min_length=1, max_length=64)
    data: dict[DataKey, DataField]

    _bare_values = field_validator("data", mode="before")(classmethod(lambda cls, value: wrap_bare_values(value)))

    @model_validator(mode="after")
    def _template(self) -> TemplateMessage:
        if self.template_id is None and self.template_code is None:
            raise ValueError("name the template: template_code (ours) or template_id (the platform's)")
        return self


#: How this kind's problems name its templates.
WORDS = TemplateWords("WeChat template", "POST /api/v1/wechat/templates/sync")


def resolve_template(session: Session, message: TemplateMessage, account: str = "default") -> ProblemList:
    """Find the message's template among ``account``'s and check ``data`` against its placeholders; fills in the
    template's id and code, ``msgtype`` and a ``client_msg_id``. Returns every problem found."""
    template, problems = find_named_template(
        message.template_id, message.template_code, WORDS,
        by_id=lambda template_id: find_wechat_template(session, template_id=template_id, account=account),
        by_code=lambda code: find_wechat_template(session, code=code, account=account))
    if template is None:
        return problems
    problems += data_problems(template, {key: entry.value for key, entry in message.data.items()})
    # Assignments mark the fields as set, so they are kept in the record's payload.
    message.msgtype = "template"
    message.template_id = template.template_id
    message.template_code = template.code
    if message.client_msg_id is None:
        message.client_msg_id = uuid.uuid4().hex
    return problems
