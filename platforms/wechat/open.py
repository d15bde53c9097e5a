"""WeChat open platform website sign-in (``snsapi_login``): a code for the user's openid, unionid and profile."""

from __future__ import annotations

from typing import NotRequired, TypedDict

import httpx

from platforms._grant import not_configured
from platforms.client import PlatformClient
from platforms.errors import PermanentError
from platforms.transport import DEFAULT_TIMEOUT, Transport
from platforms.wechat.client import DEFAULT_BASE_URL


class OpenGrant(TypedDict):
    """``sns/oauth2/access_token``'s answer. ``access_token``/``refresh_token`` are the user's: never log them."""

    access_token: str
    openid: str
    unionid: NotRequired[str]


class WeChatOpenClient(PlatformClient):
    """A website app of the open platform; its calls need the user's code, not an app access token.

    Example::

        grant = WeChatOpenClient("wxopen1", secret).exchange_code(code)
        profile = client.userinfo(grant["access_token"], grant["openid"])
    """

    platform = "wechat"
    default_base_url = DEFAULT_BASE_URL

    def __init__(self, app_id: str | None, app_secret: str | None, *, api_base_url: str = DEFAULT_BASE_URL,
                 timeout: float | httpx.Timeout = DEFAULT_TIMEOUT, transport: Transport | None = None) -> None:
        super().__init__(api_base_url, timeout=timeout, transport=transport)
        self.app_id = app_id
        self._app_secret = app_secret

    @property
    def identity(self) -> str:
        return f"wechat-open:{self.app_id}"

    def exchange_code(self, code: str) -> OpenGrant:
        """``GET /sns/oauth2/access_token``: a sign-in code (single use, 5 minutes) for the user's grant.

        :raises PermanentError: 40029 invalid code, 40163 code used, and the like.
        """
        if not (self.app_id and self._app_secret):
            raise not_configured(self.platform, "wechat-open app_id/app_secret")
        body = self.transport.request("GET", "/sns/oauth2/access_token", params={
            "appid": self.app_id, "secret": self._app_secret, "code": code, "grant_type": "authorization_code"},
            success=("openid",))
        if not body.get("openid") or not body.get("access_token"):
            raise PermanentError(self.platform, None, "sns/oauth2/access_token answered without openid")
        grant = OpenGrant(access_token=str(body["access_token"]), openid=str(body["openid"]))
        if body.get("unionid"):
            grant["unionid"] = str(body["unionid"])
        return grant

    def userinfo(self, access_token: str, openid: str) -> dict[str, object]:
        """``GET /sns/userinfo``: ``{openid, nickname, headimgurl, unionid?, ...}``."""
        return self.transport.request("GET", "/sns/userinfo", params={"access_token": access_token,
                                                                      "openid": openid},
                                      success=("openid",))
