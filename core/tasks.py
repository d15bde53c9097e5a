"""The task interface: what goes on the broker, by name, from any process.

Each :class:`Task` is a queue and an actor name, defined once here. Producers (the ingress, the scheduler, the
actors themselves for what comes next) send through :class:`Tasks` on a broker handed to them; ``workers``
declares its actors under the same names (:mod:`workers.actors`). So no producer imports an actor, and no actor
has to be bound to a global broker before anything can be sent.

Example::

    tasks = Tasks.from_settings(settings)
    tasks.deliver_notification(delivery_id)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from config import Settings
from core.broker import broker_from_settings


@dataclass(frozen=True)
class Task:
    """One kind of message: the queue it waits on and the actor that runs it."""

    queue: str
    actor: str


#: ``ping(ping_id)``: proves the loop ingress -> broker -> worker (see :mod:`core.ping`).
PING = Task("default", "ping")
#: ``record_inbound()``: drain the inbound inbox into the database (see :mod:`core.inbox`).
RECORD_INBOUND = Task("inbound", "record_inbound")
#: ``apply_template_report(msgid, status, reported_at, tries)``: a template report that came before its record.
APPLY_TEMPLATE_REPORT = Task("inbound", "apply_template_report")
#: ``apply_mass_report(fields, reported_at, tries[, account])``: a mass-send report that came before its record's
#: msg_id (``account``: whose portal received it).
APPLY_MASS_REPORT = Task("inbound", "apply_mass_report")
#: ``deliver_webhook(delivery_id)``: POST one inbound record to one subscriber.
DELIVER_WEBHOOK = Task("webhooks", "deliver_webhook")
#: ``mint_login_codes(count[, deadline[, account]])``: fill the QR-login pool (see :func:`core.login.request_mint`).
MINT_LOGIN_CODES = Task("login", "mint_login_codes")
#: ``exchange_applet_code(exchange_id, code, deadline[, account])``: a mini-program login's ``jscode2session``.
EXCHANGE_APPLET_CODE = Task("login", "exchange_applet_code")
#: ``exchange_web_code(provider, state, code)``: a website sign-in's code (WeChat open platform, WeCom).
EXCHANGE_WEB_CODE = Task("login", "exchange_web_code")
#: ``submit_notification(request)``: a producer's notification; part of imbridge's contract (README).
SUBMIT_NOTIFICATION = Task("notifications", "submit_notification")
#: ``deliver_notification(delivery_id)``: one delivery step of an accepted notification.
DELIVER_NOTIFICATION = Task("notifications", "deliver_notification")
#: ``collect_send_result(delivery_id, check)``: read a DingTalk work notification's result back.
COLLECT_SEND_RESULT = Task("notifications", "collect_send_result")
#: ``recall_notification(delivery_id, attempt)``: withdraw a sent work notification.
RECALL_NOTIFICATION = Task("notifications", "recall_notification")
#: ``update_status_bar(delivery_id, value, color, attempt)``: set a sent DingTalk OA message's status bar.
UPDATE_STATUS_BAR = Task("notifications", "update_status_bar")
#: ``run_job(job_id)``: one run of an admin job (kinds in :mod:`core.job_kinds`).
RUN_JOB = Task("jobs", "run_job")
#: ``run_follow_up(name, payload)``: a portal handler's follow-up (see :mod:`core.follow_ups`).
RUN_FOLLOW_UP = Task("followups", "run_follow_up")

#: Every task imbridge's workers run.
TASKS = (PING, RECORD_INBOUND, APPLY_TEMPLATE_REPORT, DELIVER_WEBHOOK, MINT_LOGIN_CODES, EXCHANGE_APPLET_CODE,
         EXCHANGE_WEB_CODE, APPLY_MASS_REPORT,
         SUBMIT_NOTIFICATION, DELIVER_NOTIFICATION, COLLECT_SEND_RESULT, RECALL_NOTIFICATION, UPDATE_STATUS_BAR,
         RUN_JOB, RUN_FOLLOW_UP)


class Tasks:
    """Sends tasks by name on ``broker``; each method raises what the broker raises when it cannot take a message.

    Every queue is declared on the broker, so its queue counts (``/api/v1/system/status``) list them all.
    """

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker
        for queue in sorted({task.queue for task in TASKS}):
            broker.declare_queue(queue)

    @classmethod
    def from_settings(cls, settings: Settings) -> Tasks:
        """On the configured broker (:func:`core.broker.broker_from_settings`: ValueError if none)."""
        return cls(broker_from_settings(settings))

    def send(self, task: Task, *args: Any, delay_seconds: float | None = None,
             **options: Any) -> dramatiq.Message[Any]:
        """Enqueue ``task(*args)``, after ``delay_seconds`` if given; ``options`` are Dramatiq message options
        (``min_backoff``...)."""
        self.broker.declare_queue(task.queue)
        message = dramatiq.Message(queue_name=task.queue, actor_name=task.actor, args=args, kwargs={},
                                   options=options)
        delay = None if delay_seconds is None else max(int(delay_seconds * 1000), 0)
        return self.broker.enqueue(message, delay=delay)

    def send_many(self, task: Task, argument_lists: list[tuple[Any, ...]]) -> None:
        """One message of ``task`` per argument tuple; raises if the broker did not take them all.

        On Redis, in one round trip (MULTI/EXEC: all or none) instead of one script call each: the message layout
        is the one the README documents for producers without Dramatiq (``HSET <ns>:<queue>.msgs RID <json>``,
        then ``RPUSH <ns>:<queue> RID``), which Dramatiq's own enqueue writes too. Other brokers get one send each.
        """
        broker = self.broker
        if not isinstance(broker, RedisBroker):
            for arguments in argument_lists:
                self.send(task, *arguments)
            return
        messages = [dramatiq.Message(queue_name=task.queue, actor_name=task.actor, args=arguments, kwargs={},
                                     options={"redis_message_id": str(uuid.uuid4())})
                    for arguments in argument_lists]
        if not messages:
            return
        queue = f"{broker.namespace}:{task.queue}"
        for message in messages:
            broker.emit_before("enqueue", message, None)
        with broker.client.pipeline(transaction=True) as pipeline:
            pipeline.hset(f"{queue}.msgs", mapping={m.options["redis_message_id"]: m.encode() for m in messages})
            pipeline.rpush(queue, *(m.options["redis_message_id"] for m in messages))
            pipeline.execute()
        for message in messages:
            broker.emit_after("enqueue", message, None)

    # What the ingress and the scheduler send.

    def ping(self, ping_id: str) -> None:
        self.send(PING, ping_id)

    def record_inbound(self) -> None:
        self.send(RECORD_INBOUND)

    def deliver_notification(self, delivery_id: str) -> None:
        self.send(DELIVER_NOTIFICATION, delivery_id)

    def deliver_notifications(self, delivery_ids: list[str]) -> None:
        """Several deliveries in one round trip (see :meth:`send_many`)."""
        if len(delivery_ids) == 1:
            self.deliver_notification(delivery_ids[0])
        else:
            self.send_many(DELIVER_NOTIFICATION, [(delivery_id,) for delivery_id in delivery_ids])

    def recall_notification(self, delivery_id: str, attempt: int = 1) -> None:
        self.send(RECALL_NOTIFICATION, delivery_id, attempt)

    def update_status_bar(self, delivery_id: str, value: str, color: str | None, attempt: int = 1) -> None:
        self.send(UPDATE_STATUS_BAR, delivery_id, value, color, attempt)

    def run_job(self, job_id: str) -> None:
        self.send(RUN_JOB, job_id)

    def run_follow_up(self, name: str, payload: dict[str, Any]) -> None:
        self.send(RUN_FOLLOW_UP, name, payload)

    def mint_login_codes(self, count: int, deadline: float | None = None, account: str | None = None) -> None:
        """A top-up of ``count`` codes, or (with ``deadline``, epoch seconds) an on-demand mint for one request,
        into ``account``'s pool (None or ``default``: the default Official Account's, sent as before accounts)."""
        if account not in (None, "default"):
            self.send(MINT_LOGIN_CODES, count, deadline, account)
        elif deadline is None:
            self.send(MINT_LOGIN_CODES, count)
        else:
            self.send(MINT_LOGIN_CODES, count, deadline)

    def exchange_applet_code(self, exchange_id: str, code: str, deadline: float, account: str | None = None) -> None:
        """A mini-program login's exchange, with mini-program ``account``'s app (None or ``default``: the default)."""
        if account not in (None, "default"):
            self.send(EXCHANGE_APPLET_CODE, exchange_id, code, deadline, account)
        else:
            self.send(EXCHANGE_APPLET_CODE, exchange_id, code, deadline)

    def exchange_web_code(self, provider: str, state: str, code: str) -> None:
        self.send(EXCHANGE_WEB_CODE, provider, state, code)

    def close(self) -> None:
        """Close the broker's connections (a process that built its own ``Tasks``)."""
        self.broker.close()
