"""``/api/v1/system/handlers`` (admin): which handler plugins loaded, which failed and why, and what each portal
handler matches, in the order the router tries them.

Read from this process's router (built once when the app was): a plugin fixed on disk shows here after a restart,
as it starts answering only then. Everything is the handlers' own declarations; nothing is guessed.
"""

from __future__ import annotations

import falcon
from pydantic import BaseModel, ConfigDict, Field

from core.follow_ups import FOLLOW_UPS
from core.plugins import LoadedPlugin
from ingress.portals.handler import SCENES, Handler
from ingress.portals.router import Router
from models import Scope

#: Where the built-in handlers live (every module of that package is imported).
BUILT_IN_PACKAGE = "ingress.portals.handlers"

EXAMPLE = {
    "plugins": {
        "loaded": [{"name": "hours (imbridge_hours.handlers)", "module": "imbridge_hours.handlers",
                    "source": "entry-point"}],
        "failed": [{"name": "broken_handlers", "error": "ModuleNotFoundError: No module named 'a_module'"}],
    },
    "handlers": [
        {"order": 1, "name": "QrSceneDispatch", "module": "ingress.portals.handlers.scenes", "plugin": None,
         "builtIn": True, "priority": 100, "fallback": False, "platforms": ["wechat"], "accounts": [],
         "msgTypes": ["event"], "events": ["subscribe", "scan"], "eventKeyPrefix": None, "eventKeyPattern": None,
         "contentPattern": None, "customMatch": True},
        {"order": 2, "name": "OpeningHours", "module": "imbridge_hours.handlers",
         "plugin": "hours (imbridge_hours.handlers)", "builtIn": False, "priority": 10, "fallback": False,
         "platforms": ["wechat", "wecom"], "accounts": [], "msgTypes": ["text"], "events": [],
         "eventKeyPrefix": None, "eventKeyPattern": None, "contentPattern": "营业时间|opening hours",
         "customMatch": False},
    ],
    "scenes": [{"name": "LoginScene", "prefix": "login_", "module": "ingress.portals.handlers.login", "plugin": None,
                "builtIn": True}],
    "followUps": [{"name": "hours.asked", "function": "imbridge_hours.handlers.count_question",
                   "plugin": "hours (imbridge_hours.handlers)"}],
}


class PluginLoadedView(BaseModel):
    name: str = Field(description="the entry point (with its module) or the configured module")
    module: str
    source: str = Field(description="entry-point | config (portal.handler-modules)")


class PluginFailedView(BaseModel):
    name: str
    error: str = Field(description="the exception's type and message")


class Plugins(BaseModel):
    loaded: list[PluginLoadedView]
    failed: list[PluginFailedView]


class HandlerView(BaseModel):
    order: int = Field(description="1 is tried first; fallbacks come last")
    name: str
    module: str
    plugin: str | None = Field(description="the plugin that brought it; null for a built-in")
    builtIn: bool
    priority: int
    fallback: bool = Field(description="tried only when no ordinary handler matched")
    platforms: list[str] = Field(description="empty: every platform")
    accounts: list[str] = Field(description="empty: every account")
    msgTypes: list[str] = Field(description="empty: every message type (events and a content pattern imply one)")
    events: list[str]
    eventKeyPrefix: str | None
    eventKeyPattern: str | None = Field(description="a regex the whole EventKey must match")
    contentPattern: str | None = Field(description="a regex searched in a text message's content")
    customMatch: bool = Field(description="the handler adds its own check to the declared ones")


class SceneView(BaseModel):
    name: str
    prefix: str = Field(description="the QR scene prefix it handles (the longest matching prefix wins)")
    module: str
    plugin: str | None
    builtIn: bool


class FollowUpView(BaseModel):
    name: str
    function: str
    plugin: str | None


class HandlersReport(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    plugins: Plugins
    handlers: list[HandlerView]
    scenes: list[SceneView]
    followUps: list[FollowUpView]


def plugin_of(module: str, plugins: list[LoadedPlugin]) -> str | None:
    """The plugin a module came from: the one whose module is it or a package of it, else one of its top package."""
    for plugin in plugins:
        if module == plugin.module or module.startswith(f"{plugin.module}."):
            return plugin.name
    for plugin in plugins:
        if module.split(".")[0] == plugin.module.split(".")[0]:
            return plugin.name
    return None


def _msg_types(cls: type[Handler]) -> list[str]:
    """What the router compares: declared types, else the one ``events`` or ``content_pattern`` implies."""
    if cls.msg_types:
        return list(cls.msg_types)
    if cls.events:
        return ["event"]
    return ["text"] if cls.content_pattern else []


def handler_view(order: int, handler: Handler, plugins: list[LoadedPlugin]) -> HandlerView:
    cls = type(handler)
    return HandlerView(
        order=order, name=handler.name, module=cls.__module__, plugin=plugin_of(cls.__module__, plugins),
        builtIn=cls.__module__.startswith(f"{BUILT_IN_PACKAGE}."), priority=cls.priority, fallback=cls.fallback,
        platforms=list(cls.platforms), accounts=list(getattr(cls, "accounts", ()) or ()), msgTypes=_msg_types(cls),
        events=list(cls.events), eventKeyPrefix=cls.event_key_prefix, eventKeyPattern=cls.event_key_pattern,
        contentPattern=cls.content_pattern, customMatch=cls.matches is not Handler.matches)


def handlers_report(router: Router) -> HandlersReport:
    plugins = router.plugins_loaded
    scenes = sorted(SCENES, key=lambda cls: (-len(cls.prefix), cls.prefix))
    return HandlersReport(
        plugins=Plugins(loaded=[PluginLoadedView(name=p.name, module=p.module, source=p.source) for p in plugins],
                        failed=[PluginFailedView(name=f.name, error=f.error) for f in router.plugin_failures]),
        handlers=[handler_view(i, handler, plugins) for i, handler in enumerate(router.ordered, start=1)],
        scenes=[SceneView(name=cls.__name__, prefix=cls.prefix, module=cls.__module__,
                          plugin=plugin_of(cls.__module__, plugins),
                          builtIn=cls.__module__.startswith(f"{BUILT_IN_PACKAGE}.")) for cls in scenes],
        followUps=[FollowUpView(name=name, function=f"{fn.__module__}.{fn.__qualname__}",
                                plugin=plugin_of(fn.__module__, plugins))
                   for name, fn in sorted(FOLLOW_UPS.items())])


class SystemHandlersResource:
    scope = Scope.ADMIN
    openapi = {"get": {"summary": "Handler plugins loaded and failed (name, error), and the portal handlers in the "
                                  "order they are tried: what each matches, its priority, its plugin",
                       "responses": {"200": ("the handlers this process routes to", HandlersReport)}}}

    def __init__(self, router: Router) -> None:
        self.router = router

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = handlers_report(self.router).model_dump(mode="json")
