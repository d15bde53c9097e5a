"""The portals: WeChat's and WeCom's callbacks, verified, deduplicated, routed and answered in time.

* :mod:`platforms.callback` verifies and opens what the platform posts (pure protocol code);
* :mod:`ingress.portals.router` and :mod:`ingress.portals.handler` choose and define the handlers, which live in
  :mod:`ingress.portals.handlers`;
* :mod:`ingress.portals.ledger` makes each message run once across replicas and queues its record;
* :mod:`ingress.portals.dispatcher` ties them together, :mod:`ingress.portals.resource` serves them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from config import Settings
from config.settings import PortalSettings, WeChatSettings, WeComSettings
from core.accounts import Account, Accounts
from core.runtime import Runtime
from core.tasks import Tasks
from ingress.portals.dispatcher import Dispatcher, PortalEndpoint
from ingress.portals.handler import HANDLERS, SCENES, Handler, HandlerContext, SceneHandler
from ingress.portals.ledger import Ledger
from ingress.portals.resource import PortalResource
from ingress.portals.router import Router
from platforms.callback import WeChatCallback, WeComCallback
from platforms.crypto import CallbackSigner, MessageCrypto

#: A claim outlives the replay window by this much (a later delivery is refused by its timestamp anyway).
DEDUP_MARGIN_SECONDS = 60

__all__ = ["HANDLERS", "SCENES", "AccountEndpoints", "Handler", "HandlerContext", "Portals", "SceneHandler",
           "build_portals"]


@dataclass(frozen=True)
class Portals:
    wechat: PortalResource
    wecom: PortalResource
    dispatcher: Dispatcher
    #: ``/wechat/portal/{code}`` and ``/wecom/portal/{code}``: the other accounts' callbacks.
    wechat_accounts: PortalResource | None = None
    wecom_accounts: PortalResource | None = None


def build_portals(settings: Settings, runtime: Runtime, tasks: Tasks) -> Portals:
    """The portal resources (the default accounts' and the other accounts'), sharing one dispatcher, router and
    reply cache."""
    portal = settings.portal
    ledger = Ledger(runtime.redis.connection_pool, portal.replay_window_seconds + DEDUP_MARGIN_SECONDS,
                    portal.retry_wait_seconds)
    dispatcher = Dispatcher(runtime, Router.from_registry(settings), ledger, tasks.record_inbound, tasks)
    accounts = runtime.accounts
    wechat = wechat_endpoint(accounts.require("wechat"), portal)
    wecom = wecom_endpoint(accounts.require("wecom"), portal)
    wechat_missing = "third.wechat.app-id, token and encoding-aes-key (portal.require-encryption is on)" \
        if portal.require_encryption else "third.wechat.app-id and token"
    limit = portal.max_body_bytes
    return Portals(
        wechat=PortalResource("WeChat", wechat, dispatcher, limit, missing=wechat_missing),
        wecom=PortalResource("WeCom", wecom, dispatcher, limit,
                             missing="third.wecom.corp-id, token and encoding-aes-key"),
        dispatcher=dispatcher,
        wechat_accounts=PortalResource("WeChat", None, dispatcher, limit, missing="its app-id and token",
                                       resolve=AccountEndpoints(accounts, "wechat", portal, wechat_endpoint)),
        wecom_accounts=PortalResource("WeCom", None, dispatcher, limit,
                                      missing="its corp-id, token and encoding-aes-key",
                                      resolve=AccountEndpoints(accounts, "wecom", portal, wecom_endpoint)),
    )


def wechat_endpoint(account: Account, portal: PortalSettings) -> PortalEndpoint | None:
    """An Official Account's callback: safe mode with an AES key, else plaintext mode unless that is refused."""
    app = account.settings
    assert isinstance(app, WeChatSettings)
    if not (app.app_id and app.token):
        return None
    crypto: CallbackSigner
    if app.encoding_aes_key:
        crypto = MessageCrypto(app.token, app.encoding_aes_key, app.app_id)
    elif portal.require_encryption:
        return None
    else:
        crypto = CallbackSigner(app.token)  # plaintext mode: the token alone signs
    callback = WeChatCallback(crypto, portal.replay_window_seconds, allow_plaintext=portal.allow_plaintext)
    return PortalEndpoint("wechat", app.app_id, callback, account.code)


def wecom_endpoint(account: Account, portal: PortalSettings) -> PortalEndpoint | None:
    """A WeCom app's callback (always encrypted)."""
    app = account.settings
    assert isinstance(app, WeComSettings)
    if not (app.corp_id and app.token and app.encoding_aes_key):
        return None
    crypto = MessageCrypto(app.token, app.encoding_aes_key, app.corp_id)
    return PortalEndpoint("wecom", app.corp_id, WeComCallback(crypto, portal.replay_window_seconds), account.code)


class AccountEndpoints:
    """The callback endpoint of each account of one platform, built on first use and again when the account's
    settings change (an account edited through the API); an account that no longer exists is forgotten."""

    def __init__(self, accounts: Accounts, platform: str, portal: PortalSettings,
                 build: Callable[[Account, PortalSettings], PortalEndpoint | None]) -> None:
        self.accounts = accounts
        self.platform = platform
        self.portal = portal
        self.build = build
        self._built: dict[str, tuple[Account, PortalEndpoint | None]] = {}

    def __call__(self, code: str) -> PortalEndpoint | None:
        """The endpoint of account ``code`` (None: it lacks what a callback needs).

        :raises UnknownAccount: no account of the platform has this code.
        """
        account = self.accounts.require(self.platform, code)
        built = self._built.get(code)
        if built is None or built[0] != account:
            built = (account, self.build(account, self.portal))
            self._built[code] = built  # a race builds twice, harmlessly
        return built[1]
