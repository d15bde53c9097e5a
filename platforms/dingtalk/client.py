"""The DingTalk internal app API client: the ``oapi`` style and the v1.0 API beside it.

The v1.0 API (``api.dingtalk.com``) is reached through its own :class:`Transport` in the
:data:`~platforms.transport.DINGTALK_V1` dialect (token in a header, ``{code, message}`` failures) with its own
token slot ``dingtalk-v1:<app_key>`` in the same store, fetched from ``/v1.0/oauth2/accessToken``.

**Treat a media_id as usable once.** Operators report that a second message with the same id fails,
though the docs say otherwise: keep the bytes and upload right before each send that needs them.
"""

from __future__ import annotations

import httpx

from platforms._grant import grant_from, not_configured
from platforms.client import AppClient
from platforms.dingtalk.enterprise_robot import EnterpriseRobot
from platforms.dingtalk.sign_in import SignIn
from platforms.dingtalk.work_notices import WorkNotices
from platforms.media import Media
from platforms.tokens import StoreTokenSource, TokenGrant, TokenStore
from platforms.transport import DEFAULT_TIMEOUT, DINGTALK_V1, Transport

#: Where DingTalk serves its (``oapi``) API.
DEFAULT_BASE_URL = "https://oapi.dingtalk.com"
#: Where DingTalk serves its v1.0 API.
DEFAULT_V1_BASE_URL = "https://api.dingtalk.com"

#: What ``/media/upload`` takes.
MEDIA_KINDS = frozenset({"image", "voice", "video", "file"})


class DingTalkClient(AppClient):
    """One DingTalk app, its token kept in ``token_store`` under ``dingtalk:<app_key>``.

    :param app_key: the app's AppKey; None or empty leaves it unconfigured (every call fails permanently).
    :param app_secret: the app's AppSecret.
    :param agent_id: the app's AgentId, sent with every work notification.
    :param token_store: shared by every process that calls this app, so only one token exists.
    :param api_base_url: the API's base (the sandbox's ``.../dingtalk`` in tests).
    :param v1_base_url: the v1.0 API's base; None: ``https://api.dingtalk.com`` when ``api_base_url`` is DingTalk's
        own, else ``api_base_url`` (the sandbox, or a proxy, serves both under one base).
    :param v1_transport: a :class:`Transport` in the v1.0 dialect to use instead of a new one (tests).

    Example::

        client = DingTalkClient("dingkey", secret, 123456, store)
        task_id = client.work_notices.send({"msgtype": "text", "text": {"content": "hi"}}, userid_list=["u1"])
    """

    platform = "dingtalk"
    default_base_url = DEFAULT_BASE_URL

    def __init__(
        self,
        app_key: str | None,
        app_secret: str | None,
        agent_id: int | None,
        token_store: TokenStore,
        *,
        api_base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        transport: Transport | None = None,
        v1_base_url: str | None = None,
        v1_transport: Transport | None = None,
    ) -> None:
        super().__init__(f"dingtalk:{app_key}", token_store, api_base_url, timeout=timeout, transport=transport)
        if v1_base_url is None:
            v1_base_url = DEFAULT_V1_BASE_URL if api_base_url.rstrip("/") == DEFAULT_BASE_URL else api_base_url
        #: The v1.0 API: token in ``x-acs-dingtalk-access-token``, failures as HTTP 4xx ``{code, message}``.
        self.v1 = v1_transport or Transport(self.platform, v1_base_url, timeout=timeout, dialect=DINGTALK_V1)
        #: The v1.0 token, per app in the shared store (the scheduler keeps it fresh like the others).
        self.v1_token = StoreTokenSource(token_store, f"dingtalk-v1:{app_key}", self.fetch_v1_token)
        self._appkey = app_key
        self._app_secret = app_secret
        self.agent_id = agent_id
        self.work_notices = WorkNotices(self.transport, self.token, agent_id)
        self.enterprise_robot = EnterpriseRobot(self.v1, self.v1_token)
        #: Website sign-in (``userAccessToken``, ``users/me``): the user's token, not the app's.
        self.sign_in = SignIn(self.v1, app_key, app_secret)
        self.media = Media(self.transport, self.token, "/media/upload", MEDIA_KINDS)

    def fetch_token(self) -> TokenGrant:
        """``GET /gettoken``; errors raise, nothing here retries."""
        if not (self._appkey and self._app_secret):
            raise not_configured(self.platform, "dingtalk app_key/app_secret")
        body = self.transport.request(
            "GET", "/gettoken", params={"appkey": self._appkey, "appsecret": self._app_secret}
        )
        return grant_from(self.platform, body)

    def fetch_v1_token(self) -> TokenGrant:
        """``POST /v1.0/oauth2/accessToken {appKey, appSecret}`` -> ``{accessToken, expireIn}``."""
        if not (self._appkey and self._app_secret):
            raise not_configured(self.platform, "dingtalk app_key/app_secret")
        body = self.v1.request("POST", "/v1.0/oauth2/accessToken",
                               json={"appKey": self._appkey, "appSecret": self._app_secret}, success=("accessToken",))
        return grant_from(self.platform, {"access_token": body.get("accessToken"), "expires_in": body.get("expireIn")})

    def close(self) -> None:
        super().close()
        self.v1.close()
