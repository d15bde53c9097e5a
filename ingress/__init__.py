"""The Falcon ingress: validates, records, enqueues and answers. It never calls a platform.

``create_app`` is imported on first use, not with the package: ``imbridge ingress`` imports
:mod:`ingress.server` and must set ``PROMETHEUS_MULTIPROC_DIR`` before the app (and prometheus_client with it)
is imported.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from ingress.app import create_app

        return create_app
    raise AttributeError(f"module 'ingress' has no attribute {name!r}")
