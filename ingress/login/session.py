"""``POST /token/login`` and ``POST /token/logout``: a login token for a proven WeChat account, and its end.

``{loginType: "weChat", authCode: <qrCodeKey>}`` logs in whoever scanned the key (once: the key is used up);
``{loginType: "weChatApplet", authCode: <wx.login code>}`` whoever the mini-program code belongs to. Either way
the account must be bound to a user: an operator binds it (``/api/v1/users/{id}/bindings``), or the user does,
logged in some other way (``POST /user/third/bind``); an unbound account gets a 403 that says so.

Logins need no key, and a mini-program one costs a call to WeChat and a waiting thread: each client gets
``login.login-rate-limit`` a window (429 with ``Retry-After`` beyond, counted before anything else is done).
"""

from __future__ import annotations

from typing import Any

import falcon
from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from ingress.auth import Open
from ingress.bodies import read_model
from ingress.errors import ApiError
from ingress.login.auth import LoginAuth
from ingress.login.guard import redis_available
from ingress.login.identity import Identities, Identity, LoginType
from ingress.login.tokens import LoginTokens
from ingress.ratelimit import ClientRateLimit, client_address
from models import Database
from models.users import find_bound_user

#: How the 403 for an unbound account names the ways to bind it.
BIND_FLOW = ("bind it first: a user logged in another way sends {loginType, authCode} to POST /user/third/bind "
             "(a scanned QR key stays usable for that until it expires), or an operator adds it with "
             "POST /api/v1/users/{id}/bindings")


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    login_type: LoginType = Field(validation_alias=AliasChoices("loginType", "clientCode"),
                                  description="weChat (QR scan) or weChatApplet (mini-program)")
    auth_code: str = Field(validation_alias="authCode", min_length=1, max_length=256,
                           description="the qrCodeKey (weChat) or the wx.login code (weChatApplet)")


_USER = {"type": "object", "properties": {"id": {"type": "integer"}, "username": {"type": "string"},
                                          "displayName": {"type": "string"}, "enabled": {"type": "boolean"}}}
_LOGIN_ANSWER = {"type": "object", "required": ["token", "expiresIn", "user"], "properties": {
    "token": {"type": "string"}, "expiresIn": {"type": "integer"}, "user": _USER}}


class TokenLogin:
    scope = Open.ANYONE
    openapi: dict[str, Any] = {"post": {
        "summary": "Log in with a scanned QR key (weChat) or a mini-program code (weChatApplet)",
        "security": [], "body": LoginRequest, "example": {"loginType": "weChat", "authCode": "<qrCodeKey>"},
        "responses": {"200": ("a login token", _LOGIN_ANSWER), "401": "the code is unknown, expired or used",
                      "403": "the WeChat account is not bound to a user (or the user is disabled)",
                      "409": "the QR code was not scanned yet",
                      "429": "this client logged in too often (login.login-rate-limit); retry after Retry-After",
                      "503": "busy: too many mini-program logins wait for WeChat in this process, or WeChat is "
                             "slow or busy; retry after Retry-After"}}}

    def __init__(self, identities: Identities, tokens: LoginTokens, database: Database, rate_limit: ClientRateLimit,
                 client_ip_header: str = "") -> None:
        self.identities = identities
        self.tokens = tokens
        self.database = database
        self.rate_limit = rate_limit
        self.client_ip_header = client_ip_header

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        with redis_available():
            self.rate_limit.check(client_address(req, self.client_ip_header))
        body = read_model(req, LoginRequest)
        with redis_available():
            identity = self.identities.resolve(body.login_type, body.auth_code)
            user = self._user(identity)
            self.identities.use(identity)
            token = self.tokens.issue(int(user["id"]), identity.login_type)
        resp.media = {"token": token, "expiresIn": self.tokens.ttl_seconds, "user": user}

    def _user(self, identity: Identity) -> dict[str, Any]:
        with self.database.session() as session:
            user = find_bound_user(session, identity.platform, identity.openid, identity.unionid)
            if user is None:
                raise ApiError(falcon.HTTP_403, f"this WeChat account is not bound to any user; {BIND_FLOW}",
                               code="not_bound", details={"platform": identity.platform.value,
                                                          "bindPath": "/user/third/bind"})
            if not user.enabled:
                raise ApiError(falcon.HTTP_403, "the user bound to this WeChat account is disabled",
                               code="user_disabled")
            return user.public()


class TokenLogout:
    scope = Open.LOGIN_TOKEN
    openapi: dict[str, Any] = {"post": {
        "summary": "Revoke the login token sent in Authorization", "security": [{"bearer": []}],
        "responses": {"204": "revoked", "401": "no valid login token"}}}

    def __init__(self, auth: LoginAuth) -> None:
        self.auth = auth

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        with redis_available():
            token = self.auth.token(req)
            if not self.auth.tokens.revoke(token):
                raise ApiError(falcon.HTTP_401, "the login token is unknown, expired or revoked already",
                               code="unauthorized")
        resp.status = falcon.HTTP_204
