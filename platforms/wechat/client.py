"""The Official Account API client."""

from __future__ import annotations

from config.settings import WeChatSettings
from platforms._grant import grant_from, not_configured
from platforms.tokens import StoreTokenSource, TokenGrant, TokenStore
from platforms.transport import Transport
from platforms.wechat.material import Material
from platforms.wechat.media import Media
from platforms.wechat.menu import Menu
from platforms.wechat.qrcode import QRCodes
from platforms.wechat.templates import Templates


class WeChatClient:
    """One Official Account, its token kept in ``token_store`` under ``wechat:<app_id>``.

    :param settings: credentials and ``api_base_url`` (the sandbox's ``.../wechat`` in tests).
    :param token_store: shared by every process that calls this account, so only one token exists.
    :param transport: a shared :class:`Transport`; one is created on ``api_base_url`` when omitted.

    Example::

        client = WeChatClient(settings.third.wechat, store)
        msgid = client.templates.send(openid, template_id, {"first": "Hello"})
    """

    platform = "wechat"

    def __init__(self, settings: WeChatSettings, token_store: TokenStore, transport: Transport | None = None) -> None:
        self.settings = settings
        self.transport = transport or Transport(self.platform, settings.api_base_url)
        self.app_key = f"wechat:{settings.app_id}"
        self.token = StoreTokenSource(token_store, self.app_key, self.fetch_token)
        self.menu = Menu(self.transport, self.token)
        self.templates = Templates(self.transport, self.token)
        self.media = Media(self.transport, self.token)
        self.material = Material(self.transport, self.token)
        self.qrcode = QRCodes(self.transport, self.token)

    def fetch_token(self, force_refresh: bool = False) -> TokenGrant:
        """Ask the platform for a token (the store calls this; call it directly only to refresh).

        ``stable`` mode (default) uses ``POST /cgi-bin/stable_token``, which hands every caller the same
        token and never cuts off other systems on this account; ``classic`` uses ``GET /cgi-bin/token``,
        where each fetch retires the previous token within minutes. Errors raise; nothing here retries.
        """
        s = self.settings
        if not (s.app_id and s.app_secret):
            raise not_configured(self.platform, "wechat app_id/app_secret")
        if s.token_mode == "classic":
            params = {"grant_type": "client_credential", "appid": s.app_id, "secret": s.app_secret}
            body = self.transport.request("GET", "/cgi-bin/token", params=params)
        else:
            payload = {
                "grant_type": "client_credential",
                "appid": s.app_id,
                "secret": s.app_secret,
                "force_refresh": force_refresh,
            }
            body = self.transport.request("POST", "/cgi-bin/stable_token", json=payload)
        return grant_from(self.platform, body)

    def close(self) -> None:
        self.transport.close()

    def __repr__(self) -> str:
        return f"WeChatClient({self.settings.app_id!r})"
