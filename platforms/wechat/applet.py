"""Mini-program login: exchanging a ``wx.login`` code for the user's openid."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from config.settings import WeChatAppletSettings
from platforms._grant import not_configured
from platforms.errors import PermanentError
from platforms.transport import Transport


class AppletSession(TypedDict):
    """The answer of ``jscode2session``. ``session_key`` is a secret: never log or return it."""

    openid: str
    session_key: str
    unionid: NotRequired[str]


class WeChatAppletClient:
    """A mini-program's server-side API (no access token needed for the login exchange).

    Example::

        session = WeChatAppletClient(settings.third.wechat_applet).jscode2session(code)
        openid = session["openid"]
    """

    platform = "wechat"

    def __init__(self, settings: WeChatAppletSettings, transport: Transport | None = None) -> None:
        self.settings = settings
        self.transport = transport or Transport(self.platform, settings.api_base_url)

    def jscode2session(self, code: str) -> AppletSession:
        """Exchange a login code (single use, about 5 minutes) for ``{openid, session_key, unionid?}``.

        :raises PermanentError: 40029 invalid code, 40226 blocked user, and the like.
        :raises RetryLaterError: -1 busy, 45011 too frequent.
        """
        s = self.settings
        if not (s.app_id and s.app_secret):
            raise not_configured(self.platform, "wechat-applet app_id/app_secret")
        body = self.transport.request(
            "GET",
            "/sns/jscode2session",
            params={
                "appid": s.app_id,
                "secret": s.app_secret,
                "js_code": code,
                "grant_type": "authorization_code",
            },
        )
        if not body.get("openid") or "session_key" not in body:
            raise PermanentError(self.platform, None, "jscode2session answered without openid/session_key")
        session = AppletSession(openid=str(body["openid"]), session_key=str(body["session_key"]))
        if body.get("unionid"):
            session["unionid"] = str(body["unionid"])
        return session

    def close(self) -> None:
        self.transport.close()

    def __repr__(self) -> str:
        return f"WeChatAppletClient({self.settings.app_id!r})"
