"""``POST /api/v1/notifications/batch``: many notifications in one request, all accepted or none.

For producers that send in bulk: one request, one transaction and one commit instead of one each. Every item is
validated before anything is written; one invalid item is a 422 that lists the problems of every item (each
field path starts with the item's index, ``notifications.3.message.text.content``) and records nothing. An item's
``idempotency_key`` means what the single endpoint's ``Idempotency-Key`` header means (the same keys, per API
key): a repeat answers with the first record and is not validated or sent again, also when the repeat is in the
same batch. The records are committed before any message reaches the broker; a broker that refuses leaves the
rest to the scheduler's outbox sweep, as for a single notification.
"""

from __future__ import annotations

import functools
from typing import Any

import falcon

from core.runtime import Runtime
from core.tasks import Tasks
from ingress.bodies import read_json
from ingress.errors import ApiError, unprocessable
from ingress.resources.notifications import enqueue_or_leave, idempotency_key_problem
from models import Scope
from models.base import utcnow
from models.notifications import REQUEST_ADAPTER, RequestInvalid
from models.notifications.intake import Accepted, IntakeRules, find_keyed, prepare, record_many

#: The item field that carries an item's idempotency key (the single endpoint takes it as a header).
KEY_FIELD = "idempotency_key"

_ACCEPTED_ITEM = {"type": "object", "properties": {"id": {"type": "string"}, "status": {"type": "string"}}}


def batch_schema(max_items: int) -> dict[str, Any]:
    """The request body's JSON Schema: the single endpoint's request per item, plus an optional key."""
    item = REQUEST_ADAPTER.json_schema()
    keyed = {"allOf": [{"$ref": "#/$defs/NotificationRequest"}],
             "properties": {KEY_FIELD: {"type": "string", "minLength": 1, "maxLength": 200,
                                        "description": "as the Idempotency-Key header of POST /api/v1/notifications"}}}
    defs = item.pop("$defs", {})
    defs["NotificationRequest"] = item
    return {"type": "object", "required": ["notifications"], "additionalProperties": False,
            "properties": {"notifications": {"type": "array", "minItems": 1, "maxItems": max_items,
                                             "items": keyed}},
            "$defs": defs}


def _items(data: Any, max_items: int) -> list[Any]:
    if not isinstance(data, dict):
        raise unprocessable("the batch is not valid", [{"field": "body", "type": "type_error",
                                                        "message": "a JSON object is expected"}])
    problems = [{"field": name, "type": "extra_forbidden", "message": "unknown field"}
                for name in data if name != "notifications"]
    items = data.get("notifications")
    if not isinstance(items, list) or not items:
        problems.append({"field": "notifications", "type": "value_error",
                         "message": "a list of 1 or more notifications is expected"})
    if problems:
        raise unprocessable("the batch is not valid", problems)
    if len(items) > max_items:
        raise ApiError(falcon.HTTP_413, f"{len(items)} notifications in one batch; at most {max_items}",
                       code="batch_too_large", params={"count": len(items), "max_items": max_items})
    return items


def _item_field(index: int, field: str) -> str:
    """``message.text.content`` of item 3 is ``notifications.3.message.text.content``; its ``body`` is the item."""
    return f"notifications.{index}" if field == "body" else f"notifications.{index}.{field}"


class NotificationBatch:
    scope = Scope.NOTIFY

    def __init__(self, runtime: Runtime, tasks: Tasks) -> None:
        self.database = runtime.database
        self.tasks = tasks
        self.rules = IntakeRules.from_settings(runtime.settings, runtime.accounts.settings_of)
        self.max_body = runtime.settings.ingress.max_body_bytes
        self.max_items = runtime.settings.ingress.max_batch_notifications

    @functools.cached_property
    def openapi(self) -> dict[str, Any]:
        """Built when /openapi.json is first read: the item schema takes pydantic 0.2 s to make, on every start."""
        return {"post": {
            "summary": f"Accept 1 to {self.max_items} notifications at once: all validated, recorded and queued, "
                       "or none",
            "body": batch_schema(self.max_items),
            "example": {"notifications": [
                {"channel": "dingtalk_robot", "robot": "ops", "message": {"msgtype": "text", "text": {"content": "a"}}},
                {"channel": "wecom_app", "to": {"users": ["zhangsan"]},
                 "message": {"msgtype": "text", "text": {"content": "b"}}}]},
            "responses": {"202": ("accepted, in request order", {
                "type": "object", "properties": {"notifications": {"type": "array", "items": _ACCEPTED_ITEM}}}),
                "413": "more notifications than the batch limit",
                "422": "an item is invalid; every problem of every item, nothing recorded"}}}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        items = _items(read_json(req, self.max_body), self.max_items)
        client_id = req.context.api_client.id
        keys: list[str | None] = []
        problems: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            key = item.get(KEY_FIELD) if isinstance(item, dict) else None
            if key is not None and (found := idempotency_key_problem(key, f"notifications.{index}.{KEY_FIELD}")):
                problems.append(found)
                key = None
            keys.append(key)
        answers: list[Accepted | None] = [None] * len(items)
        new: list[tuple[int, dict[str, Any], str | None]] = []
        first_of: dict[str, int] = {}
        robots: dict[tuple[str, str], Any] = {}
        with self.database.session() as session:
            known = find_keyed(session, client_id, sorted({k for k in keys if k is not None}))
            for index, (item, key) in enumerate(zip(items, keys, strict=True)):
                if key is not None and (key in known or key in first_of):
                    continue  # a repeat: answered with the first record below, never validated or sent again
                if key is not None:
                    first_of[key] = index
                body = {k: v for k, v in item.items() if k != KEY_FIELD} if isinstance(item, dict) else item
                try:
                    new.append((index, prepare(session, body, self.rules, robots, client_id=client_id), key))
                except RequestInvalid as exc:
                    problems += [{**p, "field": _item_field(index, p["field"])} for p in exc.problems]
            if problems:
                raise unprocessable("the batch is not valid; nothing was recorded", problems)
        # The rows in one short unit of their own: on SQLite a keyed row's savepoint outside a transaction would
        # commit on its own, so this unit is one (immediate) transaction, opened only once validation is done.
        recorded: list[Accepted] = []
        if new:  # (a batch of repeats only writes nothing)
            with self.database.session(immediate=True) as session:
                recorded = record_many(session, [(prepared, key) for _, prepared, key in new], client_id=client_id,
                                       enqueued_at=utcnow())
        for (index, _, _), accepted in zip(new, recorded, strict=True):
            answers[index] = accepted
        for index, key in enumerate(keys):
            if answers[index] is None and key is not None:
                answers[index] = known.get(key) or answers[first_of[key]]
        enqueue_or_leave(self.database, self.tasks, [a.id for a in recorded if a.created])
        resp.status = falcon.HTTP_202
        resp.media = {"notifications": [{"id": a.id, "status": a.status} for a in answers if a is not None]}
