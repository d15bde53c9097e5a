"""Choose the handler for a message: by descending priority, first match wins, then the fallbacks."""

from __future__ import annotations

from collections.abc import Iterable

from config import Settings
from core.plugins import LoadedPlugin, PluginFailure, load_plugin_report
from ingress.portals.handler import HANDLERS, Handler, Registry
from platforms.wechat import InboundMessage


class Router:
    """An ordered list of handler instances, built once per app from the registry; ``plugin_failures`` lists the
    plugins that did not load (logged at start; the portal runs without them), ``plugins_loaded`` those that did."""

    def __init__(self, handlers: Iterable[Handler], plugin_failures: Iterable[PluginFailure] = (),
                 plugins_loaded: Iterable[LoadedPlugin] = ()) -> None:
        self.plugin_failures = list(plugin_failures)
        self.plugins_loaded = list(plugins_loaded)
        ordered = sorted(enumerate(handlers), key=lambda pair: (-type(pair[1]).priority, pair[0]))
        self.handlers = [h for _, h in ordered if not h.fallback]
        self.fallbacks = [h for _, h in ordered if h.fallback]

    @classmethod
    def from_registry(cls, settings: Settings, registry: Registry[Handler] = HANDLERS) -> Router:
        """Instantiate every registered handler: the built-ins, then the plugins' (:mod:`core.plugins`)."""
        import ingress.portals.handlers  # noqa: F401  (defining the built-ins registers them)

        report = load_plugin_report(settings.portal.handler_modules)
        return cls((handler_cls(settings) for handler_cls in registry), report.failed, report.loaded)

    @property
    def ordered(self) -> list[Handler]:
        """Every handler in the order :meth:`route` tries them."""
        return [*self.handlers, *self.fallbacks]

    def route(self, message: InboundMessage, platform: str, account: str = "default") -> Handler | None:
        """The first handler of ``account``'s portal that matches ``message``."""
        for handlers in (self.handlers, self.fallbacks):
            for handler in handlers:
                if (not handler.accounts or account in handler.accounts) and handler.matches(message, platform):
                    return handler
        return None
