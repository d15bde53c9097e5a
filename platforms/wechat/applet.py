"""A mini-program's server-side API: the ``wx.login`` code exchange and subscription messages.

The exchange needs only the AppID and secret; subscription messages carry the mini-program's own access token
(``stable_token``, kept in the shared store under ``wechat_applet:<appid>``, apart from the Official Account's).
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

import httpx

from platforms._grant import grant_from, not_configured
from platforms.client import AppClient
from platforms.errors import PermanentError
from platforms.tokens import MemoryTokenStore, TokenGrant, TokenStore
from platforms.transport import DEFAULT_TIMEOUT, Transport
from platforms.wechat.client import DEFAULT_BASE_URL
from platforms.wechat.subscribe import APPLET_SEND_PATH, SubscribeMessages


class AppletSession(TypedDict):
    """The answer of ``jscode2session``. ``session_key`` is a secret: never log or return it."""

    openid: str
    session_key: str
    unionid: NotRequired[str]


class WeChatAppletClient(AppClient):
    """A mini-program's server-side API (no access token needed for the login exchange; ``subscribe`` uses one).

    :param app_id: the mini-program's AppID; None or empty leaves it unconfigured (every call fails permanently).
    :param app_secret: its AppSecret.
    :param token_store: where its token is kept (``wechat_applet:<appid>``); a private in-memory store when None.
    :param api_base_url: the API's base (the sandbox's ``.../wechat`` in tests).

    Example::

        session = WeChatAppletClient("wx456", secret).jscode2session(code)
        openid = session["openid"]
    """

    platform = "wechat"
    default_base_url = DEFAULT_BASE_URL

    def __init__(
        self,
        app_id: str | None,
        app_secret: str | None,
        token_store: TokenStore | None = None,
        *,
        api_base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        transport: Transport | None = None,
    ) -> None:
        super().__init__(f"wechat_applet:{app_id}", token_store or MemoryTokenStore(), api_base_url,
                         timeout=timeout, transport=transport)
        self.app_id = app_id
        self._app_secret = app_secret
        self.subscribe = SubscribeMessages(self.transport, self.token, APPLET_SEND_PATH)

    @property
    def identity(self) -> str:
        return f"wechat-applet:{self.app_id}"

    def fetch_token(self, force_refresh: bool = False) -> TokenGrant:
        """The mini-program's token from ``POST /cgi-bin/stable_token`` (the store calls this)."""
        if not (self.app_id and self._app_secret):
            raise not_configured(self.platform, "wechat-applet app_id/app_secret")
        payload = {"grant_type": "client_credential", "appid": self.app_id, "secret": self._app_secret,
                   "force_refresh": force_refresh}
        return grant_from(self.platform, self.transport.request("POST", "/cgi-bin/stable_token", json=payload,
                                                                 success=("access_token",)))

    def jscode2session(self, code: str) -> AppletSession:
        """Exchange a login code (single use, about 5 minutes) for ``{openid, session_key, unionid?}``.

        :raises PermanentError: 40029 invalid code, 40226 blocked user, and the like.
        :raises RetryLaterError: -1 busy, 45011 too frequent.
        """
        if not (self.app_id and self._app_secret):
            raise not_configured(self.platform, "wechat-applet app_id/app_secret")
        body = self.transport.request(
            "GET",
            "/sns/jscode2session",
            params={
                "appid": self.app_id,
                "secret": self._app_secret,
                "js_code": code,
                "grant_type": "authorization_code",
            },
            success=("openid",),
        )
        if not body.get("openid") or "session_key" not in body:
            raise PermanentError(self.platform, None, "jscode2session answered without openid/session_key")
        session = AppletSession(openid=str(body["openid"]), session_key=str(body["session_key"]))
        if body.get("unionid"):
            session["unionid"] = str(body["unionid"])
        return session
