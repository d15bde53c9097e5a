"""Running the sandbox: under granian for ``imbridge sandbox`` / ``imbridge up``, in a thread for tests.

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

from config import Settings
from sandbox.app import create_app
from sandbox.options import SandboxOptions
from sandbox.state import SandboxState

#: Threads of the one worker process: enough for a benchmark's concurrency plus requests held by faults.
THREADS = 64


def server_options(settings: Settings, threads: int = THREADS) -> dict[str, Any]:
    """granian's settings: one worker process (one state), :data:`THREADS` threads, no worker timeout (a request
    held by a "timeout" fault must not get the process killed)."""
    from granian.constants import HTTPModes, Interfaces
    from granian.log import LogLevels

    return {"address": settings.sandbox.host, "port": settings.sandbox.port, "interface": Interfaces.WSGI,
            "workers": 1, "blocking_threads": threads, "http": HTTPModes.http1, "workers_kill_timeout": 5,
            "log_level": LogLevels.warning, "log_access": False}


def ingress_portal(settings: Settings) -> str:
    """The ingress's WeChat portal as the sandbox reaches it (a wildcard listen address is reached on loopback)."""
    host = settings.ingress.host
    host = "127.0.0.1" if host in ("0.0.0.0", "", "::") else f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.ingress.port}/wechat/portal"


def _load(app: Any, target: str = "") -> Any:
    return app


def serve(settings: Settings, state: SandboxState | None = None) -> None:
    """Serve the sandbox on ``settings.sandbox.host:port`` until stopped (SIGINT/SIGTERM)."""
    import functools

    from granian.server import Server

    state = state or SandboxState.from_settings(settings, SandboxOptions(wechat_server_url=ingress_portal(settings)))
    app = create_app(settings, state)  # built here, before the worker process is forked from this one
    Server("sandbox.app:create_app", **server_options(settings)).serve(target_loader=functools.partial(_load, app))


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
        state.pushes.cancel()
        state.faults.release()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://{host}:{server.server_port}", stop
