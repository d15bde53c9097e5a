"""The DingTalk internal app API client."""

from __future__ import annotations

from config.settings import DingTalkSettings
from platforms._grant import grant_from, not_configured
from platforms.dingtalk.media import Media
from platforms.dingtalk.work_notices import WorkNotices
from platforms.tokens import StoreTokenSource, TokenGrant, TokenStore
from platforms.transport import Transport


class DingTalkClient:
    """One DingTalk app, its token kept in ``token_store`` under ``dingtalk:<app_key>``.

    Example::

        client = DingTalkClient(settings.third.ding_talk, store)
        task_id = client.work_notices.send({"msgtype": "text", "text": {"content": "hi"}}, userid_list=["u1"])
    """

    platform = "dingtalk"

    def __init__(self, settings: DingTalkSettings, token_store: TokenStore, transport: Transport | None = None) -> None:
        self.settings = settings
        self.transport = transport or Transport(self.platform, settings.api_base_url)
        self.app_key = f"dingtalk:{settings.app_key}"
        self.token = StoreTokenSource(token_store, self.app_key, self.fetch_token)
        self.work_notices = WorkNotices(self.transport, self.token, settings.agent_id)
        self.media = Media(self.transport, self.token)

    def fetch_token(self) -> TokenGrant:
        """``GET /gettoken``; errors raise, nothing here retries."""
        s = self.settings
        if not (s.app_key and s.app_secret):
            raise not_configured(self.platform, "dingtalk app_key/app_secret")
        body = self.transport.request("GET", "/gettoken", params={"appkey": s.app_key, "appsecret": s.app_secret})
        return grant_from(self.platform, body)

    def close(self) -> None:
        self.transport.close()

    def __repr__(self) -> str:
        return f"DingTalkClient({self.settings.app_key!r})"
