"""``/api/v1/apikeys``: operators list, create and revoke API keys (admin scope)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import falcon
from pydantic import BaseModel, Field

from ingress.bodies import read_model
from ingress.errors import ApiError
from models import ApiClient, Database, Scope
from models.api_clients import NameTaken, create_api_client, list_api_clients
from models.base import utcnow


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scope: Scope


def _public(client: ApiClient) -> dict[str, Any]:
    return {
        "id": client.id, "name": client.name, "scope": client.scope, "keyId": client.key_id,
        "createdAt": client.created_at.isoformat(),
        "lastUsedAt": client.last_used_at.isoformat() if client.last_used_at else None,
        "revokedAt": client.revoked_at.isoformat() if client.revoked_at else None,
    }


class ApiKeyCollection:
    scope = Scope.ADMIN
    openapi = {
        "get": {"summary": "List API keys (never the keys themselves)"},
        "post": {"summary": "Create an API key; the answer holds the key, shown this once", "body": ApiKeyCreate,
                 "responses": {"201": "created", "409": "a live key already has this name"}},
    }

    def __init__(self, database: Database) -> None:
        self.database = database

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self.database.session() as session:
            resp.media = {"items": [_public(c) for c in list_api_clients(session)]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_model(req, ApiKeyCreate)
        with self.database.session() as session:
            try:
                client, key = create_api_client(session, body.name, body.scope)
            except NameTaken as taken:
                raise ApiError(falcon.HTTP_409, str(taken), code="name_taken", details=[{"field": "name"}]) from None
            resp.media = {**_public(client), "key": key}
        resp.status = falcon.HTTP_201


class ApiKeyItem:
    scope = Scope.ADMIN
    openapi = {"delete": {"summary": "Revoke an API key", "responses": {"204": "revoked"}}}

    def __init__(self, database: Database, on_revoke: Callable[[str], None] = lambda key_id: None) -> None:
        self.database = database
        self.on_revoke = on_revoke

    def on_delete(self, req: falcon.Request, resp: falcon.Response, key_id: str) -> None:
        with self.database.session() as session:
            client = session.query(ApiClient).filter_by(key_id=key_id).one_or_none()
            if client is None:
                raise ApiError(falcon.HTTP_404, f"no API key with id {key_id}", code="not_found")
            if client.revoked_at is None:
                client.revoked_at = utcnow()
        self.on_revoke(key_id)
        resp.status = falcon.HTTP_204
