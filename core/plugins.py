"""Handler plugins: packages that add portal handlers and follow-ups without editing imbridge's tree.

A plugin is a module. It is found two ways: through the ``imbridge.handlers`` entry-point group of any installed
distribution, and through the ``portal.handler-modules`` list in the config (a module on ``sys.path``). Importing
it is all it takes: its :class:`~imbridge.handlers.Handler` subclasses and ``@follow_up`` functions register
themselves. The ingress loads plugins when it builds its portals, each worker when it boots, so a handler's
follow-up finds its function in the worker.

A plugin that fails to import is logged with its name and skipped: one broken package must not take the portal
(and every other handler) down.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points

log = logging.getLogger(f"imbridge.{__name__}")

#: The entry-point group a plugin distribution declares its module under.
ENTRY_POINT_GROUP = "imbridge.handlers"


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that did not load: its name (entry point or module) and why."""

    name: str
    error: str


@dataclass(frozen=True)
class LoadedPlugin:
    """A plugin that loaded: its name, the module imported, and where it was found (``entry-point``, ``config``),
    so the admin page can say which handlers came from which plugin."""

    name: str
    module: str
    source: str


@dataclass(frozen=True)
class PluginReport:
    loaded: list[LoadedPlugin]
    failed: list[PluginFailure]


def load_plugins(modules: Iterable[str] = ()) -> list[PluginFailure]:
    """Import every plugin (the entry-point group's, then ``modules``); returns those that failed.

    Importing is idempotent, so calling this in each process (or twice in one) loads each plugin once.
    """
    return load_plugin_report(modules).failed


def load_plugin_report(modules: Iterable[str] = ()) -> PluginReport:
    """Like :func:`load_plugins`, and also which plugins loaded."""
    report = PluginReport([], [])
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        module = entry_point.value.split(":", 1)[0].strip()
        _load(report, LoadedPlugin(f"{entry_point.name} ({entry_point.value})", module, "entry-point"),
              entry_point.load)
    for module in modules:
        _load(report, LoadedPlugin(module, module, "config"), lambda module=module: importlib.import_module(module))
    return report


def _load(report: PluginReport, plugin: LoadedPlugin, load: Callable[[], object]) -> None:
    try:
        load()
    except Exception as exc:  # any error in a plugin's import is the plugin's, never the portal's
        error = f"{type(exc).__name__}: {exc}"
        log.error("handler plugin %s failed to load and is skipped: %s", plugin.name, error)
        report.failed.append(PluginFailure(plugin.name, error))
        return
    log.info("handler plugin %s loaded", plugin.name)
    report.loaded.append(plugin)
