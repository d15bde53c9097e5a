"""``/api/v1/wechat/templates``: the account's private templates (admin scope).

The platform's fields come from the sync (a job, on demand here and on the scheduler's interval); the local
fields (``code``, ``name``, ``enabled``) are edited here. ``POST /api/v1/wechat/template-messages`` sends one:
it is a notification on the ``wechat_template`` channel (delivery record, retries, idempotency).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import falcon
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from config.settings import DEFAULT_ACCOUNT
from core.accounts import Accounts
from core.job_kinds import TEMPLATES_SYNC
from core.runtime import Runtime
from core.tasks import Tasks
from ingress.bodies import read_json, read_model
from ingress.errors import ApiError, unprocessable
from ingress.resources.accounts import ACCOUNT_PARAMETER, query_account
from ingress.resources.jobs import JOB_ACCEPTED, enqueue_job, job_accepted
from ingress.resources.notifications import submit
from models import Database, Scope
from models.base import utcnow
from models.jobs import create_job
from models.notifications import IntakeRules
from models.notifications.common import Code
from models.notifications.wechat_template import TemplateMessage
from models.wechat.templates import WeChatTemplate, wechat_template_view

log = logging.getLogger(f"imbridge.{__name__}")


class TemplateUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: How senders name the template; null removes it.
    code: Code | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100)
    enabled: bool | None = None


def _get(session: Any, template_id: int) -> WeChatTemplate:
    template = session.get(WeChatTemplate, template_id)
    if template is None:
        raise ApiError(falcon.HTTP_404, f"no WeChat template {template_id}", code="not_found")
    return template


def patch_local_fields(req: falcon.Request, database: Database, load: Callable[[Any], Any],
                       view: Callable[[Any], dict[str, Any]], what: str) -> dict[str, Any]:
    """Apply a PATCH of a synced template's local fields (code, name, enabled) to the row ``load`` finds; its view.

    Every kind of synced template (private templates, subscription templates) keeps these three fields, with the
    same rules: ``name`` and ``enabled`` cannot be null, a code another row has is a 409.
    """
    body = read_model(req, TemplateUpdate)
    nulls = [name for name in ("name", "enabled") if name in body.model_fields_set and getattr(body, name) is None]
    if nulls:
        raise unprocessable("the request is not valid", [
            {"field": name, "message": "cannot be null", "type": "value_error"} for name in nulls])
    try:
        with database.session() as session:
            template = load(session)
            for name in body.model_fields_set:
                setattr(template, name, getattr(body, name))
            template.updated_at = utcnow()
            session.flush()
            return view(template)
    except IntegrityError as exc:
        raise ApiError(falcon.HTTP_409, f"another {what} has the code '{body.code}'", code="conflict") from exc


class WeChatTemplateCollection:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "List an account's synced private templates (filter: enabled)", "parameters": [
        {"name": "enabled", "in": "query", "required": False, "schema": {"type": "boolean"}}, ACCOUNT_PARAMETER]}}

    def __init__(self, database: Database, accounts: Accounts | None = None) -> None:
        self.database = database
        self.accounts = accounts

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts) if self.accounts is not None else DEFAULT_ACCOUNT
        query = select(WeChatTemplate).where(WeChatTemplate.account == account).order_by(WeChatTemplate.id)
        enabled = req.get_param_as_bool("enabled")
        if enabled is not None:
            query = query.where(WeChatTemplate.enabled.is_(enabled))
        with self.database.session() as session:
            resp.media = {"items": [wechat_template_view(t) for t in session.scalars(query)]}


class WeChatTemplateItem:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "One synced template"},
               "patch": {"summary": "Change the local fields (code, name, enabled); omitted fields stay",
                         "body": TemplateUpdate,
                         "example": {"code": "login", "enabled": True},
                         "responses": {"200": "changed", "409": "the code is taken"}}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response, template_id: int) -> None:
        with self.database.session() as session:
            resp.media = wechat_template_view(_get(session, template_id))

    def on_patch(self, req: falcon.Request, resp: falcon.Response, template_id: int) -> None:
        resp.media = patch_local_fields(req, self.database, lambda session: _get(session, template_id),
                                        wechat_template_view, "WeChat template")


class WeChatTemplateSync:
    scope = Scope.ADMIN
    needs_platform = {"POST": "wechat"}
    openapi = {"post": {"summary": "Sync an account's private templates from the platform (a job): insert new, "
                                   "update changed, delete those gone", "parameters": [ACCOUNT_PARAMETER],
                        "responses": {"202": ("queued", JOB_ACCEPTED)}}}

    def __init__(self, database: Database, tasks: Tasks, accounts: Accounts | None = None) -> None:
        self.database = database
        self.tasks = tasks
        self.accounts = accounts

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = query_account(req, self.accounts) if self.accounts is not None else DEFAULT_ACCOUNT
        with self.database.session() as session:
            job_id = create_job(session, TEMPLATES_SYNC, account=account).id
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id)


def _strip_message(problems: list[dict[str, str]]) -> list[dict[str, str]]:
    """The details as this route's body has them: ``data.keyword1``, not ``message.data.keyword1``."""
    return [{**p, "field": "body" if p["field"] == "message" else p["field"].removeprefix("message.")}
            for p in problems]


class TemplateMessageCollection:
    scope = Scope.ADMIN
    openapi = {"post": {
        "summary": "Send a template message to a follower: {touser, template_code | template_id, data: {key: value |"
                   " {value, color}}, url?, miniprogram?{appid, pagepath}}; a wechat_template notification",
        "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}},
                       ACCOUNT_PARAMETER],
        "body": TemplateMessage,
        "example": {"touser": "oDemoFollower000000000000001", "template_code": "login",
                    "data": {"first": "登录提醒", "keyword1": "admin", "keyword2": "10:00",
                             "remark": "如非本人操作请修改密码"}},
        "responses": {"202": "accepted: {id, status} (GET /api/v1/notifications/{id})",
                      "422": "invalid: unknown or missing data keys, unknown or disabled template"}}}

    def __init__(self, runtime: Runtime, tasks: Tasks) -> None:
        self.database = runtime.database
        self.tasks = tasks
        self.rules = IntakeRules.from_settings(runtime.settings, runtime.accounts.settings_of)
        self.max_body = runtime.settings.ingress.max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        message = read_json(req, self.max_body)
        request: dict[str, Any] = {"channel": "wechat_template", "message": message}
        if req.get_param("account"):
            request["account"] = req.get_param("account")
        submit(self.database, self.tasks, self.rules, req, resp, request, "the template message is not valid",
               _strip_message)
