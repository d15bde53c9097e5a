"""``/api/v1/wechat/subscribe-templates`` and the subscription messages (admin scope).

The templates of the Official Account (``account: oa``) and of the mini-program (``account: applet``) come from
the sync (a job); ``code``, ``name`` and ``enabled`` are edited here. ``POST /api/v1/wechat/subscribe-messages``
and ``/api/v1/wechat/applet-subscribe-messages`` send one: notifications on the ``wechat_subscribe`` and
``applet_subscribe`` channels (delivery record, retries, idempotency).
"""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import select

from core.job_kinds import SUBSCRIBE_TEMPLATES_SYNC
from core.runtime import Runtime
from core.tasks import Tasks
from ingress.bodies import read_json
from ingress.errors import ApiError, unprocessable
from ingress.resources.jobs import JOB_ACCEPTED, enqueue_job, job_accepted
from ingress.resources.notifications import submit
from ingress.resources.wechat_templates import TemplateUpdate, patch_local_fields
from models import Database, Scope
from models.jobs import create_job
from models.notifications import IntakeRules
from models.notifications.wechat_subscribe import AppletSubscribeMessage, OfficialSubscribeMessage
from models.wechat.subscribe_templates import ACCOUNTS, WeChatSubscribeTemplate, subscribe_template_view


def _get(session: Any, template_id: int) -> WeChatSubscribeTemplate:
    template = session.get(WeChatSubscribeTemplate, template_id)
    if template is None:
        raise ApiError(falcon.HTTP_404, f"no subscription template {template_id}", code="not_found")
    return template


class SubscribeTemplateCollection:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "List the synced subscription templates (filters: account oa|applet, enabled)",
                       "parameters": [
                           {"name": "account", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": list(ACCOUNTS)}},
                           {"name": "enabled", "in": "query", "required": False, "schema": {"type": "boolean"}}]}}

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = select(WeChatSubscribeTemplate).order_by(WeChatSubscribeTemplate.id)
        account = req.get_param("account")
        if account is not None:
            if account not in ACCOUNTS:
                raise unprocessable("the query is not valid", [
                    {"field": "account", "message": f"one of {', '.join(ACCOUNTS)}", "type": "enum"}])
            query = query.where(WeChatSubscribeTemplate.account == account)
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
    openapi = {"post": {"summary": "Sync the subscription templates of the Official Account and (when configured) "
                                   "the mini-program (a job)", "responses": {"202": ("queued", JOB_ACCEPTED)}}}

    def __init__(self, database: Database, tasks: Tasks) -> None:
        self.database = database
        self.tasks = tasks

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.database.session() as session:
            job_id = create_job(session, SUBSCRIBE_TEMPLATES_SYNC).id
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
        self.rules = IntakeRules.from_settings(runtime.settings)
        self.max_body = runtime.settings.ingress.max_body_bytes
        applet = channel == "applet_subscribe"
        self.openapi = {"post": {
            "summary": (f"Send a {'mini-program' if applet else 'Official Account'} subscription message: {{touser, "
                        "template_code | template_id, data: {key: value | {value}}, page?, "
                        + ("miniprogram_state?, lang?" if applet else "miniprogram?{appid, pagepath}")
                        + f"}}; a {channel} notification"),
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                            "schema": {"type": "string"}}],
            "body": AppletSubscribeMessage if applet else OfficialSubscribeMessage,
            "example": {"touser": "oDemoFollower000000000000001", "template_code": "ticket-progress",
                        "data": _EXAMPLE_DATA, "page": "pages/ticket/detail?id=42"},
            "responses": {"202": "accepted: {id, status} (GET /api/v1/notifications/{id})",
                          "422": "invalid: unknown or missing data keys, a value breaking its key's rule, "
                                 "unknown or disabled template"}}}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        message = read_json(req, self.max_body)
        submit(self.database, self.tasks, self.rules, req, resp, {"channel": self.channel, "message": message},
               "the subscription message is not valid", _strip_message)
