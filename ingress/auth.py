"""API-key authentication for ``/api/v1``: ``Authorization: Bearer <key>``, with a scope per resource.

The key is checked before routing (so an unknown path without a key is a 401, not a 404); the scope after it,
since each resource states the scope it needs as a ``scope`` class attribute (default ``admin``). Verified keys
are remembered for a few seconds (:mod:`ingress.keycache`, which bounds how late a revocation can be).
"""

from __future__ import annotations

import falcon

from ingress.errors import ApiError
from ingress.keycache import ApiKeyCache
from models import Scope

#: Paths under this prefix need a key.
API_PREFIX = "/api/v1"


def bearer_key(req: falcon.Request) -> str | None:
    header = req.get_header("Authorization")
    if not header:
        return None
    kind, _, value = header.partition(" ")
    return value.strip() if kind.lower() == "bearer" and value.strip() else None


class ApiKeyAuth:
    """Falcon middleware that puts the caller's ``ApiClient`` on ``req.context.api_client``."""

    def __init__(self, keys: ApiKeyCache) -> None:
        self.keys = keys

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.api_client = None
        if not (req.path == API_PREFIX or req.path.startswith(API_PREFIX + "/")):
            return
        challenge = {"WWW-Authenticate": "Bearer"}
        key = bearer_key(req)
        if key is None:
            raise ApiError(falcon.HTTP_401, "send an API key as 'Authorization: Bearer <key>'",
                           code="unauthorized", headers=challenge)
        client = self.keys.lookup(key)
        if client is None:
            raise ApiError(falcon.HTTP_401, "the API key is unknown or revoked", code="unauthorized",
                           headers=challenge)
        req.context.api_client = client

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict) -> None:
        client = req.context.api_client
        if client is None or resource is None:
            return
        required = Scope(getattr(resource, "scope", Scope.ADMIN))
        if not Scope(client.scope).allows(required):
            raise ApiError(falcon.HTTP_403, f"this key's scope is '{client.scope}'; this needs '{required}'",
                           code="forbidden")
