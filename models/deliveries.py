"""Delivery records: every notification from the request to the platform's last word.

One ``deliveries`` row per notification, one ``delivery_attempts`` row per platform send. The row is written
before the message reaches the broker (the outbox: a broker outage loses nothing), and the worker moves it
through its states:

    queued -> sending -> sent
                      -> retrying -> sending -> ...  -> dead    (budget spent)
                      -> failed                                 (retrying cannot help)
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, OutboxColumns, utcnow


class Channel(enum.StrEnum):
    DINGTALK_ROBOT = "dingtalk_robot"
    WECOM_ROBOT = "wecom_robot"
    #: DingTalk work notification (asyncsend_v2).
    DINGTALK_WORK = "dingtalk_work"
    #: WeCom app message (message/send).
    WECOM_APP = "wecom_app"
    #: WeChat Official Account template message (message/template/send) to one follower.
    WECHAT_TEMPLATE = "wechat_template"
    #: WeChat Official Account customer-service message (message/custom/send), within 48 h of the follower's last.
    WECHAT_CUSTOM = "wechat_custom"
    #: WeChat Official Account subscription message (message/subscribe/bizsend) to one user who subscribed.
    WECHAT_SUBSCRIBE = "wechat_subscribe"
    #: WeChat mini-program subscription message (message/subscribe/send) to one user who subscribed.
    APPLET_SUBSCRIBE = "applet_subscribe"
    #: DingTalk enterprise robot to a group chat (v1.0 robot/groupMessages/send).
    DINGTALK_GROUP = "dingtalk_group"
    #: DingTalk enterprise robot to up to 20 members (v1.0 robot/oToMessages/batchSend).
    DINGTALK_ROBOT_USERS = "dingtalk_robot_users"
    #: WeCom app chat (appchat/send) to a chat the app created.
    WECOM_APPCHAT = "wecom_appchat"

    @property
    def is_robot(self) -> bool:
        return self in (Channel.DINGTALK_ROBOT, Channel.WECOM_ROBOT)

    @property
    def platform(self) -> str:
        if self in (Channel.WECHAT_TEMPLATE, Channel.WECHAT_CUSTOM, Channel.WECHAT_SUBSCRIBE, Channel.APPLET_SUBSCRIBE):
            return "wechat"
        dingtalk = (Channel.DINGTALK_ROBOT, Channel.DINGTALK_WORK, Channel.DINGTALK_GROUP, Channel.DINGTALK_ROBOT_USERS)
        return "dingtalk" if self in dingtalk else "wecom"


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    RETRYING = "retrying"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"

    @property
    def final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.DEAD})
#: States a worker may pick a delivery up from.
PENDING_STATUSES = frozenset({DeliveryStatus.QUEUED, DeliveryStatus.RETRYING})


class AttemptOutcome(enum.StrEnum):
    SENT = "sent"
    #: The platform was busy or unreachable; tried again later.
    RETRY = "retry"
    #: The platform's rate limit (130101, 45009): the robot is paused; does not count against the budget.
    THROTTLED = "throttled"
    #: The platform refused for good.
    FAILED = "failed"
    #: Not a send: a DingTalk OA message's status bar was set (``errmsg`` says to what).
    STATUS_SET = "status_set"
    #: Not a send: setting the status bar met a busy platform; tried again.
    STATUS_RETRY = "status_retry"
    #: Not a send: the platform refused the status bar.
    STATUS_FAILED = "status_failed"


def new_delivery_id() -> str:
    return str(uuid.uuid4())


class Delivery(OutboxColumns, Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("client_id", "idempotency_key", name="uq_deliveries_client_id_idempotency_key"),
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_deliveries_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_delivery_id)
    channel: Mapped[str] = mapped_column(String(20))
    #: The account of the channel's platform that sends it (``default``: the seed block's app).
    account: Mapped[str] = mapped_column(String(32), default="default", server_default="default")
    robot_id: Mapped[int | None] = mapped_column(ForeignKey("robots.id", ondelete="SET NULL"), default=None)
    #: The robot's code when it was sent (kept when the robot is deleted).
    robot_code: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    #: Who it goes to, for lists: the robot's code, or the recipients in short.
    target: Mapped[str] = mapped_column(String(255))
    msgtype: Mapped[str] = mapped_column(String(32))
    #: ``{"message": <platform body, media as blob ids>, "to": {...}}``.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.QUEUED.value)
    #: Platform sends made (throttled ones included).
    attempts: Mapped[int] = mapped_column(default=0)
    #: Retryable failures counted against the budget (reset by a manual retry).
    failed_attempts: Mapped[int] = mapped_column(default=0)
    #: What the platform said: msgid, task_id, invalid or failed recipients, the read-back send result.
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    #: The platform's msgid of the send, where a later report names it (WeChat's TEMPLATESENDJOBFINISH).
    platform_msgid: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    errcode: Mapped[int | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id", ondelete="SET NULL"), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    #: ``rest``, ``broker`` (a producer's message) or ``cli``.
    source: Mapped[str] = mapped_column(String(16), default="rest")
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    #: ``requested``, ``recalled`` or ``failed`` once someone asked to withdraw it.
    recall_status: Mapped[str | None] = mapped_column(String(16), default=None)
    #: The fan-out group this record is one target of (:class:`NotificationGroup`), if any.
    group_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)

    attempt_rows: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="delivery", order_by="DeliveryAttempt.number", cascade="all, delete-orphan",
        passive_deletes=True, lazy="raise")

    @property
    def status_enum(self) -> DeliveryStatus:
        return DeliveryStatus(self.status)

    def __repr__(self) -> str:
        return f"Delivery({self.id}, {self.channel}, {self.status})"


class NotificationGroup(Base):
    """One fan-out request: a message to several targets, one delivery record each (``deliveries.group_id``)."""

    __tablename__ = "notification_groups"
    __table_args__ = (
        UniqueConstraint("client_id", "idempotency_key", name="uq_notification_groups_client_id_idempotency_key"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_delivery_id)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id", ondelete="SET NULL"), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    #: How many targets (records) the group has.
    size: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def group_status(statuses: list[str]) -> str:
    """A group's overall status from its records': ``pending`` while any is not final, then ``sent`` (all sent),
    ``failed`` (none sent) or ``partial``."""
    if not statuses or any(DeliveryStatus(s) not in FINAL_STATUSES for s in statuses):
        return "pending"
    sent = sum(1 for s in statuses if s == DeliveryStatus.SENT)
    return "sent" if sent == len(statuses) else "failed" if sent == 0 else "partial"


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16))
    errcode: Mapped[int | None] = mapped_column(default=None)
    errmsg: Mapped[str | None] = mapped_column(Text, default=None)

    delivery: Mapped[Delivery] = relationship(back_populates="attempt_rows", lazy="raise")
