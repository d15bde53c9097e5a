"""DingTalk website sign-in (登录第三方网站) on the v1.0 API: a user's ``authCode`` for their unionId and profile.

The browser comes back from ``login.dingtalk.com/oauth2/auth`` with an ``authCode`` (single use, short-lived);
``POST /v1.0/oauth2/userAccessToken {clientId, clientSecret, code, grantType}`` turns it into the *user's* access
token, and ``GET /v1.0/contact/users/me`` with that token in ``x-acs-dingtalk-access-token`` names the user. Both
answer failures as HTTP 4xx ``{code, message}`` (``invalidClientIdOrSecret``, ``invalidParameter.authCode.notFound``,
``InvalidAuthentication``), classified like every v1.0 call. The user's tokens never reach a log (see the reprs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from platforms._grant import not_configured
from platforms.errors import PermanentError, TokenExpiredError
from platforms.transport import Transport

PLATFORM = "dingtalk"


@dataclass(frozen=True)
class UserGrant:
    """``userAccessToken``'s answer: the user's tokens (never logged), their life, and the organisation chosen
    (``corpId``, only when the sign-in asked for the ``corpid`` scope)."""

    access_token: str = field(repr=False)
    expire_in: int
    refresh_token: str | None = field(default=None, repr=False)
    corp_id: str | None = None


class UserProfile(TypedDict):
    """``users/me``'s answer. ``unionId`` is the person's id across the developer's apps; ``openId`` is this
    app's. ``mobile``/``stateCode``/``email`` come only with the app's personal-information permissions."""

    nick: str
    unionId: str
    openId: NotRequired[str]
    avatarUrl: NotRequired[str]
    mobile: NotRequired[str]
    stateCode: NotRequired[str]
    email: NotRequired[str]


class UserToken:
    """A user's access token as a :class:`~platforms.tokens.TokenSource`: no store, nothing to refresh, so once
    DingTalk rejects it the call fails instead of retrying with the same token."""

    def __init__(self, token: str) -> None:
        self._token = token
        self._rejected = False

    def get(self) -> str:
        if self._rejected:
            raise TokenExpiredError(PLATFORM, None, "DingTalk refused the user's access token")
        return self._token

    def invalidate(self, token: str) -> None:
        self._rejected = True

    def __repr__(self) -> str:
        return "UserToken(...)"


class SignIn:
    """The app's side of website sign-in: its AppKey is the ``client_id`` of the sign-in page.

    Example::

        grant = client.sign_in.exchange_code(auth_code)
        me = client.sign_in.me(grant.access_token)   # {"nick", "unionId", "openId", ...}
    """

    def __init__(self, transport: Transport, app_key: str | None, app_secret: str | None) -> None:
        self._transport = transport
        self.app_key = app_key
        self._app_secret = app_secret

    def exchange_code(self, auth_code: str) -> UserGrant:
        """``POST /v1.0/oauth2/userAccessToken``: an ``authCode`` (works once) for the user's token.

        :raises PermanentError: ``invalidParameter.authCode.notFound`` (unknown, used or expired),
            ``invalidClientIdOrSecret``, and the like.
        """
        if not (self.app_key and self._app_secret):
            raise not_configured(PLATFORM, "dingtalk app_key/app_secret")
        body = self._transport.request("POST", "/v1.0/oauth2/userAccessToken", json={
            "clientId": self.app_key, "clientSecret": self._app_secret, "code": auth_code,
            "grantType": "authorization_code"}, success=("accessToken",))
        if not body.get("accessToken"):
            raise PermanentError(PLATFORM, None, "oauth2/userAccessToken answered without accessToken")
        return UserGrant(str(body["accessToken"]), int(body.get("expireIn") or 0),
                         str(body["refreshToken"]) if body.get("refreshToken") else None,
                         str(body["corpId"]) if body.get("corpId") else None)

    def me(self, user_access_token: str) -> UserProfile:
        """``GET /v1.0/contact/users/me`` with the user's token: who signed in.

        :raises TokenExpiredError: the user's token was refused (``InvalidAuthentication``).
        :raises PermanentError: the answer names no ``unionId``.
        """
        body = self._transport.request("GET", "/v1.0/contact/users/me", token=UserToken(user_access_token),
                                       success=("unionId",))
        if not body.get("unionId"):
            raise PermanentError(PLATFORM, None, "contact/users/me answered without unionId")
        profile = UserProfile(nick=str(body.get("nick") or ""), unionId=str(body["unionId"]))
        for name in ("openId", "avatarUrl", "mobile", "stateCode", "email"):
            if body.get(name):
                profile[name] = str(body[name])  # type: ignore[literal-required]
        return profile
