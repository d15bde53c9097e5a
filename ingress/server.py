"""Serve the ingress with gunicorn (threads, a few processes): ``imbridge ingress``.

On Linux each worker process listens on a socket of its own (``SO_REUSEPORT``), and the kernel spreads new
connections over them (by a hash of each connection). On one shared socket, whichever process wakes first
accepts, and under keep-alive traffic (a proxy's pooled connections, a platform's) one process often ends up
with nearly all of them: its interpreter lock then caps the whole ingress at one core while the others idle
(measured with 16 connections and 2 processes: splits of 16/0 and 14/2 were common, and halved the
throughput).
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from config import Settings

#: A WSGI application.
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


def _forget_worker_metrics(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


#: How long a port still held (by a predecessor shutting down) is waited for before giving up.
PORT_WAIT_SECONDS = 5.0


def _say_where(server: Any) -> None:
    # gunicorn's own "Listening at:" line is empty when the workers bind (there is no shared socket).
    if server.cfg.reuse_port:
        server.log.info("Serving http://%s: each worker process accepts on its own socket", server.cfg.bind[0])


class IngressServer(BaseApplication):
    def __init__(self, settings: Settings, options: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.options = {
            "bind": f"{settings.ingress.host}:{settings.ingress.port}",
            "workers": settings.ingress.workers,
            "worker_class": "gthread",
            "threads": 32,
            "timeout": 60,
            "graceful_timeout": 5,
            "accesslog": None,
            "limit_request_line": 8190,
            "child_exit": _forget_worker_metrics,
            "when_ready": _say_where,
            "control_socket_disable": True,
            # Linux balances connections over SO_REUSEPORT sockets; the BSDs and macOS give them all to one.
            "reuse_port": sys.platform == "linux",
            **(options or {}),
        }
        super().__init__()

    def run(self) -> None:
        ensure_port_free(self.settings.ingress.host, self.settings.ingress.port,
                         self.settings.ingress.port_wait_seconds)
        super().run()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        from ingress.app import create_app

        return closing_when_asked(create_app(self.settings))


def closing_when_asked(app: WsgiApp) -> WsgiApp:
    """The app's ``Connection: close`` made gunicorn's own.

    gunicorn drops an application's hop-by-hop headers (PEP 3333 reserves them to the server) and keeps the
    connection open; the app says ``close`` when it left a request body unread (:mod:`ingress.keepalive`), which
    gunicorn would read away only up to 64 KiB before closing a connection it announced as kept alive. The
    response gunicorn hands the app as ``start_response`` has a public ``force_close()`` for exactly this.
    """

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if any(name.lower() == "connection" and value.lower() == "close" for name, value in headers):
                force_close = getattr(getattr(start_response, "__self__", None), "force_close", None)
                if force_close is not None:
                    force_close()
            return start_response(status, headers, exc_info)

        return app(environ, start)

    return serve


def ensure_port_free(host: str, port: int, wait_seconds: float = PORT_WAIT_SECONDS) -> None:
    """Exit with a clear message when something listens on ``host:port`` (after ``wait_seconds``).

    With ``SO_REUSEPORT`` a second ingress on the same port would bind without complaint and quietly take
    half the connections; a bind without the option fails on any listener there, so it tells. A predecessor
    still shutting down is given a few seconds, as gunicorn's own bind does.
    """
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise SystemExit(f"ingress: cannot listen on {host}:{port}: {exc}") from None
    family, kind, protocol, _, address = addresses[0]
    deadline = time.monotonic() + wait_seconds
    while True:
        with socket.socket(family, kind, protocol) as probe:
            # SO_REUSEADDR: a closed connection's TIME_WAIT is no listener.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
                return
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE or time.monotonic() >= deadline:
                    raise SystemExit(f"ingress: cannot listen on {host}:{port}: {exc.strerror} "
                                     "(another ingress, or another server, holds it)") from None
        time.sleep(0.25)


def serve(settings: Settings) -> None:
    metrics_dir = settings.var_dir.resolve() / "metrics" / f"ingress-{settings.ingress.port}"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(mode=0o700, parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    IngressServer(settings).run()
