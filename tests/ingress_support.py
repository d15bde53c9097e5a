"""The ingress over real HTTP in a thread, for tests where something outside the process must reach it (the
sandbox posting WeChat's events, ``sandbox.callbacks`` playing a platform)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from config import Settings
from core.runtime import Runtime
from ingress import create_app


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def served_ingress(settings: Settings, runtime: Runtime) -> Iterator[str]:
    """The ingress app of ``runtime`` on a free loopback port; its base URL. Stopped on leaving."""
    server = make_server("127.0.0.1", 0, create_app(settings, runtime), server_class=_Server, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
