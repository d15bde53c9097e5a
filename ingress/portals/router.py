"""Choose the handler for a message: by descending priority, first match wins, then the fallbacks."""

from __future__ import annotations

from collections.abc import Iterable

from config import Settings
from core.plugins import PluginFailure, load_plugins
from ingress.portals.handler import HANDLERS, Handler, Registry
from platforms.wechat import InboundMessage


class Router:
    """An ordered list of handler instances, built once per app from the registry; ``plugin_failures`` lists the
    plugins that did not load (logged at start; the portal runs without them)."""

    def __init__(self, handlers: Iterable[Handler], plugin_failures: Iterable[PluginFailure] = ()) -> None:
        self.plugin_failures = list(plugin_failures)
        ordered = sorted(enumerate(handlers), key=lambda pair: (-type(pair[1]).priority, pair[0]))
        self.handlers = [h for _, h in ordered if not h.fallback]
        self.fallbacks = [h for _, h in ordered if h.fallback]

    @classmethod
    def from_registry(cls, settings: Settings, registry: Registry[Handler] = HANDLERS) -> Router:
        """Instantiate every registered handler: the built-ins, then the plugins' (:mod:`core.plugins`)."""
        import ingress.portals.handlers  # noqa: F401  (defining the built-ins registers them)

        failures = load_plugins(settings.portal.handler_modules)
        return cls((handler_cls(settings) for handler_cls in registry), failures)

    def route(self, message: InboundMessage, platform: str, account: str = "default") -> Handler | None:
        """The first handler of ``account``'s portal that matches ``message``."""
        for handlers in (self.handlers, self.fallbacks):
            for handler in handlers:
                if (not handler.accounts or account in handler.accounts) and handler.matches(message, platform):
                    return handler
        return None
