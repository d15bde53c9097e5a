"""WeChat Official Account template messages (``/cgi-bin/message/template/send``) to one follower.

The message keeps the platform's fields (``touser``, ``template_id``, ``url``, ``miniprogram``, ``data``) and
adds ``template_code``: a sender may name the template by the code an operator gave it instead of the
platform's id. ``data`` values are ``{"value", "color"?}`` or a bare value. The template must be known locally
(synced) and enabled, and ``data`` must fill exactly its ``{{key.DATA}}`` placeholders: a missing key would
render as a blank line, an unknown one is silently dropped by the platform, so both are a 422 here.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy.orm import Session

from models.notifications.common import Body, Code, Text
from models.wechat.templates import find_wechat_template

ProblemList = list[dict[str, str]]

Openid = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
DataKey = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]


class DataField(Body):
    value: str
    color: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$")

    @field_validator("value", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


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

    @field_validator("data", mode="before")
    @classmethod
    def _bare_values(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: v if isinstance(v, dict | BaseModel) else {"value": v} for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _template(self) -> TemplateMessage:
        if self.template_id is None and self.template_code is None:
            raise ValueError("name the template: template_code (ours) or template_id (the platform's)")
        return self


def _problem(field: str, message: str, kind: str = "value_error") -> dict[str, str]:
    return {"field": field, "message": message, "type": kind}


def resolve_template(session: Session, message: TemplateMessage, account: str = "default") -> ProblemList:
    """Find the message's template among ``account``'s and check ``data`` against its placeholders; fills in the
    template's id and code, ``msgtype`` and a ``client_msg_id``. Returns every problem found."""
    template = by_id = None
    problems: ProblemList = []
    if message.template_id is not None:
        template = by_id = find_wechat_template(session, template_id=message.template_id, account=account)
        if by_id is None:
            problems.append(_problem("message.template_id", f"no synced WeChat template '{message.template_id}' "
                                                            "(sync with POST /api/v1/wechat/templates/sync)"))
    if message.template_code is not None:
        by_code = find_wechat_template(session, code=message.template_code, account=account)
        if by_code is None:
            problems.append(_problem("message.template_code", f"no WeChat template with code "
                                                              f"'{message.template_code}'"))
        elif by_id is not None and by_code.id != by_id.id:
            problems.append(_problem("message.template_code", "names another template than template_id"))
        template = template or by_code
    if template is None or problems:
        return problems
    if not template.enabled:
        problems.append(_problem("message.template_code" if message.template_code else "message.template_id",
                                 f"the WeChat template '{template.code or template.template_id}' is disabled"))
    keys = template.keys
    for key in message.data:
        if key not in keys:
            problems.append(_problem(f"message.data.{key}", f"not a key of template '{template.name}' "
                                                            f"(its keys: {', '.join(keys) or 'none'})", "unknown_key"))
    for key in keys:
        if key not in message.data:
            problems.append(_problem(f"message.data.{key}", f"template '{template.name}' needs a value for {key}",
                                     "missing"))
    # Assignments mark the fields as set, so they are kept in the record's payload.
    message.msgtype = "template"
    message.template_id = template.template_id
    message.template_code = template.code
    if message.client_msg_id is None:
        message.client_msg_id = uuid.uuid4().hex
    return problems
