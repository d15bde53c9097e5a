"""What every platform client is: a :class:`Transport` on one platform's API, and for apps, a token slot.

The three platforms' clients and robots differ in their resources and in how a token is fetched, never in how
they are built, closed or shown, so that lives here once. Every argument is plain (ids, secrets, a base URL, a
token store): the SDK knows nothing of the settings it is configured from.

Example::

    class Robot(PlatformClient):
        platform = "wecom"
        default_base_url = "https://qyapi.weixin.qq.com"

    with Robot("http://127.0.0.1:8900/wecom") as robot:
        robot.transport.request("POST", "/cgi-bin/webhook/send", params={"key": key}, json=body)
"""

from __future__ import annotations

from typing import ClassVar

import httpx

from platforms.tokens import StoreTokenSource, TokenGrant, TokenStore
from platforms.transport import DEFAULT_TIMEOUT, Transport


class PlatformClient:
    """A client of one platform's API: owns (or borrows) a pooled, thread-safe :class:`Transport`.

    :param api_base_url: where the API is served; ``default_base_url`` when None (the sandbox's
        ``.../wechat``, ``.../wecom`` or ``.../dingtalk`` in tests and the demo).
    :param timeout: seconds or an ``httpx.Timeout`` for every call.
    :param transport: a :class:`Transport` for this platform to use instead of a new one (tests pass one on an
        ``httpx.MockTransport``).
    """

    #: ``"wechat"``, ``"wecom"`` or ``"dingtalk"``: selects the errcode table.
    platform: ClassVar[str]
    #: Where the platform serves this API.
    default_base_url: ClassVar[str]

    def __init__(
        self,
        api_base_url: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        transport: Transport | None = None,
    ) -> None:
        self.transport = transport or Transport(self.platform, api_base_url or self.default_base_url, timeout=timeout)

    @property
    def identity(self) -> str:
        """What tells this client apart in logs and reprs, never a secret: here, the API it calls."""
        return self.transport.base_url

    def close(self) -> None:
        """Close the connection pool."""
        self.transport.close()

    def __enter__(self) -> PlatformClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.identity!r})"


class AppClient(PlatformClient):
    """A client of one platform app, whose calls carry the app's access token.

    The token is kept in ``token_store`` under ``app_key`` (e.g. ``"wechat:<appid>"``) and shared by every process
    that calls the app, so only one token exists; the store calls :meth:`fetch_token` at most once at a time.

    :param app_key: the app's slot in the store.
    :param token_store: where tokens are kept (Redis in the server, :class:`~platforms.tokens.MemoryTokenStore`
        in scripts and unit tests).
    """

    def __init__(
        self,
        app_key: str,
        token_store: TokenStore,
        api_base_url: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        transport: Transport | None = None,
    ) -> None:
        super().__init__(api_base_url, timeout=timeout, transport=transport)
        self.app_key = app_key
        self.token = StoreTokenSource(token_store, app_key, self.fetch_token)

    @property
    def identity(self) -> str:
        return self.app_key

    def fetch_token(self) -> TokenGrant:
        """Ask the platform for a new token; errors raise and nothing here retries."""
        raise NotImplementedError
