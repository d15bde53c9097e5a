"""``record_inbound``: drain the inbound inbox into the database, then fan out to the webhooks that want it.

WeChat's report on a template message (TEMPLATESENDJOBFINISH) is applied to its delivery record on the way;
one that arrives before the worker recorded the msgid is tried again by ``apply_template_report``. The report on a
mass send (MASSSENDJOBFINISH) is applied to its mass-send row alike; one that beats the job recording the msg_id
stays in the inbound records, which the job joins when it records the msg_id, and is tried again by
``apply_mass_report`` (for the two transactions that miss each other).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import DataError

from core import tasks
from core.inbox import REPLY, drain
from core.log_context import log_ids
from core.retry import RetryPolicy
from models.inbound import note_reply, store_inbound
from models.notifications.reports import Applied
from models.notifications.reports import apply_template_report as apply_report
from models.webhooks import outcome_deliveries, pending_deliveries
from models.wechat.mass_sends import apply_mass_report
from platforms.errors import MessageFormatError
from platforms.wechat import parse_message
from platforms.wechat.messages import TemplateSendJobFinishEvent
from workers.actors.declaration import ActorDef
from workers.actors.webhooks import send_delivery
from workers.context import ActorContext

log = logging.getLogger(f"imbridge.{__name__}")

#: When another drainer holds the inbox, look again after this long (milliseconds).
BUSY_RETRY_MS = 500
#: A template report whose delivery is not recorded yet is tried again after 5 s, 1 min and 10 min; a msgid
#: still unknown after the last is another system's send on the same account. A fixed schedule, no jitter:
#: reports are few, and spread by when they arrive.
REPORT_RETRY = RetryPolicy.schedule(5, 60, 600)


def record_inbound(context: ActorContext) -> None:
    """Store every entry the portals left in the inbox (idempotent: records are unique by dedup key)."""
    current = context.runtime

    def store(entries: list[dict[str, Any]]) -> None:
        delivery_ids: list[int] = []
        unmatched: list[tuple[str, str, str]] = []
        unmatched_mass: list[tuple[dict[str, Any], datetime, str]] = []
        with current.database.session(immediate=True) as session:  # one transaction a batch, never "locked"
            for entry in entries:
                try:
                    with log_ids(inbound=entry.get("dedup_key")), session.begin_nested():
                        if entry.get("kind") == REPLY:
                            note_reply(session, entry["dedup_key"], entry.get("reply"))
                            continue
                        delivery_ids += pending_deliveries(session, store_inbound(session, entry))
                        log.debug("inbound %s %s stored", entry.get("msg_type"), entry.get("event") or "")
                        report = template_report(entry)
                        if report:
                            applied = apply_report(session, report[0], report[1], datetime.fromisoformat(report[2]))
                            if applied is None:
                                unmatched.append(report)
                            else:
                                delivery_ids += _failed_outcome(session, applied)
                        mass = mass_report(entry)
                        if mass and not apply_mass_report(session, *mass):
                            unmatched_mass.append(mass)
                except (KeyError, TypeError, ValueError, DataError) as exc:
                    # One malformed entry must not block the inbox for every later one.
                    with log_ids(inbound=entry.get("dedup_key") if isinstance(entry, dict) else None):
                        log.error("inbound entry dropped (%s): %.500s", exc, entry)
        for delivery_id in delivery_ids:
            send_delivery(context.tasks, delivery_id)
        for msgid, status, reported_at in unmatched:
            _report_later(context, msgid, status, reported_at, 0)
        for fields, reported_at, account in unmatched_mass:
            _mass_report_later(context, fields, reported_at.isoformat(), 0, account)

    if not drain(current.redis, store):
        context.tasks.send(tasks.RECORD_INBOUND, delay_seconds=BUSY_RETRY_MS / 1000)


def apply_template_report(context: ActorContext, msgid: str, status: str, reported_at: str, tries: int) -> None:
    """Apply a TEMPLATESENDJOBFINISH report that came before its delivery's record had the msgid.

    ``tries``: the retries made before this one (the first look, on the way in, is not one).
    """
    with context.runtime.database.session() as session:
        applied = apply_report(session, msgid, status, datetime.fromisoformat(reported_at))
        callbacks = _failed_outcome(session, applied) if applied is not None else []
    for delivery_id in callbacks:
        send_delivery(context.tasks, delivery_id)
    if applied is not None:
        return
    if REPORT_RETRY.give_up(tries + 2):  # the first look and tries + 1 retries have failed
        log.info("template report for msgid %s (%s): no delivery of ours carries it", msgid, status)
    else:
        _report_later(context, msgid, status, reported_at, tries + 1)


def apply_mass_report_later(context: ActorContext, fields: dict[str, Any], reported_at: str, tries: int,
                            account: str = "default") -> None:
    """Apply a MASSSENDJOBFINISH report that came before its mass send's record had the msg_id.

    The job joins a stored report when it records the msg_id; this retry covers the two transactions missing each
    other. ``tries``: the retries made before this one; ``account``: whose portal received it.
    """
    with context.runtime.database.session() as session:
        applied = apply_mass_report(session, fields, datetime.fromisoformat(reported_at), account)
    if applied:
        return
    if REPORT_RETRY.give_up(tries + 2):
        log.info("mass-send report for msg_id %s: no mass send of ours carries it", fields.get("MsgID"))
    else:
        _mass_report_later(context, fields, reported_at, tries + 1, account)


def _mass_report_later(context: ActorContext, fields: dict[str, Any], reported_at: str, tries: int,
                       account: str = "default") -> None:
    context.tasks.send(tasks.APPLY_MASS_REPORT, fields, reported_at, tries, account,
                       delay_seconds=REPORT_RETRY.delay(tries + 1))


def _failed_outcome(session: Any, applied: Applied) -> list[int]:
    """The webhook deliveries telling a report's ``failed`` to the callbacks that want it (none unless it failed)."""
    if not applied.failed_now:
        return []
    return outcome_deliveries(session, applied.delivery_id, "failed", applied.client_id)


def _report_later(context: ActorContext, msgid: str, status: str, reported_at: str, tries: int) -> None:
    """Enqueue retry number ``tries`` (0 first) of a report after the schedule's delay for it."""
    context.tasks.send(tasks.APPLY_TEMPLATE_REPORT, msgid, status, reported_at, tries,
                       delay_seconds=REPORT_RETRY.delay(tries + 1))


def template_report(entry: dict[str, Any]) -> tuple[str, str, str] | None:
    """``(msgid, status, reported at ISO)`` when ``entry`` is WeChat's TEMPLATESENDJOBFINISH event, else None."""
    if entry.get("platform") != "wechat" or str(entry.get("event") or "").upper() != "TEMPLATESENDJOBFINISH":
        return None
    try:
        report = parse_message(entry.get("fields") or {})
    except MessageFormatError:
        return None
    if not isinstance(report, TemplateSendJobFinishEvent) or not report.template_msg_id or not report.status:
        return None
    reported_at = datetime.fromtimestamp(report.create_time, UTC)
    return report.template_msg_id[:64], report.status[:200], reported_at.isoformat()


def mass_report(entry: dict[str, Any]) -> tuple[dict[str, Any], datetime, str] | None:
    """``(fields, reported at, account)`` when ``entry`` is WeChat's MASSSENDJOBFINISH event, else None."""
    if entry.get("platform") != "wechat" or str(entry.get("event") or "").upper() != "MASSSENDJOBFINISH":
        return None
    fields = entry.get("fields") or {}
    try:
        reported_at = datetime.fromtimestamp(int(fields.get("CreateTime")), UTC)
    except (TypeError, ValueError, OverflowError):
        reported_at = datetime.now(UTC)
    return fields, reported_at, entry.get("account") or "default"


ACTORS = [
    ActorDef(tasks.RECORD_INBOUND, record_inbound, {"max_retries": 20, "min_backoff": 1000}),
    ActorDef(tasks.APPLY_TEMPLATE_REPORT, apply_template_report, {"max_retries": 5}),
    ActorDef(tasks.APPLY_MASS_REPORT, apply_mass_report_later, {"max_retries": 5}),
]
