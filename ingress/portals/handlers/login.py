"""The scan of a login QR code: mark its key ``ok`` with the scanner's openid, and say so in the chat.

Both shapes of a scan arrive here through the QR-scene dispatch (a new follower's ``subscribe`` with
``qrscene_login_<key>``, a follower's ``SCAN`` with ``login_<key>``). Only Redis is touched: the key's
state changes in one script that keeps its expiry and wakes the browser's long-poll.

A scan logs its scanner in, so it counts only from a verified callback (see
:class:`~ingress.portals.handler.HandlerContext`): a plaintext body is signed by nobody, and one posted under a
logged query would otherwise log its author in as any follower.
"""

from __future__ import annotations

import logging

from core.login import QrSessions, ScanResult
from ingress.portals.handler import HandlerContext, SceneHandler
from platforms.wechat import InboundMessage, Reply, TextReply

log = logging.getLogger(f"imbridge.{__name__}")


class LoginScene(SceneHandler):
    prefix = "login_"

    def handle(self, message: InboundMessage, param: str, context: HandlerContext) -> Reply | None:
        if not context.verified:
            log.warning("login scan from an unverified %s callback ignored", context.platform)
            return None
        result = QrSessions(context.redis).scanned(param, message.from_user)
        config = self.settings.login
        text = config.scan_reply_text if result in (ScanResult.CONFIRMED, ScanResult.REPEATED) \
            else config.scan_expired_text
        return TextReply(text) if text else None
