"""The Official Account API client."""

from __future__ import annotations

from typing import Literal

import httpx

from platforms._grant import grant_from, not_configured
from platforms.client import AppClient
from platforms.media import Media
from platforms.tokens import TokenGrant, TokenStore
from platforms.transport import DEFAULT_TIMEOUT, Transport
from platforms.wechat.custom import CustomerService
from platforms.wechat.followers import Followers
from platforms.wechat.mass import MassSends
from platforms.wechat.material import Material
from platforms.wechat.menu import Menu
from platforms.wechat.publish import Publications
from platforms.wechat.qrcode import QRCodes
from platforms.wechat.subscribe import BIZSEND_PATH, SubscribeMessages
from platforms.wechat.templates import Templates

#: Where WeChat serves the Official Account API.
DEFAULT_BASE_URL = "https://api.weixin.qq.com"

#: What ``/cgi-bin/media/upload`` takes; a ``thumb`` is answered with ``thumb_media_id``.
MEDIA_KINDS = frozenset({"image", "voice", "video", "thumb"})


class WeChatClient(AppClient):
    """One Official Account, its token kept in ``token_store`` under ``wechat:<app_id>``.

    :param app_id: the account's AppID; None or empty leaves it unconfigured (every call fails permanently).
    :param app_secret: the account's AppSecret.
    :param token_store: shared by every process that calls this account, so only one token exists.
    :param api_base_url: the API's base (the sandbox's ``.../wechat`` in tests).
    :param token_mode: ``stable`` (default) or ``classic``, see :meth:`fetch_token`.

    Example::

        client = WeChatClient("wx123", secret, store)
        msgid = client.templates.send(openid, template_id, {"first": "Hello"})
    """

    platform = "wechat"
    default_base_url = DEFAULT_BASE_URL

    def __init__(
        self,
        app_id: str | None,
        app_secret: str | None,
        token_store: TokenStore,
        *,
        api_base_url: str = DEFAULT_BASE_URL,
        token_mode: Literal["stable", "classic"] = "stable",
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        transport: Transport | None = None,
    ) -> None:
        super().__init__(f"wechat:{app_id}", token_store, api_base_url, timeout=timeout, transport=transport)
        self.app_id = app_id
        self._app_secret = app_secret
        self.token_mode = token_mode
        self.menu = Menu(self.transport, self.token)
        self.templates = Templates(self.transport, self.token)
        self.media = Media(self.transport, self.token, "/cgi-bin/media/upload", MEDIA_KINDS,
                           id_fields=("media_id", "thumb_media_id"))
        self.material = Material(self.transport, self.token)
        self.qrcode = QRCodes(self.transport, self.token)
        self.custom = CustomerService(self.transport, self.token)
        self.followers = Followers(self.transport, self.token)
        self.subscribe = SubscribeMessages(self.transport, self.token, BIZSEND_PATH)
        self.mass = MassSends(self.transport, self.token)
        self.publications = Publications(self.transport, self.token)

    def fetch_token(self, force_refresh: bool = False) -> TokenGrant:
        """Ask the platform for a token (the store calls this; call it directly only to refresh).

        ``stable`` mode (default) uses ``POST /cgi-bin/stable_token``, which hands every caller the same
        token and never cuts off other systems on this account; ``classic`` uses ``GET /cgi-bin/token``,
        where each fetch retires the previous token within minutes. Errors raise; nothing here retries.
        """
        if not (self.app_id and self._app_secret):
            raise not_configured(self.platform, "wechat app_id/app_secret")
        if self.token_mode == "classic":
            params = {"grant_type": "client_credential", "appid": self.app_id, "secret": self._app_secret}
            body = self.transport.request("GET", "/cgi-bin/token", params=params, success=("access_token",))
        else:
            payload = {
                "grant_type": "client_credential",
                "appid": self.app_id,
                "secret": self._app_secret,
                "force_refresh": force_refresh,
            }
            body = self.transport.request("POST", "/cgi-bin/stable_token", json=payload, success=("access_token",))
        return grant_from(self.platform, body)
