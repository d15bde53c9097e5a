"""``/api/v1/notifications``: accept notifications (202), show their records, retry and recall them, and set a
DingTalk OA message's status bar.

The record is committed before the broker sees the message; if the broker is down the answer is still 202
(the record is safe, and the scheduler's outbox sweep enqueues it when the broker is back).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

import falcon
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, or_, select, update

from core.log_context import log_ids
from core.runtime import Runtime
from core.tasks import Tasks
from ingress.bodies import read_json
from ingress.bounds import MAX_PAGE
from ingress.errors import ApiError, unprocessable, validation_details
from models import Database, Scope
from models.base import utcnow
from models.deliveries import Channel, Delivery, DeliveryAttempt, DeliveryStatus
from models.notifications import REQUEST_ADAPTER, IntakeRules, RequestInvalid, accept
from models.notifications.status_bar import StatusBarRequest, status_bar_settable
from models.notifications.views import delivery_view

log = logging.getLogger(f"imbridge.{__name__}")

_ACCEPTED = {"type": "object", "properties": {"id": {"type": "string"}, "status": {"type": "string"}}}
IDEMPOTENCY_PARAMETER = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"},
                "description": "A repeat with the same key (per API key) returns the first record, sends once."}


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel | None = None
    #: The account that sends it (``default``: the seed block's app).
    account: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")
    status: DeliveryStatus | None = None
    robot: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    limit: int = Field(default=50, ge=1, le=500)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def idempotency_key_problem(key: object, field: str) -> dict[str, str] | None:
    """Why ``key`` cannot be an idempotency key (``field`` names where it came from), or None."""
    if isinstance(key, str) and 1 <= len(key) <= 200 and key.isprintable() and key.isascii():
        return None
    return {"field": field, "type": "value_error", "message": "1 to 200 printable ASCII characters"}


def idempotency_key_header(req: falcon.Request) -> str | None:
    """The request's ``Idempotency-Key`` header (None without one); a 422 when it cannot be one."""
    key = req.get_header("Idempotency-Key")
    if key is None:
        return None
    found = idempotency_key_problem(key, "Idempotency-Key")
    if found is not None:
        raise unprocessable("the request is not valid", [found])
    return key


def enqueue_or_leave(database: Database, tasks: Tasks, delivery_ids: list[str]) -> None:
    """Enqueue each new record (several in one round trip); records the broker did not take wait for the outbox
    sweep (their ``enqueued_at`` cleared, which is what the sweep looks for)."""
    if not delivery_ids:
        return
    try:
        tasks.deliver_notifications(delivery_ids)
    except Exception as exc:  # the broker is down: the records wait for the outbox sweep
        for delivery_id in delivery_ids:
            with log_ids(delivery=delivery_id):
                log.warning("notification accepted; broker unavailable (%s): left to the outbox sweep", exc)
        with database.session() as session:
            session.execute(update(Delivery).where(Delivery.id.in_(delivery_ids)).values(enqueued_at=None))
        return
    for delivery_id in delivery_ids:
        with log_ids(delivery=delivery_id):
            log.info("notification accepted and queued")


def _own(req: falcon.Request, query: Any) -> Any:
    """A notify key sees its own notifications; an admin key sees all."""
    client = req.context.api_client
    return query if client.scope == Scope.ADMIN else query.where(Delivery.client_id == client.id)


def submit(database: Database, tasks: Tasks, rules: IntakeRules, req: falcon.Request, resp: falcon.Response,
           data: Any, invalid: str, problems: Callable[[list[Any]], list[Any]] = lambda found: found) -> None:
    """Accept a notification request: record it (or find the Idempotency-Key's first record), enqueue, answer.

    202 with ``{id, status}`` for a new record, 200 with ``Idempotent-Replayed`` for a repeat, 422 listing every
    problem (an app channel whose platform is off names the keys to set). A broker that cannot take the message
    leaves the record to the scheduler's outbox sweep.
    """
    key = idempotency_key_header(req)
    with database.session() as session:
        try:
            accepted = accept(session, data, rules, client_id=req.context.api_client.id, idempotency_key=key,
                              source="rest", enqueued_at=utcnow())
        except RequestInvalid as exc:
            raise unprocessable(invalid, problems(exc.problems)) from exc
        answer = {"id": accepted.id, "status": accepted.status}
    resp.media = answer
    if not accepted.created:
        resp.status = falcon.HTTP_200
        resp.set_header("Idempotent-Replayed", "true")
        return
    enqueue_or_leave(database, tasks, [answer["id"]])
    resp.status = falcon.HTTP_202


class NotificationCollection:
    scope = Scope.NOTIFY
    openapi = {
        "post": {"summary": "Accept a notification: validated, recorded, queued", "parameters": [IDEMPOTENCY_PARAMETER],
                 "body": REQUEST_ADAPTER,
                 "example": {"channel": "dingtalk_robot", "robot": "ops",
                             "message": {"msgtype": "text", "text": {"content": "部署完成 / deploy done"}}},
                 "responses": {"202": ("accepted", _ACCEPTED), "200": ("the first record of this Idempotency-Key",
                                                                       _ACCEPTED), "422": "invalid, every reason"}},
        "get": {"summary": "List notifications (filters: channel, account, status, robot, since, until; page, limit)",
                "query": ListQuery},
    }

    def __init__(self, runtime: Runtime, tasks: Tasks) -> None:
        self.database = runtime.database
        self.tasks = tasks
        self.rules = IntakeRules.from_settings(runtime.settings, runtime.accounts.settings_of)
        self.max_body = runtime.settings.ingress.max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        submit(self.database, self.tasks, self.rules, req, resp, read_json(req, self.max_body),
               "the notification is not valid")

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        try:
            params = ListQuery.model_validate(req.params)
        except ValidationError as exc:
            raise unprocessable("the query is not valid", validation_details(exc)) from exc
        query = _own(req, select(Delivery))
        if params.channel:
            query = query.where(Delivery.channel == params.channel.value)
        if params.status:
            query = query.where(Delivery.status == params.status.value)
        if params.account:
            query = query.where(Delivery.account == params.account)
        if params.robot:
            query = query.where(Delivery.robot_code == params.robot)
        if params.since:
            query = query.where(Delivery.created_at >= _utc(params.since))
        if params.until:
            query = query.where(Delivery.created_at < _utc(params.until))
        with self.database.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            rows = session.scalars(query.order_by(Delivery.created_at.desc(), Delivery.id)
                                   .offset((params.page - 1) * params.limit).limit(params.limit)).all()
            resp.media = {"items": [delivery_view(d) for d in rows], "page": params.page, "limit": params.limit,
                          "total": total}


def _load(session: Any, req: falcon.Request, delivery_id: str) -> Delivery:
    delivery = session.scalars(_own(req, select(Delivery).where(Delivery.id == delivery_id))).one_or_none()
    if delivery is None:
        raise ApiError(falcon.HTTP_404, f"no notification {delivery_id}", code="not_found")
    return delivery


class NotificationItem:
    scope = Scope.NOTIFY
    openapi = {"get": {"summary": "One notification: status, attempts, the platform's answer"}}

    def __init__(self, runtime: Runtime) -> None:
        self.database = runtime.database

    def on_get(self, req: falcon.Request, resp: falcon.Response, delivery_id: str) -> None:
        with self.database.session() as session:
            delivery = _load(session, req, delivery_id)
            history = session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery.id)
                                      .order_by(DeliveryAttempt.number)).all()
            resp.media = delivery_view(delivery, list(history))


class NotificationRetry:
    scope = Scope.ADMIN
    openapi = {"post": {"summary": "Send a failed or dead notification again, with a fresh retry budget",
                        "responses": {"202": ("queued again", _ACCEPTED), "409": "not failed or dead"}}}

    def __init__(self, runtime: Runtime, tasks: Tasks) -> None:
        self.database = runtime.database
        self.tasks = tasks

    def on_post(self, req: falcon.Request, resp: falcon.Response, delivery_id: str) -> None:
        now = utcnow()
        with self.database.session() as session:
            delivery = _load(session, req, delivery_id)
            if delivery.status not in (DeliveryStatus.FAILED, DeliveryStatus.DEAD):
                raise ApiError(falcon.HTTP_409, f"only failed or dead notifications are retried; this one is "
                                                f"{delivery.status}", code="conflict")
            delivery.status = DeliveryStatus.RETRYING.value if delivery.attempts else DeliveryStatus.QUEUED.value
            delivery.failed_attempts = 0
            delivery.budget_started_at = now
            delivery.next_attempt_at = None
            delivery.finished_at = None
            delivery.enqueued_at = now
            answer = {"id": delivery.id, "status": delivery.status}
        try:
            self.tasks.deliver_notification(delivery_id)
        except Exception as exc:
            with log_ids(delivery=delivery_id):
                log.warning("broker unavailable for the retry (%s); left to the outbox sweep", exc)
            with self.database.session() as session:
                session.execute(update(Delivery).where(Delivery.id == delivery_id).values(enqueued_at=None))
        resp.status = falcon.HTTP_202
        resp.media = answer


class NotificationRecall:
    scope = Scope.NOTIFY
    openapi = {"post": {"summary": "Withdraw a sent work notification (dingtalk_work, wecom_app)",
                        "responses": {"202": "recall queued", "409": "not a sent work notification"}}}

    def __init__(self, runtime: Runtime, tasks: Tasks) -> None:
        self.database = runtime.database
        self.tasks = tasks

    def on_post(self, req: falcon.Request, resp: falcon.Response, delivery_id: str) -> None:
        recallable: tuple[Literal["dingtalk_work", "wecom_app"], ...] = ("dingtalk_work", "wecom_app")
        with self.database.session() as session:
            delivery = _load(session, req, delivery_id)
            if delivery.channel not in recallable or delivery.status != DeliveryStatus.SENT:
                raise ApiError(falcon.HTTP_409, "only sent work notifications (dingtalk_work, wecom_app) can be "
                                                "recalled", code="conflict")
        try:
            self.tasks.recall_notification(delivery_id)
        except Exception as exc:
            raise ApiError(falcon.HTTP_503, "the message broker is unavailable; retry shortly",
                           code="broker_unavailable", headers={"Retry-After": "5"}) from exc
        with self.database.session() as session:
            # The worker may be done already; "requested" must not overwrite its verdict.
            session.execute(update(Delivery).where(Delivery.id == delivery_id,
                                                 or_(Delivery.recall_status.is_(None),
                                                     Delivery.recall_status == "failed"))
                            .values(recall_status="requested"))
        resp.status = falcon.HTTP_202
        resp.media = {"id": delivery_id, "recallStatus": "requested"}


class NotificationStatusBar:
    scope = Scope.NOTIFY
    openapi = {"post": {"summary": "Set the status bar of a sent DingTalk OA work notification (dingtalk_work, oa); "
                                   "recorded as an attempt on it",
                        "body": StatusBarRequest, "example": {"value": "已同意", "color": "#78C06E"},
                        "responses": {"202": "update queued", "409": "not a sent dingtalk_work oa notification",
                                      "422": "invalid value or color"}}}

    def __init__(self, runtime: Runtime, tasks: Tasks) -> None:
        self.database = runtime.database
        self.tasks = tasks
        self.max_body = runtime.settings.ingress.max_body_bytes

    def on_post(self, req: falcon.Request, resp: falcon.Response, delivery_id: str) -> None:
        data = read_json(req, self.max_body)
        try:
            body = StatusBarRequest.model_validate(data if data is not None else {})
        except ValidationError as exc:
            raise unprocessable("the request is not valid", validation_details(exc)) from exc
        with self.database.session() as session:
            delivery = _load(session, req, delivery_id)
            if not status_bar_settable(delivery):
                raise ApiError(falcon.HTTP_409, "only a sent DingTalk OA work notification (channel dingtalk_work, "
                                                "msgtype oa) has a status bar", code="conflict")
        try:
            self.tasks.update_status_bar(delivery_id, body.value, body.color)
        except Exception as exc:
            raise ApiError(falcon.HTTP_503, "the message broker is unavailable; retry shortly",
                           code="broker_unavailable", headers={"Retry-After": "5"}) from exc
        resp.status = falcon.HTTP_202
        resp.media = {"id": delivery_id, "statusBar": {"value": body.value, "color": body.color},
                      "status": "requested"}
