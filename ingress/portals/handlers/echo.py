"""The text fallback: echo a text message back when ``portal.echo-text`` is on (a demo), else say nothing."""

from __future__ import annotations

from ingress.portals.handler import Handler, HandlerContext
from platforms.wechat import InboundMessage, Reply, TextReply


class TextEcho(Handler):
    msg_types = ("text",)
    fallback = True

    def handle(self, message: InboundMessage, context: HandlerContext) -> Reply | None:
        if not self.settings.portal.echo_text:
            return None
        return TextReply(message.fields.get("Content", ""))
