"""After a send: reading back a DingTalk work notification's result, recalling work notifications, and setting
a DingTalk OA message's status bar (each try recorded as an attempt on the notification, numbered after its sends).

DingTalk answers ``asyncsend_v2`` with a task id and decides later who really gets the message (the same
content twice a day, for one, lands in "forbidden" although the send said ok), so the record is completed from
``getsendresult`` once the task has finished.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from config.settings import NotificationsSettings
from core.retry import RetryPolicy
from core.runtime import Runtime
from models.base import utcnow
from models.deliveries import AttemptOutcome, Channel, Delivery, DeliveryAttempt, DeliveryStatus
from models.notifications.status_bar import status_bar_settable
from platforms.errors import Outcome, PlatformError

log = logging.getLogger(f"imbridge.{__name__}")

#: getsendresult list -> our answer's name for it.
RESULT_LISTS = {"invalid_user_id_list": "invalidUsers", "forbidden_user_id_list": "forbiddenUsers",
                "failed_user_id_list": "failedUsers", "invalid_dept_id_list": "invalidDepartments"}
#: A recall that keeps meeting a busy platform is given up after this many tries.
RECALL_TRIES = 5
#: So is a status-bar update.
STATUS_BAR_TRIES = 5


@dataclass(frozen=True)
class FollowUp:
    outcome: str
    #: Come back after this many seconds (with the next check or try number).
    again_in: float | None = None


def _policy(settings: NotificationsSettings, tries: int) -> RetryPolicy:
    """The notifications' back-off, with a budget of ``tries`` (a follow-up is not bound by the send's age)."""
    return replace(RetryPolicy.from_settings(settings), max_attempts=tries, max_age_seconds=None)


def _update_answer(runtime: Runtime, delivery_id: str, changes: dict[str, Any], **values: Any) -> None:
    """Merge ``changes`` into the record's answer. The row is locked from the read to the write (FOR UPDATE; on
    SQLite the write lock up front): a send-result check and a status bar finishing together lose neither."""
    with runtime.database.session(immediate=True) as session:
        delivery = session.get(Delivery, delivery_id, with_for_update=True)
        if delivery is None:
            return
        session.execute(update(Delivery).where(Delivery.id == delivery_id).values(
            answer={**(delivery.answer or {}), **changes}, updated_at=utcnow(), **values,
        ).execution_options(synchronize_session=False))


def collect_send_result(runtime: Runtime, delivery_id: str, check: int) -> FollowUp:
    """Record who did not get a DingTalk work notification; come back while the task is still running."""
    with runtime.database.session() as session:
        delivery = session.get(Delivery, delivery_id)
        task_id = (delivery.answer or {}).get("taskId") if delivery else None
        if delivery is None or delivery.channel != Channel.DINGTALK_WORK or task_id is None:
            return FollowUp("skipped")
        account = delivery.account
    settings = runtime.settings.notifications
    notices = runtime.clients.for_account(account).dingtalk.work_notices
    try:
        progress = notices.progress(int(task_id))
        finished = int(progress.get("status", 2)) == 2
        if not finished and check < settings.send_result_checks:
            _update_answer(runtime, delivery_id, {"sendProgress": progress})
            return FollowUp("running", max(settings.send_result_delay_seconds, 1.0))
        result = notices.result(int(task_id))
    except PlatformError as exc:
        policy = _policy(settings, settings.send_result_checks)
        if exc.outcome is not Outcome.PERMANENT and not policy.give_up(check):
            return FollowUp("retrying", policy.delay(check, exc.retry_after))
        _update_answer(runtime, delivery_id, {"sendResultError": str(exc)})
        return FollowUp("failed")
    changes: dict[str, Any] = {"sendResult": result, "sendResultFinal": finished}
    for name, ours in RESULT_LISTS.items():
        if result.get(name):
            changes[ours] = [str(v) for v in result[name]]
    _update_answer(runtime, delivery_id, changes)
    return FollowUp("recorded")


def recall(runtime: Runtime, delivery_id: str, attempt: int) -> FollowUp:
    """Withdraw a sent work notification (DingTalk: by task id; WeCom: by msgid, within 24 hours)."""
    with runtime.database.session() as session:
        delivery = session.get(Delivery, delivery_id)
        if delivery is None or delivery.status != DeliveryStatus.SENT or delivery.recall_status == "recalled":
            return FollowUp("skipped")
        channel, answer = Channel(delivery.channel), dict(delivery.answer or {})
        clients = runtime.clients.for_account(delivery.account)
    try:
        if channel is Channel.DINGTALK_WORK:
            clients.dingtalk.work_notices.recall(int(answer["taskId"]))
        elif channel is Channel.WECOM_APP:
            clients.wecom.messages.recall(str(answer["msgid"]))
        else:
            return FollowUp("skipped")
    except PlatformError as exc:
        policy = _policy(runtime.settings.notifications, RECALL_TRIES)
        if exc.outcome is not Outcome.PERMANENT and not policy.give_up(attempt):
            return FollowUp("retrying", policy.delay(attempt, exc.retry_after))
        _update_answer(runtime, delivery_id, {"recallError": str(exc)}, recall_status="failed")
        log.info("recall of %s failed: %s", delivery_id, exc)
        return FollowUp("failed")
    _update_answer(runtime, delivery_id, {"recalledAt": utcnow().isoformat()}, recall_status="recalled")
    return FollowUp("recalled")


def update_status_bar(runtime: Runtime, delivery_id: str, value: str, color: str | None, attempt: int) -> FollowUp:
    """Set a sent OA message's status bar; every try is an attempt on the record, the last value in its answer."""
    with runtime.database.session() as session:
        delivery = session.get(Delivery, delivery_id)
        if delivery is None or not status_bar_settable(delivery):
            return FollowUp("skipped")
        task_id = int((delivery.answer or {})["taskId"])
        clients = runtime.clients.for_account(delivery.account)
    started = utcnow()
    what = f"status bar: {value}" + (f" ({color})" if color else "")
    try:
        clients.dingtalk.work_notices.update_status_bar(task_id, value, color)
    except PlatformError as exc:
        policy = _policy(runtime.settings.notifications, STATUS_BAR_TRIES)
        again = exc.outcome is not Outcome.PERMANENT and not policy.give_up(attempt)
        outcome = AttemptOutcome.STATUS_RETRY if again else AttemptOutcome.STATUS_FAILED
        # The answer first, the attempt last: whoever sees the attempt sees the answer it left.
        if not again:
            _update_answer(runtime, delivery_id, {"statusBarError": str(exc)})
        _record_attempt(runtime, delivery_id, started, outcome, exc.errcode, f"{what}: {exc.errmsg}")
        if again:
            return FollowUp("retrying", policy.delay(attempt, exc.retry_after))
        log.info("status bar of %s failed: %s", delivery_id, exc)
        return FollowUp("failed")
    _update_answer(runtime, delivery_id, {"statusBar": {"value": value, "color": color,
                                                        "updatedAt": utcnow().isoformat()}})
    _record_attempt(runtime, delivery_id, started, AttemptOutcome.STATUS_SET, None, what)
    return FollowUp("updated")


def _record_attempt(runtime: Runtime, delivery_id: str, started: datetime, outcome: AttemptOutcome,
                    errcode: int | None, errmsg: str) -> None:
    with runtime.database.session() as session:
        last = session.scalar(select(func.max(DeliveryAttempt.number))
                              .where(DeliveryAttempt.delivery_id == delivery_id))
        session.add(DeliveryAttempt(delivery_id=delivery_id, number=(last or 0) + 1, started_at=started,
                                    finished_at=utcnow(), outcome=outcome.value, errcode=errcode,
                                    errmsg=errmsg[:2000]))
