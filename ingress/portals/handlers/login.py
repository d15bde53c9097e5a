"""The scan of a login QR code: mark its key ``ok`` with the scanner's openid, and say so in the chat.

Both shapes of a scan arrive here through the QR-scene dispatch (a new follower's ``subscribe`` with
``qrscene_login_<key>``, a follower's ``SCAN`` with ``login_<key>``). The key's state changes in Redis, in one
script that keeps its expiry and wakes the browser's long-poll.

The chat reply tells the scanner what the browser will see: a scanner no user is bound to is refused there
(``not_bound``), so the phone says so instead of "confirmed" (one indexed read; the key stays ``ok``, so the
same scan logs in once an operator binds the account). The texts are settings, in Chinese and English: a
callback does not say which language the follower reads.

A scan logs its scanner in, so it counts only from a verified callback (see
:class:`~ingress.portals.handler.HandlerContext`): a plaintext body is signed by nobody, and one posted under a
logged query would otherwise log its author in as any follower.

A key belongs to the Official Account whose pool handed it out, and the scan counts only at that account's portal
(``context.account``): an openid is one account's, so the same event reported by another account's portal is
some other person, and that key stays ``wait``.
"""

from __future__ import annotations

import logging

from core.login import QrSessions, ScanResult
from ingress.portals.handler import HandlerContext, SceneHandler
from models.users import BindingPlatform, find_bound_user
from platforms.wechat import InboundMessage, Reply, TextReply

log = logging.getLogger(f"imbridge.{__name__}")


class LoginScene(SceneHandler):
    prefix = "login_"

    def handle(self, message: InboundMessage, param: str, context: HandlerContext) -> Reply | None:
        if not context.verified:
            log.warning("login scan from an unverified %s callback ignored", context.platform)
            return None
        result = QrSessions(context.redis).scanned(param, message.from_user, context.account)
        config = self.settings.login
        if result not in (ScanResult.CONFIRMED, ScanResult.REPEATED):
            text = config.scan_expired_text
        elif not self.bound(context, message.from_user):
            text = config.scan_unbound_text
        else:
            text = config.scan_reply_text
        return TextReply(text) if text else None

    @staticmethod
    def bound(context: HandlerContext, openid: str) -> bool:
        """Whether the browser's login will find a user for this scanner (as /token/login looks it up)."""
        with context.runtime.database.session() as session:
            return find_bound_user(session, BindingPlatform.WECHAT.value, openid,
                                   account=context.account) is not None
