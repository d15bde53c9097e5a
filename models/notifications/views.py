"""Delivery records as the API and ``imbridge send`` show them: camelCase, ISO times, never a secret."""

from __future__ import annotations

from typing import Any

from models.base import iso
from models.deliveries import Delivery, DeliveryAttempt


def attempt_view(attempt: DeliveryAttempt) -> dict[str, Any]:
    return {"number": attempt.number, "startedAt": iso(attempt.started_at), "finishedAt": iso(attempt.finished_at),
            "outcome": attempt.outcome, "errcode": attempt.errcode, "errmsg": attempt.errmsg}


def delivery_view(delivery: Delivery, history: list[DeliveryAttempt] | None = None) -> dict[str, Any]:
    payload = delivery.payload or {}
    view: dict[str, Any] = {
        "id": delivery.id, "channel": delivery.channel, "account": delivery.account, "robot": delivery.robot_code,
        "target": delivery.target,
        "msgtype": delivery.msgtype, "status": delivery.status, "attempts": delivery.attempts,
        "failedAttempts": delivery.failed_attempts, "answer": delivery.answer or {}, "errcode": delivery.errcode,
        "lastError": delivery.last_error, "idempotencyKey": delivery.idempotency_key, "source": delivery.source,
        "recallStatus": delivery.recall_status,
        "createdAt": iso(delivery.created_at), "updatedAt": iso(delivery.updated_at),
        "enqueuedAt": iso(delivery.enqueued_at), "nextAttemptAt": iso(delivery.next_attempt_at),
        "sentAt": iso(delivery.sent_at), "finishedAt": iso(delivery.finished_at),
    }
    if history is not None:
        view["message"] = payload.get("message")
        if "to" in payload:
            view["to"] = payload["to"]
        if "problems" in payload:
            view["problems"] = payload["problems"]
        view["history"] = [attempt_view(a) for a in history]
    return view


def outcome_view(delivery: Delivery, outcome: str) -> dict[str, Any]:
    """The body of an outcome callback: what reached which final status, and why (never a secret)."""
    return {"type": f"notification.{outcome}", "id": delivery.id, "status": outcome, "channel": delivery.channel,
            "account": delivery.account, "robot": delivery.robot_code, "target": delivery.target,
            "msgtype": delivery.msgtype,
            "groupId": delivery.group_id, "idempotencyKey": delivery.idempotency_key, "attempts": delivery.attempts,
            "errcode": delivery.errcode, "lastError": delivery.last_error, "answer": delivery.answer or {},
            "createdAt": iso(delivery.created_at), "sentAt": iso(delivery.sent_at),
            "finishedAt": iso(delivery.finished_at)}
