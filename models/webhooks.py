"""Outbound webhooks: other systems subscribe to inbound traffic, and each delivery is recorded.

A subscription names a URL, the traffic it wants (an event filter) and a signing secret, stored sealed
(:mod:`models.secretbox`) because we must read it back to sign. A delivery is one inbound record for one
subscription, with its attempts and the last answer, so an operator can see what reached whom.

Event filter entries:

* ``*`` everything;
* a message type: ``text``, ``image``, ``voice``, ``video``, ``shortvideo``, ``location``, ``link``;
  ``event`` means every event;
* ``event:<name>``: one event, case-insensitive (``event:subscribe``, ``event:SCAN``, ``event:click``);
* ``outcome:sent``, ``outcome:failed``, ``outcome:dead``: a notification's final status (outcome callbacks).
  ``*`` does not select outcomes: a subscriber to inbound traffic gets no other kind of body unasked.

A subscription with a ``client_id`` is an API client's own outcome callback: it hears of that client's
notifications only. One without (an operator's) hears of every notification its filter selects.

A subscription may name accounts (``accounts``: codes such as ``default`` or ``sales``, on any platform): it then
hears only of inbound records received by those accounts and of notifications sent through them. None (the
default) is every account, the one an imbridge of one account per platform always meant.
"""

from __future__ import annotations

import base64
import enum
import json
import re
import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from config.settings import DEFAULT_ACCOUNT
from models.base import Base, utcnow
from models.deliveries import Delivery
from models.inbound import InboundRecord

#: Subscription secrets are sealed with ``SecretBox(secret_key, purpose=SECRET_PURPOSE)``.
SECRET_PURPOSE = "webhooks"
#: What a filter entry may look like.
FILTER_PATTERN = re.compile(r"^(\*|[a-z_]{1,32}|event:[A-Za-z0-9_]{1,64}|outcome:(sent|failed|dead))$")
#: The notification statuses a subscription may hear of.
OUTCOMES = ("sent", "failed", "dead")


def new_secret() -> str:
    """A generated signing secret, in the Standard Webhooks form (``whsec_`` + base64 of 32 random bytes), so
    ready-made verifiers take it as it is."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(2048))
    #: JSON list of filter entries (see the module doc).
    events_json: Mapped[str] = mapped_column(Text)
    #: The HMAC secret, sealed with ``SecretBox(purpose="webhooks")``.
    secret_sealed: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: JSON list of the account codes it hears of; None: every account.
    accounts_json: Mapped[str | None] = mapped_column(Text, default=None)
    #: The API client whose own outcome callback this is (it hears of its notifications only); None: an operator's.
    client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def events(self) -> list[str]:
        return json.loads(self.events_json)

    @events.setter
    def events(self, value: Iterable[str]) -> None:
        self.events_json = json.dumps(list(value))

    @property
    def accounts(self) -> list[str] | None:
        return json.loads(self.accounts_json) if self.accounts_json is not None else None

    @accounts.setter
    def accounts(self, value: Iterable[str] | None) -> None:
        self.accounts_json = json.dumps(list(dict.fromkeys(value))) if value is not None else None

    def hears_account(self, account: str | None) -> bool:
        """Whether this subscription hears of what ``account`` (None: the default) received or sent."""
        return hears_account(self.accounts_json, account)

    def wants(self, msg_type: str, event: str | None, account: str | None = None) -> bool:
        """Whether this subscription's filter selects a message of ``msg_type`` (and ``event``) received by
        ``account``."""
        return filter_matches(self.events, msg_type, event) and self.hears_account(account)


#: Set when the account a notification was sent through is not known yet (read only if a subscription asks).
UNKNOWN_ACCOUNT = object()


def hears_account(accounts_json: str | None, account: str | None) -> bool:
    """Whether a subscription naming ``accounts_json`` (None: every account) hears of ``account`` (None: the
    default); on the stored column, for the ORM and the Core reads alike."""
    return accounts_json is None or (account or DEFAULT_ACCOUNT) in json.loads(accounts_json)


def filter_matches(entries: Iterable[str], msg_type: str, event: str | None) -> bool:
    for entry in entries:
        if entry == "*" or entry == msg_type:
            return True
        if event and entry.startswith("event:") and entry[6:].lower() == event.lower():
            return True
    return False


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    #: The inbound record posted; None for a notification's outcome.
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id", ondelete="CASCADE"),
                                                   default=None)
    #: The notification (delivery record id) whose outcome is posted, and that outcome.
    notification_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The last HTTP status the subscriber answered (None: no answer, see ``last_error``).
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (UniqueConstraint("subscription_id", "inbound_id"),
                      Index("ix_webhook_deliveries_created_at", "created_at"),
                      Index("ix_webhook_deliveries_inbound_id", "inbound_id"))


def pending_deliveries(session: Session, record: InboundRecord) -> list[int]:
    """Create a delivery of ``record`` for every enabled subscription that wants it; the ids never attempted."""
    subscriptions = session.scalars(select(WebhookSubscription).where(WebhookSubscription.enabled.is_(True))).all()
    wanted = {s.id for s in subscriptions if s.wants(record.msg_type, record.event, record.account)}
    existing = {d.subscription_id: d for d in session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.inbound_id == record.id)).all()}
    for subscription_id in sorted(wanted - existing.keys()):
        delivery = WebhookDelivery(subscription_id=subscription_id, inbound_id=record.id)
        session.add(delivery)
        existing[subscription_id] = delivery
    session.flush()
    return [d.id for d in existing.values() if d.state == DeliveryState.PENDING and d.attempts == 0]


_SUBSCRIPTIONS = WebhookSubscription.__table__
_ENABLED_SUBSCRIPTIONS = select(_SUBSCRIPTIONS.c.id, _SUBSCRIPTIONS.c.events_json, _SUBSCRIPTIONS.c.accounts_json,
                                _SUBSCRIPTIONS.c.client_id).where(_SUBSCRIPTIONS.c.enabled.is_(True))
_INSERT_DELIVERY = WebhookDelivery.__table__.insert().returning(WebhookDelivery.__table__.c.id)


def outcome_deliveries(session: Session | Connection, notification_id: str, status: str, client_id: int | None,
                       account: str | object | None = UNKNOWN_ACCOUNT) -> list[int]:
    """Create a delivery of a notification's final ``status`` for every enabled subscription that wants it: one
    whose filter has ``outcome:<status>``, that is an operator's or ``client_id``'s, and that hears ``account``.

    Core statements, on a session or on a connection: the worker writes these in the transaction that records
    the outcome, where it also knows the notification's ``account`` (read here otherwise, if a subscription
    names accounts). Runs for every notification that ends, most often to find no subscription at all.
    """
    if status not in OUTCOMES:
        return []
    subscriptions = [s for s in session.execute(_ENABLED_SUBSCRIPTIONS)
                     if f"outcome:{status}" in json.loads(s.events_json) and s.client_id in (None, client_id)]
    if not subscriptions:
        return []
    if account is UNKNOWN_ACCOUNT and any(s.accounts_json is not None for s in subscriptions):
        account = session.execute(select(Delivery.account).where(Delivery.id == notification_id)).scalar()
    ids = []
    for s in subscriptions:
        if hears_account(s.accounts_json, account):
            inserted = session.execute(_INSERT_DELIVERY, {"subscription_id": s.id, "notification_id": notification_id,
                                                          "outcome": status})
            ids.append(inserted.scalar_one())
    return ids
