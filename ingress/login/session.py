"""``POST /token/login`` and ``POST /token/logout``: a login token for a proven WeChat account, and its end.

``loginType=weChat&authCode=<qrCodeKey>`` logs in whoever scanned the key (once: the key is used up);
``loginType=weChatApplet&authCode=<wx.login code>`` whoever the mini-program code belongs to, the parameters in
the query string (as the seed's front end sends them), a form or JSON. Either way the account must be bound to a
user: an operator binds it (``/api/v1/users/{id}/bindings``), or the user does, logged in some other way
(``POST /user/third/bind``); an unbound account is refused with a code that says so.

The answer is the seed's: ``data`` is the bare token. What imbridge adds (``expiresIn``, ``user``) sits beside
``data`` in the envelope, where the seed's front end never looks. Logging out is the seed's too: it ends the
token sent, and answers success whether or not that token was still valid (as the seed, and as OAuth token
revocation, RFC 7009, do), so a stale token can always be logged out of.

Logins need no key, and a mini-program one costs a call to WeChat and a waiting thread: each client gets
``login.login-rate-limit`` a window (beyond: a 429, answered as code 10106 with ``Retry-After``, counted before
anything else is done).
"""

from __future__ import annotations

from typing import Any

import falcon
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from config.settings import ACCOUNT_CODE_PATTERN
from ingress.auth import Open
from ingress.errors import ApiError
from ingress.login.auth import LoginAuth, sent_token
from ingress.login.envelope import FAILURES, answer_schema, succeed
from ingress.login.guard import redis_available
from ingress.login.identity import Identities, Identity, LoginType
from ingress.login.params import read_params
from ingress.login.tokens import LoginTokens
from ingress.login.web import COOKIE as SIGNIN_COOKIE
from ingress.ratelimit import ClientRateLimit, client_address
from models import Database
from models.users import find_bound_user

#: How the refusal of an unbound account names the ways to bind it (in the log, under the answer's traceId).
BIND_FLOW = ("bind it first: a user logged in another way sends {loginType, authCode} to POST /user/third/bind "
             "(a scanned QR key stays usable for that until it expires), or an operator adds it with "
             "POST /api/v1/users/{id}/bindings")


class LoginRequest(BaseModel):
    """A login's (or a bind's) parameters; the seed's ``client`` and ``state`` are accepted and not used."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    login_type: LoginType = Field(validation_alias=AliasChoices("loginType", "clientCode"),
                                  description="weChat (QR scan), weChatApplet (mini-program), weChatOpen "
                                              "(WeChat open-platform website sign-in), weCom (WeCom web login) "
                                              "or dingTalk (DingTalk website sign-in)")
    auth_code: str = Field(validation_alias="authCode", min_length=1, max_length=256,
                           description="the qrCodeKey (weChat), the wx.login code (weChatApplet), "
                                       "or the website sign-in's state (weChatOpen, weCom, dingTalk)")
    account: str | None = Field(default=None, pattern=ACCOUNT_CODE_PATTERN,
                                description="weChatApplet: the mini-program's account code (GET /api/v1/accounts; "
                                            "omitted or empty: default). A QR key knows its Official Account "
                                            "already.")

    @field_validator("account", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if value == "" else value


_USER = {"type": "object", "properties": {"id": {"type": "integer"}, "username": {"type": "string"},
                                          "displayName": {"type": "string"}, "enabled": {"type": "boolean"}}}
_LOGIN_ANSWER = answer_schema({"type": "string", "description": "the login token"},
                              expiresIn={"type": "integer", "description": "seconds the token is valid"},
                              user=_USER)


class TokenLogin:
    scope = Open.ANYONE
    openapi: dict[str, Any] = {"post": {
        "summary": "Log in with a scanned QR key (weChat) or a mini-program code (weChatApplet); the parameters "
                   "in the query string (as the seed's front end sends them), a form or a JSON body",
        "security": [], "query": LoginRequest,
        "responses": {"200": ("the login token as data; a failure is a 200 with a non-zero code: the QR code not "
                              "scanned yet (10101), expired or used (10102), the account not bound (10103), the "
                              "user disabled (10104), too many logins from this client (10106)", _LOGIN_ANSWER),
                      "503": ("busy: too many mini-program logins wait for WeChat in this process, or WeChat is "
                              "slow or busy; retry after Retry-After", FAILURES["default"][1]), **FAILURES}}}

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
        body = read_params(req, LoginRequest)
        with redis_available():
            identity = self.identities.resolve(body.login_type, body.auth_code, req.cookies.get(SIGNIN_COOKIE),
                                               body.account)
            user = self._user(identity)
            self.identities.use(identity)
            token = self.tokens.issue(int(user["id"]), identity.login_type)
        succeed(resp, token, expiresIn=self.tokens.ttl_seconds, user=user)

    def _user(self, identity: Identity) -> dict[str, Any]:
        with self.database.session() as session:
            user = find_bound_user(session, identity.platform, identity.openid, identity.unionid, identity.account)
            if user is None:
                raise ApiError(falcon.HTTP_403,
                               f"this {identity.platform.value} account is not bound to any user; {BIND_FLOW}",
                               code="not_bound", details={"platform": identity.platform.value,
                                                          "bindPath": "/user/third/bind"})
            if not user.enabled:
                raise ApiError(falcon.HTTP_403, "the user bound to this WeChat account is disabled",
                               code="user_disabled")
            return user.public()


class TokenLogout:
    scope = Open.LOGIN_TOKEN
    openapi: dict[str, Any] = {"post": {
        "summary": "End the login token sent in AccessToken (or Authorization: Bearer); success whether or not it "
                   "was still valid", "security": [{"bearer": []}],
        "responses": {"200": ("logged out", answer_schema({"type": "null"})), **FAILURES}}}

    def __init__(self, auth: LoginAuth) -> None:
        self.auth = auth

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        token = sent_token(req)
        if token is not None:
            with redis_available():
                self.auth.tokens.revoke(token)
        succeed(resp)
