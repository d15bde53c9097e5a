"""A worker process's broker and runtime: the actors declared on the broker it builds, the runtime built when its
worker boots (a Dramatiq middleware), never at import and never in a module global.

So importing the worker module connects to nothing; each worker process (Dramatiq forks several) opens its own
Redis and database connections; and a test runs an in-process worker on the runtime it made itself.

Example (what :mod:`workers.main` does for ``imbridge worker``)::

    broker = worker_broker(load_settings())
    Worker(broker).start()
"""

from __future__ import annotations

import threading

import dramatiq

from config import Settings
from core.broker import broker_from_settings
from core.plugins import load_plugins
from core.runtime import Runtime
from core.tasks import Tasks
from workers.actors import ACTORS, declare_actors
from workers.context import ActorContext
from workers.log_ids import add_message_log_ids


class RuntimeBoot(dramatiq.Middleware):
    """Builds the :class:`ActorContext` when the first worker on its broker boots; closes it after the last stops.

    :param settings: what the runtime is built from.
    :param runtime: a runtime to use instead (an in-process worker in a test); it is left open.
    """

    def __init__(self, settings: Settings, runtime: Runtime | None = None) -> None:
        self.settings = settings
        self.runtime = runtime
        self._context: ActorContext | None = None
        self._workers = 0
        self._lock = threading.Lock()

    @classmethod
    def of(cls, broker: dramatiq.Broker) -> RuntimeBoot:
        """The one on ``broker`` (a broker :func:`worker_broker` built)."""
        return next(middleware for middleware in broker.middleware if isinstance(middleware, cls))

    @property
    def context(self) -> ActorContext:
        """The booted worker's context.

        :raises RuntimeError: no worker on this broker has booted (or the last one stopped).
        """
        context = self._context
        if context is None:
            raise RuntimeError("no worker has booted on this broker")
        return context

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        with self._lock:
            if self._context is None:
                load_plugins(self.settings.portal.handler_modules)  # their follow-ups run here
                runtime = self.runtime or Runtime.from_settings(self.settings)
                self._context = ActorContext(runtime, Tasks(broker))
            self._workers += 1

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        with self._lock:
            self._workers -= 1
            if self._workers > 0 or self._context is None:
                return
            context, self._context = self._context, None
        if self.runtime is None:
            context.runtime.close()


def worker_broker(settings: Settings, runtime: Runtime | None = None) -> dramatiq.Broker:
    """The configured broker with :class:`RuntimeBoot` and every imbridge actor declared on it.

    :param runtime: see :class:`RuntimeBoot` (built from ``settings`` at boot when not given).
    """
    broker = broker_from_settings(settings)
    boot = RuntimeBoot(settings, runtime)
    broker.add_middleware(boot)
    declare_actors(broker, lambda: boot.context)
    add_message_log_ids(broker, ACTORS)
    return broker
