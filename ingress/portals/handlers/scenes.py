"""QR-scene dispatch: a scan of a parametric QR code goes to the scene handler registered for its prefix.

WeChat reports a scan two ways, and both must reach the same handler (the seed system only knew the first):

* a user who did not follow yet: ``subscribe`` with EventKey ``qrscene_<scene>`` (and a Ticket);
* a user who already follows: ``SCAN`` with EventKey ``<scene>``, no prefix.

A scene no handler claims is left to the others (a plain ``subscribe`` still gets the welcome text).
"""

from __future__ import annotations

from config import Settings
from ingress.portals.handler import SCENES, Handler, HandlerContext, SceneHandler
from platforms.wechat import InboundMessage, Reply
from platforms.wechat.messages import QRSCENE_PREFIX


def scene_of(message: InboundMessage) -> str | None:
    """The QR scene a ``subscribe`` or ``SCAN`` event carries, or None."""
    event = (message.event or "").lower()
    key = message.event_key or ""
    if event == "subscribe" and key.startswith(QRSCENE_PREFIX):
        return key.removeprefix(QRSCENE_PREFIX) or None
    if event == "scan":
        return key or None
    return None


class QrSceneDispatch(Handler):
    platforms = ("wechat",)
    events = ("subscribe", "scan")
    priority = 100

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        # Longest prefix first, so "login_admin_" can specialise "login_".
        self.scenes = sorted((cls(settings) for cls in SCENES), key=lambda h: -len(h.prefix))

    def scene_handler(self, message: InboundMessage) -> tuple[SceneHandler, str] | None:
        scene = scene_of(message)
        if scene is None:
            return None
        for handler in self.scenes:
            if scene.startswith(handler.prefix):
                return handler, scene[len(handler.prefix):]
        return None

    def matches(self, message: InboundMessage, platform: str) -> bool:
        return super().matches(message, platform) and self.scene_handler(message) is not None

    def label(self, message: InboundMessage) -> str:
        found = self.scene_handler(message)
        return f"{self.name}:{found[0].name}" if found else self.name

    def dedup_key(self, message: InboundMessage) -> str:
        found = self.scene_handler(message)
        return found[0].dedup_key(message) if found else message.dedup_key

    def handle(self, message: InboundMessage, context: HandlerContext) -> Reply | None:
        found = self.scene_handler(message)
        if found is None:
            return None
        handler, param = found
        return handler.handle(message, param, context)
