"""The WeCom self-built app API client."""

from __future__ import annotations

import httpx

from platforms._grant import grant_from, not_configured
from platforms.client import AppClient
from platforms.media import Media
from platforms.tokens import TokenGrant, TokenStore
from platforms.transport import DEFAULT_TIMEOUT, Transport
from platforms.wecom.appchat import AppChats
from platforms.wecom.messages import AppMessages

#: Where WeCom serves its API.
DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"

#: What ``/cgi-bin/media/upload`` takes (three-day media referenced by media_id in app messages).
MEDIA_KINDS = frozenset({"image", "voice", "video", "file"})


class WeComClient(AppClient):
    """One WeCom app, its token kept in ``token_store`` under ``wecom:<corp_id>:<agent_id>``.

    Each app of a corp has its own secret and so its own token, hence the agent id in the key.

    :param corp_id: the corp's CorpID; None or empty leaves it unconfigured (every call fails permanently).
    :param corp_secret: the app's Secret.
    :param agent_id: the app's AgentId, added to every message that names none.
    :param token_store: shared by every process that calls this app, so only one token exists.
    :param api_base_url: the API's base (the sandbox's ``.../wecom`` in tests).

    Example::

        client = WeComClient("ww123", secret, 1000002, store)
        result = client.messages.send({"touser": "zhangsan", "msgtype": "text", "text": {"content": "hi"}})
    """

    platform = "wecom"
    default_base_url = DEFAULT_BASE_URL

    def __init__(
        self,
        corp_id: str | None,
        corp_secret: str | None,
        agent_id: int | None,
        token_store: TokenStore,
        *,
        api_base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        transport: Transport | None = None,
    ) -> None:
        super().__init__(f"wecom:{corp_id}:{agent_id}", token_store, api_base_url, timeout=timeout,
                         transport=transport)
        self.corp_id = corp_id
        self._corp_secret = corp_secret
        self.agent_id = agent_id
        self.messages = AppMessages(self.transport, self.token, agent_id)
        self.appchats = AppChats(self.transport, self.token)
        self.media = Media(self.transport, self.token, "/cgi-bin/media/upload", MEDIA_KINDS)

    def fetch_token(self) -> TokenGrant:
        """``GET /cgi-bin/gettoken``; errors raise, nothing here retries."""
        if not (self.corp_id and self._corp_secret):
            raise not_configured(self.platform, "wecom corp_id/corp_secret")
        body = self.transport.request(
            "GET", "/cgi-bin/gettoken", params={"corpid": self.corp_id, "corpsecret": self._corp_secret}
        )
        return grant_from(self.platform, body)

    def auth_user(self, code: str) -> dict[str, object]:
        """``GET /cgi-bin/auth/getuserinfo``: a web-login code's ``{userid}`` (a corp member) or ``{openid}``.

        :raises PermanentError: 40029 invalid code (used, expired, or of another app), and the like.
        """
        return self.transport.request("GET", "/cgi-bin/auth/getuserinfo",
                                      params={"code": code}, token=self.token)
