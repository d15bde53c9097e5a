"""``POST /user/third/bind``: the logged-in user binds the WeChat account behind a code to itself.

``{loginType: "weChat", authCode: <qrCodeKey>}`` binds whoever scanned the key (the key is used up);
``{loginType: "weChatApplet", authCode: <wx.login code>}`` the mini-program account; as JSON (the seed's front
end, whose QR-bind page names ``loginType`` ``clientCode``), a form or the query string. The login token comes in
``AccessToken`` or ``Authorization: Bearer``. An account bound to another user is refused: unbinding is the
operator's (``DELETE /api/v1/users/{id}/bindings/{binding}``). Each client gets ``login.bind-rate-limit`` binds a
window, as for logins. Answers are the seed's envelope; ``data`` is the binding (the seed's is empty).
"""

from __future__ import annotations

from typing import Any

import falcon

from ingress.auth import Open
from ingress.errors import ApiError
from ingress.login.auth import LoginAuth
from ingress.login.envelope import FAILURES, answer_schema, succeed
from ingress.login.guard import redis_available
from ingress.login.identity import Identities
from ingress.login.params import read_params
from ingress.login.session import LoginRequest
from ingress.login.web import COOKIE as SIGNIN_COOKIE
from ingress.ratelimit import ClientRateLimit, client_address
from models import Database
from models.users import BindingConflict, bind_account

_BINDING = {"type": "object", "properties": {
    "id": {"type": "integer"}, "userId": {"type": "integer"}, "platform": {"type": "string"},
    "account": {"type": "string"},
    "openid": {"type": "string"}, "unionid": {"type": ["string", "null"]}}}


class ThirdBind:
    scope = Open.LOGIN_TOKEN
    openapi: dict[str, Any] = {"post": {
        "summary": "Bind the WeChat account behind a scanned QR key or a mini-program code to the logged-in user",
        "security": [{"bearer": []}], "body": LoginRequest,
        "example": {"loginType": "weChat", "authCode": "<qrCodeKey>"},
        "responses": {"200": ("bound (or bound already) to the logged-in user; a failure is a 200 with a non-zero "
                              "code: not logged in (10004), the QR code not scanned yet (10101), expired or used "
                              "(10102), bound to another user (10105), too many binds from this client (10106)",
                              answer_schema(_BINDING)),
                      "503": ("busy: too many mini-program codes wait for WeChat in this process, or WeChat is "
                              "slow or busy; retry after Retry-After", FAILURES["default"][1]), **FAILURES}}}

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
            body = read_params(req, LoginRequest)
            identity = self.identities.resolve(body.login_type, body.auth_code, req.cookies.get(SIGNIN_COOKIE),
                                               body.account)
            self.identities.use(identity)
        with self.database.session() as session:
            try:
                binding, _ = bind_account(session, user.id, identity.platform, identity.openid, identity.unionid,
                                          identity.account)
            except BindingConflict as exc:
                raise ApiError(falcon.HTTP_409, f"this {identity.platform.value} account is bound to another user: "
                               f"{exc}", code="bound_elsewhere",
                               details={"platform": identity.platform.value}) from None
            answer = binding.public()
        succeed(resp, answer)
