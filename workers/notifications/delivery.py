"""Delivering one notification: claim the record, pace the send, send, record what happened.

The state machine of :mod:`models.deliveries`, run by the ``deliver_notification`` actor. It is idempotent: a
final record is never sent again, and a record is claimed with a conditional UPDATE (plus a lease) so two
copies of the same broker message cannot both send. Nothing here enqueues: the :class:`Result` says when to
come back, and the actor does it.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from core.retry import RetryPolicy
from models.base import as_utc, utcnow
from models.deliveries import PENDING_STATUSES, AttemptOutcome, Channel, Delivery, DeliveryStatus
from models.robots import RobotCredentials
from models.secretbox import SecretBox
from platforms.errors import Outcome, PermanentError, PlatformError, RetryLaterError
from workers.notifications import channels, records
from workers.notifications.media import MediaResolver
from workers.notifications.ratelimit import Decision, RateLimiter
from workers.notifications.robots import RobotCache, RobotUnusable
from workers.runtime import Runtime

log = logging.getLogger("imbridge.notifications")

#: A broker message arriving this much before the record's next attempt is put back to sleep.
EARLY_TOLERANCE = timedelta(seconds=0.5)
#: Query parameters whose values never reach a record or a log line.
_SECRET_PARAM = re.compile(r"\b(access_token|key|sign|secret|appsecret|corpsecret)=[^&\s\"']+", re.IGNORECASE)


@dataclass(frozen=True)
class Result:
    """What happened, and what the actor should do next."""

    #: ``sent``, ``waiting`` (rate limit or pause), ``retrying``, ``failed``, ``dead`` or ``skipped``.
    outcome: str
    detail: str = ""
    #: Enqueue the delivery again after this many seconds.
    retry_in: float | None = None
    #: DingTalk work notifications: read the send result after this many seconds.
    collect_result_in: float | None = None


@dataclass(frozen=True)
class Claimed:
    """A record this worker holds (status ``sending``) until ``lease_until``."""

    id: str
    channel: Channel
    payload: dict[str, Any]
    robot: RobotCredentials | None
    attempts: int
    failed_attempts: int
    budget_started_at: datetime
    lease_until: datetime
    previous_status: str

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.robot.token, self.robot.secret) if s] if self.robot else []



def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "****")
    return _SECRET_PARAM.sub(lambda m: f"{m.group(1)}=***", text)


class Deliverer:
    """The delivery machinery of one process (shared by its actor threads)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.database = runtime.database
        self.settings = runtime.settings.notifications
        self.policy = RetryPolicy.from_settings(self.settings)
        self.limiter = RateLimiter(runtime.redis, self.settings.rate_margin_seconds)
        self.media = MediaResolver(runtime.database, runtime.redis)
        self.robots = RobotCache(runtime.database, lambda: self.box)
        self._box: SecretBox | None = None

    @property
    def box(self) -> SecretBox:
        if self._box is None:
            self._box = SecretBox(self.runtime.settings.security.secret_key)
        return self._box

    def deliver(self, delivery_id: str) -> Result:
        claim = self._claim(delivery_id)
        if isinstance(claim, Result):
            return claim
        started = utcnow()
        clients = self.runtime.clients
        pacing = channels.Pacing()
        try:
            corp_app = clients.wecom.app_key if claim.channel is Channel.WECOM_APP else ""
            pacing = channels.pacing_for(claim.channel, claim.payload, claim.robot, self.settings, corp_app)
            message = channels.prepare(claim.channel, claim.payload["message"], claim.robot, clients, self.media)
            if pacing.needed:
                decision = self.limiter.acquire(claim.id, pacing.limits, pacing.pauses)
                if not decision.go:
                    return self._wait(claim, decision)
            started = utcnow()
            answer = channels.send(claim.channel, message, claim.payload, claim.robot, clients)
        except PlatformError as exc:
            return self._failed(claim, started, exc, pacing)
        except Exception as exc:  # a bug or an outage of ours: retried within the budget, and logged loudly
            log.exception("delivery %s: unexpected error", claim.id)
            error = RetryLaterError("imbridge", None, f"internal error: {type(exc).__name__}: {exc}")
            return self._failed(claim, started, error, pacing)
        return self._sent(claim, started, answer)

    def _claim(self, delivery_id: str) -> Claimed | Result:
        """Take the record (status ``sending``, a lease) in one conditional UPDATE, or say why not."""
        now = utcnow()
        lease_until = now + timedelta(seconds=self.settings.lease_seconds)
        with self.database.engine.begin() as connection:
            row = records.claim(connection, delivery_id, now, now + EARLY_TOLERANCE, lease_until)
        if row is None:
            return self._not_claimed(delivery_id, now)
        previous = DeliveryStatus.RETRYING.value if row.attempts else DeliveryStatus.QUEUED.value
        claim = Claimed(delivery_id, Channel(row.channel), row.payload, None, row.attempts, row.failed_attempts,
                        as_utc(row.budget_started_at) or now, lease_until, previous)
        if not claim.channel.is_robot:
            return claim
        try:
            return replace(claim, robot=self.robots.credentials(row.robot_id, row.robot_code))
        except RobotUnusable as exc:
            self._finish(claim, {"status": DeliveryStatus.FAILED.value, "last_error": str(exc),
                                 "finished_at": utcnow()})
            return Result("failed", str(exc))

    def _not_claimed(self, delivery_id: str, now: datetime) -> Result:
        with self.database.session() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None:
                return Result("skipped", "no such delivery")
            status, next_at = DeliveryStatus(delivery.status), as_utc(delivery.next_attempt_at)
        if status.final:
            return Result("skipped", f"already {status.value}")
        if status in PENDING_STATUSES and next_at is not None and next_at > now:
            # Early (a clock apart, or a second copy of the message): back to sleep until it is due.
            return Result("waiting", "early", retry_in=(next_at - now).total_seconds())
        return Result("skipped", "being sent by another worker")

    def _wait(self, claim: Claimed, decision: Decision) -> Result:
        wait = decision.wait_seconds
        self._finish(claim, {"status": claim.previous_status, "next_attempt_at": utcnow() + timedelta(seconds=wait)})
        return Result("waiting", decision.reason, retry_in=wait)

    def _sent(self, claim: Claimed, started: datetime, answer: dict[str, Any]) -> Result:
        now = utcnow()
        attempt = {"delivery_id": claim.id, "number": claim.attempts + 1, "started_at": started, "finished_at": now,
                   "outcome": AttemptOutcome.SENT.value, "errcode": None, "errmsg": None}
        values = {"status": DeliveryStatus.SENT.value, "answer": answer, "errcode": None, "last_error": None,
                  "next_attempt_at": None, "sent_at": now, "finished_at": now}
        if claim.channel is Channel.WECHAT_TEMPLATE and answer.get("msgid") is not None:
            values["platform_msgid"] = str(answer["msgid"])  # what its TEMPLATESENDJOBFINISH report will name
        self._finish(claim, values, attempt)
        collect = self.settings.send_result_delay_seconds if claim.channel is Channel.DINGTALK_WORK else None
        return Result("sent", collect_result_in=collect)

    def _failed(self, claim: Claimed, started: datetime, exc: PlatformError, pacing: channels.Pacing) -> Result:
        now = utcnow()
        errmsg = redact(exc.errmsg or str(exc), claim.secrets)
        throttled = isinstance(exc, RetryLaterError) and exc.retry_after is not None
        values: dict[str, Any] = {"errcode": exc.errcode, "last_error": errmsg}
        if exc.outcome is Outcome.PERMANENT or isinstance(exc, PermanentError):
            outcome, result = AttemptOutcome.FAILED, Result("failed", errmsg)
            values.update(status=DeliveryStatus.FAILED.value, finished_at=now)
        else:
            failed = claim.failed_attempts + (0 if throttled else 1)
            if throttled:
                # A robot's penalty is the configured one (the platform's period); other throttles wait as told.
                penalty = pacing.penalty_seconds if pacing.penalty_key else exc.retry_after or 0.0
                if pacing.penalty_key:
                    self.limiter.pause(pacing.penalty_key, penalty)
                delay = penalty * (1 + random.uniform(0, 0.1))
            else:
                delay = self.policy.delay(failed, exc.retry_after)
            next_at = now + timedelta(seconds=delay)
            reason = self.policy.give_up(failed, claim.budget_started_at, next_at)
            outcome = AttemptOutcome.THROTTLED if throttled else AttemptOutcome.RETRY
            values["failed_attempts"] = failed
            if reason:
                values.update(status=DeliveryStatus.DEAD.value, finished_at=now, last_error=f"{reason}; last: {errmsg}")
                result = Result("dead", values["last_error"])
            else:
                values.update(status=DeliveryStatus.RETRYING.value, next_attempt_at=next_at)
                result = Result("retrying", errmsg, retry_in=delay)
        attempt = {"delivery_id": claim.id, "number": claim.attempts + 1, "started_at": started, "finished_at": now,
                   "outcome": outcome.value, "errcode": exc.errcode, "errmsg": errmsg}
        self._finish(claim, values, attempt)
        log.info("delivery %s attempt %d: %s (%s)", claim.id, claim.attempts + 1, outcome.value, errmsg)
        return result

    def _finish(self, claim: Claimed, values: dict[str, Any], attempt: dict[str, Any] | None = None) -> None:
        """Write the outcome, if this worker still holds the record (its lease was not taken over)."""
        values = {**values, "lease_until": None, "updated_at": utcnow()}
        with self.database.engine.begin() as connection:
            won = records.finish(connection, claim.id, claim.lease_until, values, attempt)
        if not won:
            log.warning("delivery %s: lease lost before the outcome was recorded", claim.id)
