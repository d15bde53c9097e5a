"""``/api/v1/webhooks``: operators subscribe other systems to inbound traffic (admin scope).

The signing secret is write-only: it is stored sealed and every answer masks it, except the one that
creates a subscription without a secret, which shows the generated secret once (like an API key).

A URL whose host is an address (or ``localhost``) the egress policy refuses is refused here already, with a
422 naming the setting that would allow it; a host name is judged when the worker resolves it, at delivery.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any
from urllib.parse import urlsplit

import falcon
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import func, select

from config.settings import ACCOUNT_CODE_PATTERN
from core.accounts import Accounts
from core.egress import DestinationPolicy, IPNetwork
from ingress.bodies import read_model
from ingress.bounds import MAX_ROW_ID
from ingress.errors import ApiError, unprocessable
from models import Database, Scope, WebhookDelivery, WebhookSubscription
from models.base import as_utc
from models.secretbox import SecretBox
from models.webhooks import FILTER_PATTERN, SECRET_PURPOSE, DeliveryState, new_secret

#: What every answer shows instead of the secret.
MASK = "********"
DEFAULT_LIMIT, MAX_LIMIT = 50, 200


def check_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


def _check_events(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    bad = [entry for entry in value if not FILTER_PATTERN.match(entry)]
    if bad:
        raise ValueError(f"not a filter entry: {', '.join(bad)} (use '*', a MsgType, or 'event:<Event>')")
    return list(dict.fromkeys(value))


#: ``accounts`` of a subscription: the account codes it hears of (omitted or null: every account).
AccountCodes = list[Annotated[str, StringConstraints(pattern=ACCOUNT_CODE_PATTERN)]]
ACCOUNTS_DESCRIPTION = ("the account codes whose inbound traffic and notifications it hears of, on any platform "
                        "(GET /api/v1/accounts); omitted or null: every account")


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    url: str = Field(max_length=2048)
    events: list[str] = Field(min_length=1, max_length=50,
                              description="'*', a MsgType (text, image, ..., event) or 'event:<Event>'")
    secret: str | None = Field(default=None, min_length=16, max_length=256,
                               description="HMAC key; omitted: one is generated and shown once")
    enabled: bool = True
    accounts: AccountCodes | None = Field(default=None, min_length=1, max_length=50, description=ACCOUNTS_DESCRIPTION)

    _url = field_validator("url")(classmethod(lambda cls, v: check_url(v)))
    _events = field_validator("events")(classmethod(lambda cls, v: _check_events(v)))


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    url: str | None = Field(default=None, max_length=2048)
    events: list[str] | None = Field(default=None, min_length=1, max_length=50)
    secret: str | None = Field(default=None, min_length=16, max_length=256)
    enabled: bool | None = None
    #: null: every account again.
    accounts: AccountCodes | None = Field(default=None, min_length=1, max_length=50, description=ACCOUNTS_DESCRIPTION)

    _url = field_validator("url")(classmethod(lambda cls, v: check_url(v)))
    _events = field_validator("events")(classmethod(lambda cls, v: _check_events(v)))


def _iso(value: Any) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


def subscription_view(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.id, "name": subscription.name, "url": subscription.url, "events": subscription.events,
        "enabled": subscription.enabled, "accounts": subscription.accounts, "secret": MASK,
        "createdAt": _iso(subscription.created_at),
        "updatedAt": _iso(subscription.updated_at),
    }


def _delivery(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id, "inboundId": delivery.inbound_id, "state": delivery.state,
        "attempts": delivery.attempts, "lastStatus": delivery.last_status, "lastError": delivery.last_error,
        "createdAt": _iso(delivery.created_at), "lastAttemptAt": _iso(delivery.last_attempt_at),
        "deliveredAt": _iso(delivery.delivered_at),
    }


class WebhookResource:
    scope = Scope.ADMIN

    def __init__(self, database: Database, secret_key: str | None,
                 allow_networks: Iterable[IPNetwork | str] = (), accounts: Accounts | None = None) -> None:
        self.database = database
        self.secret_key = secret_key
        self.destinations = DestinationPolicy(allow_networks)
        self.accounts = accounts

    def _check_accounts(self, codes: list[str] | None) -> None:
        """422 naming ``accounts.N`` for a code no account of any platform has."""
        if codes is None or self.accounts is None:
            return
        known = {account.code for account in self.accounts.listed()}
        problems = [{"field": f"accounts.{index}", "message": f"no account has the code '{code}'",
                     "type": "not_found"} for index, code in enumerate(codes) if code not in known]
        if problems:
            raise unprocessable("; ".join(p["message"] for p in problems), problems)

    def _check_destination(self, url: str) -> None:
        host = urlsplit(url).hostname or ""
        reason = self.destinations.host_refusal(host)
        if reason:
            message = (f"the URL's host {reason}: webhooks reach public addresses only, unless "
                       "webhooks.allow-networks lists the network")
            raise unprocessable(message, [{"field": "url", "message": message, "type": "destination_refused"}])

    def _box(self) -> SecretBox:
        if not self.secret_key:
            raise ApiError(falcon.HTTP_409, "security.secret-key is not set: webhook secrets cannot be stored",
                           code="no_secret_key")
        return SecretBox(self.secret_key, SECRET_PURPOSE)

    @staticmethod
    def _get(session: Any, webhook_id: int) -> WebhookSubscription:
        subscription = session.get(WebhookSubscription, webhook_id)
        if subscription is None:
            raise ApiError(falcon.HTTP_404, f"no webhook with id {webhook_id}", code="not_found")
        return subscription


class WebhookCollection(WebhookResource):
    openapi = {
        "get": {"summary": "List webhook subscriptions (secrets masked)"},
        "post": {"summary": "Subscribe a URL to inbound traffic", "body": WebhookCreate,
                 "example": {"name": "crm", "url": "https://crm.example.com/imbridge",
                             "events": ["text", "event:subscribe"], "secret": "a-long-random-secret",
                             "accounts": ["default", "sales"]},
                 "responses": {"201": "created; a generated secret is shown this once"}},
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.database.session() as session:
            rows = session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)).all()
            resp.media = {"items": [subscription_view(row) for row in rows]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_model(req, WebhookCreate)
        self._check_destination(body.url)
        self._check_accounts(body.accounts)
        box = self._box()
        generated = body.secret is None
        secret = body.secret or new_secret()
        with self.database.session() as session:
            subscription = WebhookSubscription(name=body.name, url=body.url, secret_sealed=box.seal(secret),
                                               enabled=body.enabled)
            subscription.events = body.events
            subscription.accounts = body.accounts
            session.add(subscription)
            session.flush()
            answer = subscription_view(subscription)
        if generated:
            answer["secret"] = secret
        resp.status = falcon.HTTP_201
        resp.media = answer


class WebhookItem(WebhookResource):
    openapi = {
        "get": {"summary": "One webhook subscription (secret masked)"},
        "patch": {"summary": "Change a subscription: name, url, events, secret, enabled, accounts",
                  "body": WebhookUpdate,
                  "example": {"enabled": False}},
        "delete": {"summary": "Delete a subscription and its delivery records", "responses": {"204": "deleted"}},
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response, webhook_id: int) -> None:
        with self.database.session() as session:
            resp.media = subscription_view(self._get(session, webhook_id))

    def on_patch(self, req: falcon.Request, resp: falcon.Response, webhook_id: int) -> None:
        body = read_model(req, WebhookUpdate)
        changes = body.model_dump(exclude_unset=True)
        if any(changes.get(name) is None for name in changes if name != "accounts"):
            raise ApiError(falcon.HTTP_422, "fields cannot be set to null (but accounts: every account)",
                           code="validation_error")
        if body.url is not None:
            self._check_destination(body.url)
        self._check_accounts(body.accounts)
        sealed = self._box().seal(body.secret) if body.secret else None
        with self.database.session() as session:
            subscription = self._get(session, webhook_id)
            for name in ("name", "url", "enabled"):
                if name in changes:
                    setattr(subscription, name, changes[name])
            if "events" in changes:
                subscription.events = changes["events"]
            if "accounts" in changes:
                subscription.accounts = changes["accounts"]
            if sealed:
                subscription.secret_sealed = sealed
            session.flush()
            resp.media = subscription_view(subscription)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, webhook_id: int) -> None:
        with self.database.session() as session:
            subscription = self._get(session, webhook_id)
            session.query(WebhookDelivery).filter_by(subscription_id=subscription.id).delete()
            session.delete(subscription)
        resp.status = falcon.HTTP_204


class WebhookDeliveries(WebhookResource):
    openapi = {"get": {"summary": "A subscription's deliveries, newest first (filter: state; paged)",
                       "parameters": [
                           {"name": "state", "in": "query", "schema": {"enum": [s.value for s in DeliveryState]}},
                           {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                           {"name": "offset", "in": "query", "schema": {"type": "integer"}}]}}

    def on_get(self, req: falcon.Request, resp: falcon.Response, webhook_id: int) -> None:
        state = req.get_param("state")
        if state is not None and state not in {s.value for s in DeliveryState}:
            raise ApiError(falcon.HTTP_422, f"state must be one of {', '.join(s.value for s in DeliveryState)}",
                           code="validation_error")
        limit = req.get_param_as_int("limit", min_value=1, max_value=MAX_LIMIT) or DEFAULT_LIMIT
        offset = req.get_param_as_int("offset", min_value=0, max_value=MAX_ROW_ID) or 0
        with self.database.session() as session:
            self._get(session, webhook_id)
            conditions = [WebhookDelivery.subscription_id == webhook_id]
            if state:
                conditions.append(WebhookDelivery.state == state)
            total = session.scalar(select(func.count()).select_from(WebhookDelivery).where(*conditions))
            rows = session.scalars(select(WebhookDelivery).where(*conditions)
                                   .order_by(WebhookDelivery.id.desc()).limit(limit).offset(offset)).all()
            resp.media = {"items": [_delivery(row) for row in rows], "total": total, "limit": limit,
                          "offset": offset}
