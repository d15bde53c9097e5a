"""Who may call a route, decided on the route the router matched, never on the raw path.

Every resource declares its callers in a ``scope`` class attribute: an API-key scope (``Scope.NOTIFY``,
``Scope.ADMIN``; the key comes as ``Authorization: Bearer <key>``), or one of :class:`Open` for the routes that
take no API key because they authenticate otherwise or not at all. A resource that declares nothing is
admin-only. Deciding on the raw path would miss the spellings the router folds onto a route (``//api/v1/x``),
so the check runs once routing is done (``process_resource``), and a path that matches no route is answered by
:class:`Unrouted`, which asks for a key before it says 404: an unknown path tells nothing to a caller without one.

Verified keys are remembered for a few seconds (:mod:`ingress.keycache`, which bounds how late a revocation is).
"""

from __future__ import annotations

import enum

import falcon

from ingress.errors import ApiError
from ingress.keycache import ApiKeyCache
from models import ApiClient, Scope


class Open(enum.StrEnum):
    """Callers of a route that takes no API key, by how (or whether) the resource itself authenticates them."""

    #: Anyone: health, the API documents, the admin page's files, the QR-login steps a browser takes.
    ANYONE = "anyone"
    #: A platform's callback: the resource verifies the platform's signature.
    PLATFORM = "platform"
    #: A signed-in user: the resource verifies the login token (not an API key).
    LOGIN_TOKEN = "login-token"


#: What a resource may declare as its ``scope``.
Access = Scope | Open


def declared_access(resource: object) -> Access:
    """The resource's ``scope``; none declared means admin."""
    declared = getattr(resource, "scope", Scope.ADMIN)
    return declared if isinstance(declared, Open) else Scope(declared)


def bearer_key(req: falcon.Request) -> str | None:
    header = req.get_header("Authorization")
    if not header:
        return None
    kind, _, value = header.partition(" ")
    return value.strip() if kind.lower() == "bearer" and value.strip() else None


class ApiKeyAuth:
    """Falcon middleware: the matched route's declared callers only; the API client on ``req.context.api_client``.

    Put it before any middleware that reads the body, so a caller without a key costs no read.
    """

    def __init__(self, keys: ApiKeyCache) -> None:
        self.keys = keys

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.api_client = None

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict) -> None:
        required = declared_access(resource)
        if isinstance(required, Open):
            return
        client = self.authenticate(req)
        if not Scope(client.scope).allows(required):
            raise ApiError(falcon.HTTP_403, f"this key's scope is '{client.scope}'; this needs '{required}'",
                           code="forbidden", message_id="forbidden.scope",
                           params={"scope": client.scope, "required": required})

    def authenticate(self, req: falcon.Request) -> ApiClient:
        """The live client behind the request's key (also on ``req.context.api_client``), else a 401."""
        challenge = {"WWW-Authenticate": "Bearer"}
        key = bearer_key(req)
        if key is None:
            raise ApiError(falcon.HTTP_401, "send an API key as 'Authorization: Bearer <key>'",
                           code="unauthorized", headers=challenge, message_id="unauthorized.no_key")
        client = self.keys.lookup(key)
        if client is None:
            raise ApiError(falcon.HTTP_401, "the API key is unknown or revoked", code="unauthorized",
                           headers=challenge, message_id="unauthorized.unknown_key")
        req.context.api_client = client
        return client


class Unrouted:
    """The sink for every path no route matches: a 401 without a valid key, a 404 with one."""

    def __init__(self, auth: ApiKeyAuth) -> None:
        self.auth = auth

    def __call__(self, req: falcon.Request, resp: falcon.Response, **params: str) -> None:
        self.auth.authenticate(req)
        raise ApiError(falcon.HTTP_404, "there is no such route", code="not_found", message_id="not_found.route")
