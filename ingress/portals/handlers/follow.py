"""Follow and unfollow: welcome a new follower with the configured text; note an unfollow, say nothing."""

from __future__ import annotations

from ingress.portals.handler import Handler, HandlerContext
from platforms.wechat import InboundMessage, Reply, TextReply


class Welcome(Handler):
    events = ("subscribe",)

    def handle(self, message: InboundMessage, context: HandlerContext) -> Reply | None:
        text = self.settings.portal.welcome_text
        return TextReply(text) if text else None


class Farewell(Handler):
    """An unfollowed user can no longer receive anything; the event is recorded, no reply."""

    events = ("unsubscribe",)

    def handle(self, message: InboundMessage, context: HandlerContext) -> Reply | None:
        return None
