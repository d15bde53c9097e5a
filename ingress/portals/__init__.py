"""The portals: WeChat's and WeCom's callbacks, verified, deduplicated, routed and answered in time.

* :mod:`platforms.callback` verifies and opens what the platform posts (pure protocol code);
* :mod:`ingress.portals.router` and :mod:`ingress.portals.handler` choose and define the handlers, which live in
  :mod:`ingress.portals.handlers`;
* :mod:`ingress.portals.ledger` makes each message run once across replicas and queues its record;
* :mod:`ingress.portals.dispatcher` ties them together, :mod:`ingress.portals.resource` serves them.
"""

from __future__ import annotations

from dataclasses import dataclass

from config import Settings
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

__all__ = ["HANDLERS", "SCENES", "Handler", "HandlerContext", "Portals", "SceneHandler", "build_portals"]


@dataclass(frozen=True)
class Portals:
    wechat: PortalResource
    wecom: PortalResource
    dispatcher: Dispatcher


def build_portals(settings: Settings, runtime: Runtime, tasks: Tasks) -> Portals:
    """Both portal resources, sharing one dispatcher, router and reply cache."""
    portal = settings.portal
    ledger = Ledger(runtime.redis.connection_pool, portal.replay_window_seconds + DEDUP_MARGIN_SECONDS,
                    portal.retry_wait_seconds)
    dispatcher = Dispatcher(runtime, Router.from_registry(settings), ledger, tasks.record_inbound, tasks)

    wechat_callback, wecom_settings = _wechat_callback(settings), settings.third.wecom
    wechat = wecom = None
    if wechat_callback is not None:
        wechat = PortalEndpoint("wechat", settings.third.wechat.app_id or "", wechat_callback)
    wechat_missing = "third.wechat.app-id, token and encoding-aes-key (portal.require-encryption is on)" \
        if portal.require_encryption else "third.wechat.app-id and token"
    if wecom_settings.corp_id and wecom_settings.token and wecom_settings.encoding_aes_key:
        crypto = MessageCrypto(wecom_settings.token, wecom_settings.encoding_aes_key, wecom_settings.corp_id)
        wecom = PortalEndpoint("wecom", wecom_settings.corp_id, WeComCallback(crypto, portal.replay_window_seconds))
    return Portals(
        wechat=PortalResource("WeChat", wechat, dispatcher, portal.max_body_bytes, missing=wechat_missing),
        wecom=PortalResource("WeCom", wecom, dispatcher, portal.max_body_bytes,
                             missing="third.wecom.corp-id, token and encoding-aes-key"),
        dispatcher=dispatcher,
    )


def _wechat_callback(settings: Settings) -> WeChatCallback | None:
    """The Official Account's callback: safe mode with an AES key, else plaintext mode unless that is refused."""
    account, portal = settings.third.wechat, settings.portal
    if not (account.app_id and account.token):
        return None
    crypto: CallbackSigner
    if account.encoding_aes_key:
        crypto = MessageCrypto(account.token, account.encoding_aes_key, account.app_id)
    elif portal.require_encryption:
        return None
    else:
        crypto = CallbackSigner(account.token)  # plaintext mode: the token alone signs
    return WeChatCallback(crypto, portal.replay_window_seconds, allow_plaintext=portal.allow_plaintext)
