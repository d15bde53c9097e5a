"""Token refresh: the scheduler is the one refresher, keeping every app's token ahead of its expiry.

Workers fetch only when the cache is empty (single flight in the token store); this job makes that rare.
A failing platform is logged and tried again at the next check, never in a loop.
"""

from __future__ import annotations

import logging

from core.runtime import Runtime

log = logging.getLogger(f"imbridge.{__name__}")


def refresh_tokens(runtime: Runtime) -> dict[str, str]:
    """Refresh each configured app's token if it is missing or within the margin; returns what happened."""
    clients = runtime.clients
    outcome = {}
    for name, source in clients.token_sources().items():
        try:
            clients.token_store.refresh(source.app_key, source.fetch)
            outcome[name] = "ok"
        except Exception as exc:  # one platform's failure must not stop the others
            log.warning("token refresh for %s failed: %s", name, exc)
            outcome[name] = f"failed: {type(exc).__name__}"
    return outcome
