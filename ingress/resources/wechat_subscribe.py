"""``/api/v1/wechat/subscribe-templates`` and the subscription messages (admin scope).

The templates of an account's Official Account (``app: oa``) and mini-program (``app: applet``) come from the sync
(a job); ``code``, ``name`` and ``enabled`` are edited here. ``POST /api/v1/wechat/subscribe-messages`` and
``/api/v1/wechat/applet-subscribe-messages`` send one: notifications on the ``wechat_subscribe`` and
``applet_subscribe`` channels (delivery record, retries, idempotency). Each route takes ``?account=`` (omitted: the
default; unknown: 422 naming ``account``): the templates, codes and token are that account's.
"""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import select

from config.settings import DEFAULT_ACCOUNT
from core.accounts import Accounts
from core.job_kinds import SUBSCRIBE_TEMPLATES_SYNC
from core.runtime import Runtime
from core.tasks import Tasks
from ingress.bodies import read_json
from ingress.errors import ApiError, unprocessable
from ingress.resources.accounts import ACCOUNT_PARAMETER
from ingress.resources.jobs import JOB_ACCEPTED, enqueue_job, job_accepted
from ingress.resources.notifications import submit
from ingress.resources.wechat_templates import TemplateUpdate, patch_local_fields
from models import Database, Scope
from models.jobs import create_job
from models.notifications import IntakeRules
from models.notifications.wechat_subscribe import AppletSubscribeMessage, OfficialSubscribeMessage
from models.wechat.subscribe_templates import APP_PLATFORMS, APPS, WeChatSubscribeTemplate, subscribe_template_view


def _get(session: Any, template_id: int) -> WeChatSubscribeTemplate:
    template = session.get(WeChatSubscribeTemplate, template_id)
    if template is None:
        raise ApiError(falcon.HTTP_404, f"no subscription template {template_id}", code="not_found")
    return template


def subscribe_account(req: falcon.Request, accounts: Accounts | None) -> str:
    """The request's ``?account=`` (omitted: ``default``): a code of an Official Account or a mini-program; a 422
    naming ``account`` when neither has it."""
    code = req.get_param("account") or DEFAULT_ACCOUNT
    if accounts is not None and all(accounts.get(platform, code) is None for platform in APP_PLATFORMS.values()):
        message = f"no wechat or wechat-applet account has the code '{code}'"
        raise unprocessable(message, [{"field": "account", "message": message, "type": "not_found"}])
    return code


class SubscribeTemplateCollection:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "List an account's synced subscription templates (filters: app oa|applet, "
                                  "enabled)",
                       "parameters": [
                           {"name": "app", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": list(APPS)}},
                           {"name": "enabled", "in": "query", "required": False, "schema": {"type": "boolean"}},
                           ACCOUNT_PARAMETER]}}

    def __init__(self, database: Database, accounts: Accounts | None = None) -> None:
        self.database, self.accounts = database, accounts

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = subscribe_account(req, self.accounts)
        query = select(WeChatSubscribeTemplate).where(WeChatSubscribeTemplate.account == account) \
            .order_by(WeChatSubscribeTemplate.id)
        app = req.get_param("app")
        if app is not None:
            if app not in APPS:
                raise unprocessable("the query is not valid", [
                    {"field": "app", "message": f"one of {', '.join(APPS)}", "type": "enum"}])
            query = query.where(WeChatSubscribeTemplate.app == app)
        enabled = req.get_param_as_bool("enabled")
        if enabled is not None:
            query = query.where(WeChatSubscribeTemplate.enabled.is_(enabled))
        with self.database.session() as session:
            resp.media = {"items": [subscribe_template_view(t) for t in session.scalars(query)]}


class SubscribeTemplateItem:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "One synced subscription template"},
               "patch": {"summary": "Change the local fields (code, name, enabled); omitted fields stay",
                         "body": TemplateUpdate,
                         "example": {"code": "ticket-progress", "enabled": True},
                         "responses": {"200": "changed", "409": "the code is taken"}}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response, template_id: int) -> None:
        with self.database.session() as session:
            resp.media = subscribe_template_view(_get(session, template_id))

    def on_patch(self, req: falcon.Request, resp: falcon.Response, template_id: int) -> None:
        resp.media = patch_local_fields(req, self.database, lambda session: _get(session, template_id),
                                        subscribe_template_view, "subscription template")


class SubscribeTemplateSync:
    scope = Scope.ADMIN
    needs_platform = {"POST": "wechat"}
    openapi = {"post": {"summary": "Sync an account's subscription templates: its Official Account's and (when "
                                   "configured) its mini-program's (a job)", "parameters": [ACCOUNT_PARAMETER],
                        "responses": {"202": ("queued", JOB_ACCEPTED)}}}

    def __init__(self, database: Database, tasks: Tasks, accounts: Accounts | None = None) -> None:
        self.database = database
        self.tasks = tasks
        self.accounts = accounts

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        account = subscribe_account(req, self.accounts)
        with self.database.session() as session:
            job_id = create_job(session, SUBSCRIBE_TEMPLATES_SYNC, account=account).id
        enqueue_job(self.database, self.tasks, job_id)
        job_accepted(resp, job_id)


def _strip_message(problems: list[dict[str, str]]) -> list[dict[str, str]]:
    """The details as these routes' bodies have them: ``data.thing1``, not ``message.data.thing1``."""
    return [{**p, "field": "body" if p["field"] == "message" else p["field"].removeprefix("message.")}
            for p in problems]


_EXAMPLE_DATA = {"thing1": "打印机故障", "phrase2": "已完成", "time3": "2024-05-01 10:00"}


class SubscribeMessageCollection:
    """``POST``: one subscription message, on the channel this route was made for."""

    scope = Scope.ADMIN

    def __init__(self, runtime: Runtime, tasks: Tasks, channel: str) -> None:
        self.database = runtime.database
        self.tasks = tasks
        self.channel = channel
        self.rules = IntakeRules.from_settings(runtime.settings, runtime.accounts.settings_of)
        self.max_body = runtime.settings.ingress.max_body_bytes
        applet = channel == "applet_subscribe"
        self.openapi = {"post": {
            "summary": (f"Send a {'mini-program' if applet else 'Official Account'} subscription message: {{touser, "
                        "template_code | template_id, data: {key: value | {value}}, page?, "
                        + ("miniprogram_state?, lang?" if applet else "miniprogram?{appid, pagepath}")
                        + f"}}; a {channel} notification"),
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                            "schema": {"type": "string"}}, ACCOUNT_PARAMETER],
            "body": AppletSubscribeMessage if applet else OfficialSubscribeMessage,
            "example": {"touser": "oDemoFollower000000000000001", "template_code": "ticket-progress",
                        "data": _EXAMPLE_DATA, "page": "pages/ticket/detail?id=42"},
            "responses": {"202": "accepted: {id, status} (GET /api/v1/notifications/{id})",
                          "422": "invalid: unknown or missing data keys, a value breaking its key's rule, "
                                 "unknown or disabled template"}}}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        message = read_json(req, self.max_body)
        request: dict[str, Any] = {"channel": self.channel, "message": message}
        if req.get_param("account"):
            request["account"] = req.get_param("account")
        submit(self.database, self.tasks, self.rules, req, resp, request, "the subscription message is not valid",
               _strip_message)
