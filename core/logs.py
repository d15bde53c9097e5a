"""Logging for every imbridge process: levels per logger and the line format, from ``logging`` in the settings.

Each serving process calls :func:`configure_logging` once it knows its settings (the command line for ``up``,
``ingress``, ``scheduler``; each Dramatiq worker process as it loads the broker; each ingress server process as it
loads the app), so a process started by another logs the same way. ``format: json`` writes one JSON object a line
(python-json-logger) for a log pipeline: ``time``, ``level``, ``logger``, ``message``, the ids of
:mod:`core.log_context` as fields, ``exc_info``.

Only the root's plain stderr handlers (``logging.basicConfig``'s, Dramatiq's) and our own are replaced: a handler
someone else installed (a test's capture, a secret guard) stays.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from config.settings import LoggingSettings
from core.log_context import LogIds

#: Text lines: when, how bad, who, what, and the ids the line is about.
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(ids)s"
#: Libraries that say too much at INFO; ``logging.levels`` may still set them.
QUIET_LIBRARIES = {"apscheduler": "WARNING", "httpx": "WARNING", "httpcore": "WARNING"}


class _ImbridgeHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Ours: the one a later :func:`configure_logging` replaces."""


def formatter(settings: LoggingSettings) -> logging.Formatter:
    if settings.format == "json":
        return JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                             rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                             reserved_attrs=[*RESERVED_ATTRS, "ids"])
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(settings: LoggingSettings) -> None:
    """Apply ``settings`` to this process: one stderr handler on the root, the levels of ``level`` and ``levels``."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if type(handler) in (logging.StreamHandler, _ImbridgeHandler):
            root.removeHandler(handler)
    handler = _ImbridgeHandler(sys.stderr)
    handler.setFormatter(formatter(settings))
    handler.addFilter(LogIds())
    root.addHandler(handler)
    root.setLevel(settings.level)
    for name, level in {**QUIET_LIBRARIES, "imbridge": settings.level, **settings.levels}.items():
        logging.getLogger(name).setLevel(level)
