"""The portal handlers. Every module in this package is imported, and every handler defined in one registers.

To add a handler, add a module here with a :class:`~ingress.portals.handler.Handler` (or
:class:`~ingress.portals.handler.SceneHandler`) subclass; nothing else needs editing.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
