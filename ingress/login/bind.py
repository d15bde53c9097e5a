"""``POST /user/third/bind``: the logged-in user binds the WeChat account behind a code to itself.

``{loginType: "weChat", authCode: <qrCodeKey>}`` binds whoever scanned the key (the key is used up);
``{loginType: "weChatApplet", authCode: <wx.login code>}`` the mini-program account. An account bound to
another user is a 409: unbinding is the operator's (``DELETE /api/v1/users/{id}/bindings/{binding}``).
Each client gets ``login.bind-rate-limit`` binds a window (429 with ``Retry-After`` beyond), as for logins.
"""

from __future__ import annotations

from typing import Any

import falcon

from ingress.auth import Open
from ingress.bodies import read_model
from ingress.errors import ApiError
from ingress.login.auth import LoginAuth
from ingress.login.guard import redis_available
from ingress.login.identity import Identities
from ingress.login.session import LoginRequest
from ingress.ratelimit import ClientRateLimit, client_address
from models import Database
from models.users import BindingConflict, bind_account


class ThirdBind:
    scope = Open.LOGIN_TOKEN
    openapi: dict[str, Any] = {"post": {
        "summary": "Bind the WeChat account behind a scanned QR key or a mini-program code to the logged-in user",
        "security": [{"bearer": []}], "body": LoginRequest,
        "example": {"loginType": "weChat", "authCode": "<qrCodeKey>"},
        "responses": {"201": "bound", "200": "already bound to this user", "401": "not logged in, or a bad code",
                      "409": "bound to another user, or the QR code was not scanned yet",
                      "429": "this client bound too often (login.bind-rate-limit); retry after Retry-After",
                      "503": "busy: too many mini-program codes wait for WeChat in this process, or WeChat is "
                             "slow or busy; retry after Retry-After"}}}

    def __init__(self, auth: LoginAuth, identities: Identities, database: Database, rate_limit: ClientRateLimit,
                 client_ip_header: str = "") -> None:
        self.auth = auth
        self.identities = identities
        self.database = database
        self.rate_limit = rate_limit
        self.client_ip_header = client_ip_header

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        with redis_available():
            self.rate_limit.check(client_address(req, self.client_ip_header))
            user, _ = self.auth.user(req)
            body = read_model(req, LoginRequest)
            identity = self.identities.resolve(body.login_type, body.auth_code)
            self.identities.use(identity)
        with self.database.session() as session:
            try:
                binding, created = bind_account(session, user.id, identity.platform, identity.openid,
                                                identity.unionid)
            except BindingConflict as exc:
                raise ApiError(falcon.HTTP_409, f"this WeChat account is bound to another user: {exc}",
                               code="bound_elsewhere") from None
            answer = binding.public()
        resp.status = falcon.HTTP_201 if created else falcon.HTTP_200
        resp.media = answer
