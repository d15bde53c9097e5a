"""Menu ``click`` buttons: answer the text configured for the button's key (``portal.click-replies``)."""

from __future__ import annotations

from config import Settings
from ingress.portals.handler import Handler, HandlerContext
from platforms.wechat import InboundMessage, Reply, TextReply


class MenuClick(Handler):
    events = ("click",)

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.replies = {item.key: item.text for item in settings.portal.click_replies}

    def matches(self, message: InboundMessage, platform: str) -> bool:
        return super().matches(message, platform) and (message.event_key or "") in self.replies

    def handle(self, message: InboundMessage, context: HandlerContext) -> Reply | None:
        return TextReply(self.replies[message.event_key or ""])
