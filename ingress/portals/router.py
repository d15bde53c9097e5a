"""Choose the handler for a message: by descending priority, first match wins, then the fallbacks."""

from __future__ import annotations

from collections.abc import Iterable

from config import Settings
from ingress.portals.handler import HANDLERS, Handler, Registry
from platforms.wechat import InboundMessage


class Router:
    """An ordered list of handler instances, built once per app from the registry."""

    def __init__(self, handlers: Iterable[Handler]) -> None:
        ordered = sorted(enumerate(handlers), key=lambda pair: (-type(pair[1]).priority, pair[0]))
        self.handlers = [h for _, h in ordered if not h.fallback]
        self.fallbacks = [h for _, h in ordered if h.fallback]

    @classmethod
    def from_registry(cls, settings: Settings, registry: Registry[Handler] = HANDLERS) -> Router:
        """Instantiate every registered handler (importing the handlers package first)."""
        import ingress.portals.handlers  # noqa: F401  (defining the built-ins registers them)

        return cls(handler_cls(settings) for handler_cls in registry)

    def route(self, message: InboundMessage, platform: str) -> Handler | None:
        for handler in self.handlers:
            if handler.matches(message, platform):
                return handler
        for handler in self.fallbacks:
            if handler.matches(message, platform):
                return handler
        return None
