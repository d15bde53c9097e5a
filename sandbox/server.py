"""Running the sandbox: under gunicorn for ``imbridge sandbox`` / ``imbridge up``, in a thread for tests.

One process on purpose: the fake platforms' state (tokens, robots' rate windows, one-shot media ids) must be the
same for every request, as it is on the real platforms. Many threads, because injected latency and timeouts
must not hold up other requests (a 100 ms latency rule would otherwise cap the sandbox at 10 requests a second).
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Callable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from gunicorn.app.base import BaseApplication

from config import Settings
from sandbox.app import create_app
from sandbox.state import SandboxState

#: Threads of the one gthread worker: enough for a benchmark's concurrency plus requests held by faults.
THREADS = 64


class SandboxApplication(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured in code: one gthread worker, :data:`THREADS` threads."""

    def __init__(self, app: Any, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._app


def gunicorn_options(settings: Settings, threads: int = THREADS) -> dict[str, Any]:
    return {
        "bind": f"{settings.sandbox.host}:{settings.sandbox.port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": threads,
        # A request held by a "timeout" fault must not get the worker killed.
        "timeout": 120,
        "graceful_timeout": 5,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "imbridge-sandbox",
    }


def serve(settings: Settings, state: SandboxState | None = None) -> None:
    """Serve the sandbox on ``settings.sandbox.host:port`` until stopped (SIGINT/SIGTERM)."""
    SandboxApplication(create_app(settings, state), gunicorn_options(settings)).run()


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_in_thread(settings: Settings, port: int = 0, state: SandboxState | None = None,
                    host: str = "127.0.0.1") -> tuple[str, Callable[[], None]]:
    """Start the sandbox in a background thread; returns its base URL and a function that stops it.

    ``port=0`` picks a free port. Requests held by timeout faults are let go by ``stop``.

    Example::

        url, stop = serve_in_thread(settings)
        try:
            httpx.get(f"{url}/_sandbox/health")
        finally:
            stop()
    """
    state = state or SandboxState.from_settings(settings)
    server = make_server(host, port, create_app(settings, state), server_class=_ThreadingServer,
                         handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="sandbox", daemon=True)
    thread.start()

    def stop() -> None:
        state.faults.release()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://{host}:{server.server_port}", stop
