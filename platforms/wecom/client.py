"""The WeCom self-built app API client."""

from __future__ import annotations

from config.settings import WeComSettings
from platforms._grant import grant_from, not_configured
from platforms.tokens import StoreTokenSource, TokenGrant, TokenStore
from platforms.transport import Transport
from platforms.wecom.media import Media
from platforms.wecom.messages import AppMessages


class WeComClient:
    """One WeCom app, its token kept in ``token_store`` under ``wecom:<corp_id>:<agent_id>``.

    Each app of a corp has its own secret and so its own token, hence the agent id in the key.

    Example::

        client = WeComClient(settings.third.wecom, store)
        result = client.messages.send({"touser": "zhangsan", "msgtype": "text", "text": {"content": "hi"}})
    """

    platform = "wecom"

    def __init__(self, settings: WeComSettings, token_store: TokenStore, transport: Transport | None = None) -> None:
        self.settings = settings
        self.transport = transport or Transport(self.platform, settings.api_base_url)
        self.app_key = f"wecom:{settings.corp_id}:{settings.agent_id}"
        self.token = StoreTokenSource(token_store, self.app_key, self.fetch_token)
        self.messages = AppMessages(self.transport, self.token, settings.agent_id)
        self.media = Media(self.transport, self.token)

    def fetch_token(self) -> TokenGrant:
        """``GET /cgi-bin/gettoken``; errors raise, nothing here retries."""
        s = self.settings
        if not (s.corp_id and s.corp_secret):
            raise not_configured(self.platform, "wecom corp_id/corp_secret")
        body = self.transport.request(
            "GET", "/cgi-bin/gettoken", params={"corpid": s.corp_id, "corpsecret": s.corp_secret}
        )
        return grant_from(self.platform, body)

    def close(self) -> None:
        self.transport.close()

    def __repr__(self) -> str:
        return f"WeComClient({self.settings.corp_id!r}, agent_id={self.settings.agent_id!r})"
