"""``/api/v1/notification-groups``: one message to several targets (fan-out), followed as one group.

``POST`` takes the targets and the message (:mod:`models.notifications.fanout`), validates every target's
request before anything is written (a 422 names ``targets.<index>.<field>``), then records the group and one
delivery record per target in one transaction and enqueues them: 202 with the group. An ``Idempotency-Key``
(per API key) names the group: a repeat answers 200 with the first group, nothing recorded or sent again.
``GET`` on a group shows each target's status and the overall one (``pending``, ``sent``, ``partial``,
``failed``).
"""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.runtime import Runtime
from core.tasks import Tasks
from ingress.bodies import read_json
from ingress.errors import ApiError, unprocessable
from ingress.resources.notifications import IDEMPOTENCY_PARAMETER, enqueue_or_leave, idempotency_key_header
from models import Scope
from models.base import iso, utcnow
from models.deliveries import Delivery, NotificationGroup, group_status, new_delivery_id
from models.notifications import IntakeRules, RequestInvalid
from models.notifications.fanout import GroupRequest, expand
from models.notifications.intake import prepare, record_many

_GROUP = {"type": "object", "properties": {
    "id": {"type": "string"}, "status": {"enum": ["pending", "sent", "partial", "failed"]},
    "size": {"type": "integer"}, "counts": {"type": "object"},
    "notifications": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "channel": {"type": "string"}, "target": {"type": "string"},
        "status": {"type": "string"}}}}}}


def group_view(session: Session, group: NotificationGroup) -> dict[str, Any]:
    rows = session.execute(select(Delivery.id, Delivery.channel, Delivery.robot_code, Delivery.target,
                                  Delivery.status, Delivery.last_error)
                           .where(Delivery.group_id == group.id).order_by(Delivery.created_at, Delivery.id)).all()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return {"id": group.id, "status": group_status([row.status for row in rows]), "size": group.size,
            "counts": counts, "createdAt": iso(group.created_at),
            "notifications": [{"id": r.id, "channel": r.channel, "robot": r.robot_code, "target": r.target,
                               "status": r.status, "lastError": r.last_error} for r in rows]}


def _field(index: int, field: str) -> str:
    return f"targets.{index}" if field == "body" else f"targets.{index}.{field}"


class NotificationGroups:
    scope = Scope.NOTIFY

    def __init__(self, runtime: Runtime, tasks: Tasks) -> None:
        self.database = runtime.database
        self.tasks = tasks
        self.rules = IntakeRules.from_settings(runtime.settings, runtime.accounts.settings_of)
        self.max_body = runtime.settings.ingress.max_body_bytes
        self.openapi = {"post": {
            "summary": "Send one message to several targets (fan-out): one group, one record per target",
            "parameters": [IDEMPOTENCY_PARAMETER], "body": GroupRequest,
            "example": {"targets": [{"channel": "dingtalk_robot", "robot": "ops"},
                                    {"channel": "wecom_robot", "robot": "ops"},
                                    {"channel": "wecom_app", "to": {"users": ["zhangsan"]}}],
                        "message": {"format": "markdown", "title": "Deploy", "text": "**crm** 已上线 / is live"}},
            "responses": {"202": ("accepted: the group", _GROUP), "200": ("the first group of this Idempotency-Key",
                                                                         _GROUP),
                          "422": "a target is invalid; every problem, nothing recorded"}}}

    def _find(self, session: Session, client_id: int, key: str | None) -> NotificationGroup | None:
        if key is None:
            return None
        return session.scalars(select(NotificationGroup).where(NotificationGroup.client_id == client_id,
                                                               NotificationGroup.idempotency_key == key)).first()

    def _replay(self, resp: falcon.Response, session: Session, group: NotificationGroup) -> None:
        resp.media = group_view(session, group)
        resp.status = falcon.HTTP_200
        resp.set_header("Idempotent-Replayed", "true")

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        key = idempotency_key_header(req)
        data = read_json(req, self.max_body)
        client_id = req.context.api_client.id
        with self.database.session() as session:
            if (found := self._find(session, client_id, key)) is not None:
                self._replay(resp, session, found)
                return
            try:
                requests, problems = expand(data)
            except RequestInvalid as exc:
                raise unprocessable("the group is not valid", exc.problems) from exc
            prepared, robots = [], {}
            for index, request in enumerate(requests):
                if request is None:
                    continue
                try:
                    prepared.append(prepare(session, request, self.rules, robots, client_id=client_id))
                except RequestInvalid as exc:
                    problems += [{**p, "field": _field(index, p["field"])} for p in exc.problems]
            if problems:
                raise unprocessable("the group is not valid; nothing was recorded", problems)
        group_id = new_delivery_id()
        try:
            with self.database.session(immediate=True) as session:
                session.add(NotificationGroup(id=group_id, client_id=client_id, idempotency_key=key,
                                              size=len(prepared)))
                session.flush()
                accepted = record_many(session, [({**p, "group_id": group_id}, None) for p in prepared],
                                       client_id=client_id, enqueued_at=utcnow())
        except IntegrityError:
            # The same key won a race with this request a moment ago: answer with that group.
            with self.database.session() as session:
                found = self._find(session, client_id, key)
                if found is None:
                    raise
                self._replay(resp, session, found)
                return
        enqueue_or_leave(self.database, self.tasks, [a.id for a in accepted])
        with self.database.session() as session:
            group = session.get(NotificationGroup, group_id)
            resp.media = group_view(session, group)
        resp.status = falcon.HTTP_202


class NotificationGroupItem:
    scope = Scope.NOTIFY
    openapi = {"get": {"summary": "A fan-out group: each target's status and the overall one",
                       "responses": {"200": ("the group", _GROUP), "404": "no such group (of this API key)"}}}

    def __init__(self, runtime: Runtime) -> None:
        self.database = runtime.database

    def on_get(self, req: falcon.Request, resp: falcon.Response, group_id: str) -> None:
        client = req.context.api_client
        with self.database.session() as session:
            group = session.get(NotificationGroup, group_id)
            if group is None or (client.scope != Scope.ADMIN and group.client_id != client.id):
                raise ApiError(falcon.HTTP_404, f"no notification group {group_id}", code="not_found")
            resp.media = group_view(session, group)
