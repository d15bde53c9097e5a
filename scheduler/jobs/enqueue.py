"""How scheduler jobs reach the broker: an actor bound to this runtime's broker, set up on first use.

The scheduler process has no broker of its own until a job needs one, and tests call jobs with runtimes on
different Redis databases, so the broker is kept per URL and re-bound when the actor was bound elsewhere.
"""

from __future__ import annotations

import threading

import dramatiq

from core.broker import setup_broker
from core.runtime import Runtime

_brokers: dict[str | None, dramatiq.Broker] = {}
_lock = threading.Lock()


def bound(actor: dramatiq.Actor, runtime: Runtime) -> dramatiq.Actor:
    """``actor``, bound to the broker of ``runtime``'s settings."""
    url = runtime.settings.broker_url
    with _lock:
        broker = _brokers.get(url)
        if broker is None or actor.broker is not broker:
            _brokers[url] = setup_broker(runtime.settings)
    return actor
