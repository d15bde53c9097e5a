"""``/api/v1/callbacks``: a producer subscribes to the outcomes of its own notifications (notify scope).

A callback is a webhook subscription (:mod:`models.webhooks`) that an API client owns and whose filter is
``outcome:<status>`` entries: the same table, the same signed delivery with retries (``deliver_webhook``), the
same delivery records. It hears of its own client's notifications only, and an API client sees and deletes only
its own callbacks. Operators manage every subscription under ``/api/v1/webhooks`` (admin scope).
"""

from __future__ import annotations

from typing import Any, Literal

import falcon
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from ingress.bodies import read_model
from ingress.errors import ApiError
from ingress.resources.webhooks import WebhookResource, check_url, subscription_view
from models import Scope, WebhookDelivery, WebhookSubscription
from models.webhooks import OUTCOMES, new_secret


class CallbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    url: str = Field(max_length=2048)
    outcomes: list[Literal["sent", "failed", "dead"]] = Field(default_factory=lambda: list(OUTCOMES), min_length=1)
    secret: str | None = Field(default=None, min_length=16, max_length=256,
                               description="HMAC key; omitted: a whsec_ secret is generated and shown once")

    _url = field_validator("url")(classmethod(lambda cls, v: check_url(v)))


def _callback(subscription: WebhookSubscription) -> dict[str, Any]:
    view = subscription_view(subscription)
    view["outcomes"] = [e.split(":", 1)[1] for e in subscription.events if e.startswith("outcome:")]
    del view["events"]
    return view


class _CallbackResource(WebhookResource):
    scope = Scope.NOTIFY

    @staticmethod
    def _own(session: Any, req: falcon.Request, callback_id: int) -> WebhookSubscription:
        subscription = session.get(WebhookSubscription, callback_id)
        if subscription is None or subscription.client_id != req.context.api_client.id:
            raise ApiError(falcon.HTTP_404, f"no callback with id {callback_id}", code="not_found")
        return subscription


class CallbackCollection(_CallbackResource):
    openapi = {
        "get": {"summary": "This API key's outcome callbacks (secrets masked)"},
        "post": {"summary": "Have this API key's notification outcomes (sent, failed, dead) POSTed to a URL, "
                            "signed the Standard Webhooks way", "body": CallbackCreate,
                 "example": {"name": "crm", "url": "https://crm.example.com/imbridge/outcomes",
                             "outcomes": ["failed", "dead"]},
                 "responses": {"201": "created; a generated secret is shown this once"}},
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.database.session() as session:
            rows = session.scalars(select(WebhookSubscription).where(
                WebhookSubscription.client_id == req.context.api_client.id).order_by(WebhookSubscription.id)).all()
            resp.media = {"items": [_callback(row) for row in rows]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_model(req, CallbackCreate)
        self._check_destination(body.url)
        box = self._box()
        secret = body.secret or new_secret()
        with self.database.session() as session:
            subscription = WebhookSubscription(name=body.name, url=body.url, secret_sealed=box.seal(secret),
                                               client_id=req.context.api_client.id, enabled=True)
            subscription.events = [f"outcome:{o}" for o in dict.fromkeys(body.outcomes)]
            session.add(subscription)
            session.flush()
            answer = _callback(subscription)
        if body.secret is None:
            answer["secret"] = secret
        resp.status = falcon.HTTP_201
        resp.media = answer


class CallbackItem(_CallbackResource):
    openapi = {
        "get": {"summary": "One of this API key's outcome callbacks (secret masked)"},
        "delete": {"summary": "Stop an outcome callback (its delivery records go with it)",
                   "responses": {"204": "deleted"}},
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response, callback_id: int) -> None:
        with self.database.session() as session:
            resp.media = _callback(self._own(session, req, callback_id))

    def on_delete(self, req: falcon.Request, resp: falcon.Response, callback_id: int) -> None:
        with self.database.session() as session:
            subscription = self._own(session, req, callback_id)
            session.query(WebhookDelivery).filter_by(subscription_id=subscription.id).delete()
            session.delete(subscription)
        resp.status = falcon.HTTP_204
