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
from ingress.enqueue import enqueue
from ingress.portals.dispatcher import Dispatcher, PortalEndpoint
from ingress.portals.handler import HANDLERS, SCENES, Handler, HandlerContext, SceneHandler
from ingress.portals.ledger import Ledger
from ingress.portals.resource import PortalResource
from ingress.portals.router import Router
from platforms.callback import WeChatCallback, WeComCallback
from platforms.crypto import MessageCrypto
from workers.actors.inbound import record_inbound
from workers.runtime import Runtime

#: A claim outlives the replay window by this much (a later delivery is refused by its timestamp anyway).
DEDUP_MARGIN_SECONDS = 60

__all__ = ["HANDLERS", "SCENES", "Handler", "HandlerContext", "Portals", "SceneHandler", "build_portals"]


@dataclass(frozen=True)
class Portals:
    wechat: PortalResource
    wecom: PortalResource
    dispatcher: Dispatcher


def _wake_recorder() -> None:
    enqueue(record_inbound)


def build_portals(settings: Settings, runtime: Runtime) -> Portals:
    """Both portal resources, sharing one dispatcher, router and reply cache."""
    portal = settings.portal
    if not settings.redis.url:
        raise ValueError("the portals need redis.url")
    ledger = Ledger(settings.redis.url, portal.replay_window_seconds + DEDUP_MARGIN_SECONDS,
                    portal.retry_wait_seconds)
    dispatcher = Dispatcher(runtime, Router.from_registry(settings), ledger, _wake_recorder)

    wechat_settings, wecom_settings = settings.third.wechat, settings.third.wecom
    wechat = wecom = None
    if wechat_settings.app_id and wechat_settings.token and wechat_settings.encoding_aes_key:
        crypto = MessageCrypto(wechat_settings.token, wechat_settings.encoding_aes_key, wechat_settings.app_id)
        wechat = PortalEndpoint("wechat", wechat_settings.app_id, WeChatCallback(
            crypto, portal.replay_window_seconds, require_encryption=portal.require_encryption))
    if wecom_settings.corp_id and wecom_settings.token and wecom_settings.encoding_aes_key:
        crypto = MessageCrypto(wecom_settings.token, wecom_settings.encoding_aes_key, wecom_settings.corp_id)
        wecom = PortalEndpoint("wecom", wecom_settings.corp_id, WeComCallback(crypto, portal.replay_window_seconds))
    return Portals(
        wechat=PortalResource("WeChat", wechat, dispatcher, portal.max_body_bytes,
                              missing="third.wechat.app-id, token and encoding-aes-key"),
        wecom=PortalResource("WeCom", wecom, dispatcher, portal.max_body_bytes,
                             missing="third.wecom.corp-id, token and encoding-aes-key"),
        dispatcher=dispatcher,
    )
