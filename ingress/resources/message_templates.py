"""``/api/v1/notification-templates``: named texts with ``${var}`` placeholders (admin scope).

A notification names one in ``template: {code, variables}`` and its rendered text fills the message's text
field. Placeholders are checked when a template is saved, so a broken one never reaches a send.
"""

from __future__ import annotations

from typing import Any

import falcon
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ingress.bodies import read_model
from ingress.errors import ApiError, unprocessable
from models import Database, Scope
from models.message_templates import (
    MAX_OUTPUT_BYTES,
    MessageTemplate,
    TemplateError,
    TemplateTooLarge,
    find_template,
    placeholders,
    render,
)
from models.notifications.common import Code


def _check_content(value: str | None) -> str | None:
    if value is not None:
        placeholders(value)  # raises ValueError with the reason
    return value


class TemplateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    name: str = Field(min_length=1, max_length=100)
    content: str = Field(min_length=1, max_length=20000)
    enabled: bool = True
    remark: str | None = Field(default=None, max_length=2000)

    _content = field_validator("content")(classmethod(lambda cls, v: _check_content(v)))


class TemplateUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    content: str | None = Field(default=None, min_length=1, max_length=20000)
    enabled: bool | None = None
    remark: str | None = Field(default=None, max_length=2000)

    _content = field_validator("content")(classmethod(lambda cls, v: _check_content(v)))


class RenderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variables: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


def template_view(template: MessageTemplate) -> dict[str, Any]:
    return {"id": template.id, "code": template.code, "name": template.name, "content": template.content,
            "variables": placeholders(template.content), "enabled": template.enabled, "remark": template.remark,
            "createdAt": template.created_at.isoformat(), "updatedAt": template.updated_at.isoformat()}


def _get(session: Any, code: str) -> MessageTemplate:
    template = find_template(session, code)
    if template is None:
        raise ApiError(falcon.HTTP_404, f"no message template '{code}'", code="not_found")
    return template


class TemplateCollection:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "List message templates"},
               "post": {"summary": "Add a message template", "body": TemplateCreate,
                        "example": {"code": "deploy", "name": "上线通知",
                                    "content": "${app} 已上线 / is live (${who})"},
                        "responses": {"201": "created", "409": "the code is taken"}}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.database.session() as session:
            templates = session.scalars(select(MessageTemplate).order_by(MessageTemplate.code))
            resp.media = {"items": [template_view(t) for t in templates]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_model(req, TemplateCreate)
        try:
            with self.database.session() as session:
                template = MessageTemplate(**body.model_dump())
                session.add(template)
                session.flush()
                resp.media = template_view(template)
        except IntegrityError as exc:
            raise ApiError(falcon.HTTP_409, f"a message template '{body.code}' exists", code="conflict") from exc
        resp.status = falcon.HTTP_201


class TemplateItem:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "One message template"},
               "patch": {"summary": "Change a message template; omitted fields stay", "body": TemplateUpdate,
                         "example": {"content": "${app} 已上线 / is live"}},
               "delete": {"summary": "Remove a message template", "responses": {"204": "removed"}}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response, code: str) -> None:
        with self.database.session() as session:
            resp.media = template_view(_get(session, code))

    def on_patch(self, req: falcon.Request, resp: falcon.Response, code: str) -> None:
        body = read_model(req, TemplateUpdate)
        with self.database.session() as session:
            template = _get(session, code)
            for name in body.model_fields_set:
                value = getattr(body, name)
                if value is not None or name == "remark":
                    setattr(template, name, value)
            session.flush()
            resp.media = template_view(template)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, code: str) -> None:
        with self.database.session() as session:
            session.delete(_get(session, code))
        resp.status = falcon.HTTP_204


class TemplateRender:
    scope = Scope.NOTIFY
    openapi = {"post": {"summary": "Render a message template with variables (a preview; nothing is sent)",
                        "body": RenderRequest, "example": {"variables": {"app": "crm", "who": "ci"}},
                        "responses": {"200": "the text", "422": "a variable is missing, or the text would be over "
                                                                "notifications.max-template-output-bytes"}}}

    def __init__(self, database: Database, max_output_bytes: int = MAX_OUTPUT_BYTES) -> None:
        self.database = database
        self.max_output_bytes = max_output_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response, code: str) -> None:
        body = read_model(req, RenderRequest)
        with self.database.session() as session:
            template = _get(session, code)
            try:
                resp.media = {"code": code, "text": render(template.content, body.variables, self.max_output_bytes)}
            except TemplateError as exc:
                kind = "too_long" if isinstance(exc, TemplateTooLarge) else "missing" if exc.missing else "value_error"
                raise unprocessable(str(exc), [{"field": "variables", "message": str(exc), "type": kind}]) from exc
