"""Delivering one notification: claim the record, pace the send, send, record what happened.

The state machine of :mod:`models.deliveries`, run by the ``deliver_notification`` actor. It is idempotent: a
final record is never sent again, and a record is claimed from the outbox (:mod:`core.outbox`: a conditional
UPDATE plus a lease) so two copies of the same broker message cannot both send. Nothing here enqueues: the
:class:`Result` says when to come back, and the actor does it.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from config.settings import DEFAULT_ACCOUNT
from core.clients import PlatformClients
from core.metrics import NOTIFICATION_ATTEMPTS, NOTIFICATION_DELIVERY_SECONDS, NOTIFICATIONS
from core.outbox import Claim
from core.outboxes import DELIVERIES
from core.retry import RetryPolicy
from core.runtime import Runtime
from models.base import as_utc, utcnow
from models.deliveries import PENDING_STATUSES, AttemptOutcome, Channel, Delivery, DeliveryAttempt, DeliveryStatus
from models.notifications.availability import CHANNEL_ACCOUNT_PLATFORMS
from models.robots import RobotCredentials
from models.secretbox import SecretBox
from models.webhooks import outcome_deliveries
from platforms.errors import Outcome, PermanentError, PlatformError, RetryLaterError
from platforms.redaction import redact
from workers.notifications import channels
from workers.notifications.media import MediaResolver
from workers.notifications.ratelimit import Decision, RateLimiter
from workers.notifications.robots import RobotCache, RobotUnusable

log = logging.getLogger(f"imbridge.{__name__}")


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
    #: The platform said the account's quota is spent (``alert.quota``): the actor raises the alert.
    alert: PlatformError | None = None
    #: The webhook deliveries of this final outcome (outcome callbacks), written with it: the actor enqueues them.
    callbacks: tuple[int, ...] = ()


#: The columns a delivery's claim reads back.
CLAIMED_COLUMNS = ("channel", "payload", "robot_id", "robot_code", "attempts", "failed_attempts", "budget_started_at",
                   "account", "client_id")
_INSERT_ATTEMPT = insert(DeliveryAttempt.__table__)


@dataclass(frozen=True)
class Sending:
    """A delivery on its way: this worker's :class:`~core.outbox.Claim` on the record (status ``sending``), and
    what the send needs."""

    claim: Claim
    channel: Channel
    payload: dict[str, Any]
    robot: RobotCredentials | None
    attempts: int
    failed_attempts: int
    budget_started_at: datetime
    #: The account of the channel's platform that sends it.
    account: str = DEFAULT_ACCOUNT
    #: The API client that asked (None: a producer or the CLI): whose outcome callbacks hear of it.
    client_id: int | None = None

    @property
    def id(self) -> str:
        return str(self.claim.id)

    @property
    def previous_status(self) -> str:
        """The status the record is put back in when this send does not happen (paced, or paused)."""
        return DeliveryStatus.RETRYING.value if self.attempts else DeliveryStatus.QUEUED.value

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.robot.token, self.robot.secret) if s] if self.robot else []


class Deliverer:
    """The delivery machinery of one process (shared by its actor threads)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.database = runtime.database
        self.settings = runtime.settings.notifications
        self.policy = RetryPolicy.from_settings(self.settings)
        self.limiter = RateLimiter(runtime.redis, self.settings.rate_margin_seconds)
        self.media = MediaResolver(runtime.database, runtime.redis)
        self.robots = RobotCache(runtime.database, lambda: self.box, runtime.redis)
        self._box: SecretBox | None = None

    @property
    def box(self) -> SecretBox:
        if self._box is None:
            self._box = SecretBox(self.runtime.settings.security.secret_key)
        return self._box

    def deliver(self, delivery_id: str) -> Result:
        sending = self._claim(delivery_id)
        if isinstance(sending, Result):
            return sending
        started = utcnow()
        clients = self._clients(sending)
        if isinstance(clients, Result):
            return clients
        pacing = channels.Pacing()
        try:
            corp_app = channels.paced_app(sending.channel, clients)
            pacing = channels.pacing_for(sending.channel, sending.payload, sending.robot, self.settings, corp_app)
            message = channels.prepare(sending.channel, sending.payload["message"], sending.robot, clients, self.media)
            if pacing.needed:
                decision = self.limiter.acquire(sending.id, pacing.limits, pacing.pauses)
                if not decision.go:
                    return self._wait(sending, decision)
            started = utcnow()
            answer = channels.send(sending.channel, message, sending.payload, sending.robot, clients)
        except PlatformError as exc:
            return self._failed(sending, started, exc, pacing)
        except Exception as exc:  # a bug or an outage of ours: retried within the budget, and logged loudly
            log.exception("delivery %s: unexpected error", sending.id)
            error = RetryLaterError("imbridge", None, f"internal error: {type(exc).__name__}: {exc}")
            return self._failed(sending, started, error, pacing)
        return self._sent(sending, started, answer)

    def _clients(self, sending: Sending) -> PlatformClients | Result:
        """The clients of the delivery's account; a failed record when the account is gone (removed)."""
        if sending.account == DEFAULT_ACCOUNT:
            return self.runtime.clients
        platform = CHANNEL_ACCOUNT_PLATFORMS.get(sending.channel)
        if platform is None or self.runtime.accounts.get(platform, sending.account) is None:
            reason = f"no {platform or sending.channel.value} account has the code '{sending.account}' any more"
            callbacks = self._finish(sending, {"status": DeliveryStatus.FAILED.value, "last_error": reason,
                                               "finished_at": utcnow()})
            return Result("failed", reason, callbacks=callbacks)
        return self.runtime.clients.for_account(sending.account)

    def _claim(self, delivery_id: str) -> Sending | Result:
        """Take the record (status ``sending``, a lease) in one conditional UPDATE, or say why not."""
        now = utcnow()
        lease_until = now + timedelta(seconds=self.settings.lease_seconds)
        with self.database.engine.begin() as connection:
            claim = DELIVERIES.claim(connection, delivery_id, now=now, lease_until=lease_until,
                                     returning=CLAIMED_COLUMNS)
        if claim is None:
            return self._not_claimed(delivery_id, now)
        row = claim.row
        sending = Sending(claim, Channel(row.channel), row.payload, None, row.attempts, row.failed_attempts,
                          as_utc(row.budget_started_at) or now, row.account or DEFAULT_ACCOUNT, row.client_id)
        if not sending.channel.is_robot:
            return sending
        try:
            return replace(sending, robot=self.robots.credentials(row.robot_id, row.robot_code))
        except RobotUnusable as exc:
            callbacks = self._finish(sending, {"status": DeliveryStatus.FAILED.value, "last_error": str(exc),
                                               "finished_at": utcnow()})
            return Result("failed", str(exc), callbacks=callbacks)

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

    def _wait(self, sending: Sending, decision: Decision) -> Result:
        wait = decision.wait_seconds
        next_at = utcnow() + timedelta(seconds=wait)
        self._finish(sending, {"status": sending.previous_status, "next_attempt_at": next_at})
        return Result("waiting", decision.reason, retry_in=wait)

    def _sent(self, sending: Sending, started: datetime, answer: dict[str, Any]) -> Result:
        now = utcnow()
        attempt = {"delivery_id": sending.id, "number": sending.attempts + 1, "started_at": started, "finished_at": now,
                   "outcome": AttemptOutcome.SENT.value, "errcode": None, "errmsg": None}
        values = {"status": DeliveryStatus.SENT.value, "answer": answer, "errcode": None, "last_error": None,
                  "next_attempt_at": None, "sent_at": now, "finished_at": now}
        if sending.channel is Channel.WECHAT_TEMPLATE and answer.get("msgid") is not None:
            values["platform_msgid"] = str(answer["msgid"])  # what its TEMPLATESENDJOBFINISH report will name
        callbacks = self._finish(sending, values, attempt)
        collect = self.settings.send_result_delay_seconds if sending.channel is Channel.DINGTALK_WORK else None
        return Result("sent", collect_result_in=collect, callbacks=callbacks)

    def _failed(self, sending: Sending, started: datetime, exc: PlatformError, pacing: channels.Pacing) -> Result:
        now = utcnow()
        errmsg = redact(exc.errmsg or str(exc), sending.secrets)
        throttled = isinstance(exc, RetryLaterError) and exc.retry_after is not None
        values: dict[str, Any] = {"errcode": exc.errcode, "last_error": errmsg}
        if exc.outcome is Outcome.PERMANENT or isinstance(exc, PermanentError):
            outcome, result = AttemptOutcome.FAILED, Result("failed", errmsg)
            values.update(status=DeliveryStatus.FAILED.value, finished_at=now)
        else:
            failed = sending.failed_attempts + (0 if throttled else 1)
            if throttled:
                # A robot's own rate-limit code (130101, 45009) pauses the robot for the configured penalty (the
                # platform's period); other throttles (a gateway's flow control, HTTP 429) wait as told.
                robot_penalty = pacing.penalty_key is not None and exc.errcode is not None
                penalty = pacing.penalty_seconds if robot_penalty else exc.retry_after or 0.0
                if robot_penalty and pacing.penalty_key:
                    self.limiter.pause(pacing.penalty_key, penalty)
                delay = penalty * (1 + random.uniform(0, 0.1))
            else:
                delay = self.policy.delay(failed, exc.retry_after)
            next_at = now + timedelta(seconds=delay)
            reason = self.policy.give_up(failed, sending.budget_started_at, next_at)
            outcome = AttemptOutcome.THROTTLED if throttled else AttemptOutcome.RETRY
            values["failed_attempts"] = failed
            if reason:
                values.update(status=DeliveryStatus.DEAD.value, finished_at=now, last_error=f"{reason}; last: {errmsg}")
                result = Result("dead", values["last_error"])
            else:
                values.update(status=DeliveryStatus.RETRYING.value, next_attempt_at=next_at)
                result = Result("retrying", errmsg, retry_in=delay)
        attempt = {"delivery_id": sending.id, "number": sending.attempts + 1, "started_at": started, "finished_at": now,
                   "outcome": outcome.value, "errcode": exc.errcode, "errmsg": errmsg}
        result = replace(result, callbacks=self._finish(sending, values, attempt))
        log.info("delivery %s attempt %d: %s (%s)", sending.id, sending.attempts + 1, outcome.value, errmsg)
        return replace(result, alert=exc) if exc.quota else result

    def _finish(self, sending: Sending, values: dict[str, Any],
                attempt: dict[str, Any] | None = None) -> tuple[int, ...]:
        """Write the outcome (and the attempt made), if this worker still holds the record (its lease was not
        taken over); a final one with the webhook deliveries of its outcome callbacks, whose ids it returns."""
        callbacks: list[int] = []
        with self.database.engine.begin() as connection:
            won = DELIVERIES.finish(connection, sending.claim, values, count=("attempts",) if attempt else ())
            if attempt is not None:
                connection.execute(_INSERT_ATTEMPT, attempt)
            if won and DeliveryStatus(values["status"]).final:
                callbacks = outcome_deliveries(connection, sending.id, values["status"], sending.client_id,
                                               sending.account)
        if not won:
            log.warning("delivery %s: lease lost before the outcome was recorded", sending.id)
            return ()
        channel = sending.channel.value
        if attempt is not None:
            NOTIFICATION_ATTEMPTS.labels(channel, attempt["outcome"]).inc()
        finished = values.get("finished_at")
        if finished is not None:
            status = values["status"]
            NOTIFICATIONS.labels(channel, status).inc()
            NOTIFICATION_DELIVERY_SECONDS.labels(channel, status).observe(
                max(0.0, (finished - sending.budget_started_at).total_seconds()))
        return tuple(callbacks)
