"""The DingTalk internal app API client.

**Treat a media_id as usable once.** Operators report that a second message with the same id fails,
though the docs say otherwise: keep the bytes and upload right before each send that needs them.
"""

from __future__ import annotations

import httpx

from platforms._grant import grant_from, not_configured
from platforms.client import AppClient
from platforms.dingtalk.work_notices import WorkNotices
from platforms.media import Media
from platforms.tokens import TokenGrant, TokenStore
from platforms.transport import DEFAULT_TIMEOUT, Transport

#: Where DingTalk serves its (``oapi``) API.
DEFAULT_BASE_URL = "https://oapi.dingtalk.com"

#: What ``/media/upload`` takes.
MEDIA_KINDS = frozenset({"image", "voice", "video", "file"})


class DingTalkClient(AppClient):
    """One DingTalk app, its token kept in ``token_store`` under ``dingtalk:<app_key>``.

    :param app_key: the app's AppKey; None or empty leaves it unconfigured (every call fails permanently).
    :param app_secret: the app's AppSecret.
    :param agent_id: the app's AgentId, sent with every work notification.
    :param token_store: shared by every process that calls this app, so only one token exists.
    :param api_base_url: the API's base (the sandbox's ``.../dingtalk`` in tests).

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
    ) -> None:
        super().__init__(f"dingtalk:{app_key}", token_store, api_base_url, timeout=timeout, transport=transport)
        self._appkey = app_key
        self._app_secret = app_secret
        self.agent_id = agent_id
        self.work_notices = WorkNotices(self.transport, self.token, agent_id)
        self.media = Media(self.transport, self.token, "/media/upload", MEDIA_KINDS)

    def fetch_token(self) -> TokenGrant:
        """``GET /gettoken``; errors raise, nothing here retries."""
        if not (self._appkey and self._app_secret):
            raise not_configured(self.platform, "dingtalk app_key/app_secret")
        body = self.transport.request(
            "GET", "/gettoken", params={"appkey": self._appkey, "appsecret": self._app_secret}
        )
        return grant_from(self.platform, body)
