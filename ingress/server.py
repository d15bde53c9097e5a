"""Serve the ingress with granian (a compiled HTTP server; WSGI, threads, a few processes): ``imbridge ingress``.

granian parses HTTP in Rust (hyper) and calls the Falcon app on a pool of Python threads per worker process: the
pure-Python HTTP handling gunicorn did cost half a portal callback. What the ingress relies on, each tested in
``tests/foundation/test_ingress_server.py``:

- On Linux each worker process listens on a socket of its own (``SO_REUSEPORT``) and the kernel spreads new
  connections over them; on one shared socket, under keep-alive traffic, one process often ends up with nearly
  all of them, and its interpreter lock caps the ingress at one core.
- A response carrying ``Connection: close`` (the app says so when it left a request body unread,
  :mod:`ingress.keepalive`) closes the connection after it: hyper honours the header as given.
- A worker that dies is replaced (``respawn_failed_workers``); SIGTERM or SIGINT stops the workers, each given
  :data:`GRACE_SECONDS` to finish what it serves.
- ``imbridge ingress`` checks the settings and the port, then becomes granian's leader (:mod:`ingress.leader`),
  which imports granian only; each worker process loads the settings and builds the app
  (:func:`load_configured_app`). With two or more worker processes the leader imports the app's modules first,
  for them to share (:func:`preload_app_modules`).
- The request body is streamed to the app as it reads it, so the app's body limits refuse before the bytes are
  held; a chunked body reaches the app decoded and ends at its last chunk (:func:`input_terminated`).

granian is pinned below its next minor version in ``pyproject.toml``: the per-worker sockets, the
``Connection: close`` handling and the chunked input are its behaviour, not its documented API.
"""

from __future__ import annotations

import errno
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.metrics_dir import use_metrics_dir

if TYPE_CHECKING:  # (the leader, ingress.leader, imports this module and never the settings)
    from config import Settings

#: A WSGI application.
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Any]

#: How long a port still held (by a predecessor shutting down) is waited for before giving up.
PORT_WAIT_SECONDS = 5.0
#: Seconds a worker process gets after SIGTERM to finish the requests it serves before it is killed.
GRACE_SECONDS = 5
#: Seconds a connection may take to send a request's headers.
HEADER_READ_TIMEOUT_SECONDS = 30


def load_app(settings: Settings, target: str = "") -> WsgiApp:
    """The app, built in each worker process (granian calls this after starting the process, which may be
    spawned rather than forked: the process's logging is set up here, not inherited)."""
    from prometheus_client import multiprocess

    from core.logs import configure_logging

    configure_logging(settings.logging)
    forget_dead_processes(multiprocess.mark_process_dead)
    from ingress.app import create_app

    return input_terminated(create_app(settings))


def load_configured_app(target: str = "") -> WsgiApp:
    """:func:`load_app` with the settings the environment names (``IMBRIDGE_CONFIG``, ``IMBRIDGE_*``), as
    ``imbridge ingress`` loaded them: in a worker process of the leader, which holds none. (granian hands its
    target name, unused.)"""
    from config import load_settings

    return load_app(load_settings(), target)


def input_terminated(app: WsgiApp) -> WsgiApp:
    """The app, told that the request body ends where the request does (``wsgi.input_terminated``).

    granian's ``wsgi.input`` reads a chunked body decoded and returns ``b""`` after its last chunk (hyper reads
    the framing), but does not say so in the environ; :mod:`ingress.bodies` reads chunked bodies only on a
    server that does.
    """

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        environ["wsgi.input_terminated"] = True
        return app(environ, start_response)

    return serve


def forget_dead_processes(mark_dead: Callable[[int], None]) -> None:
    """Mark every process whose metric files are in the multiprocess directory but which has exited as dead.

    A worker that crashed (and was replaced) leaves its files; its counters still count (they are the totals
    of what it did), but its live gauges must go. Each new worker process does this as it starts.
    """
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    pids = set()
    for path in Path(directory).glob("*.db"):
        pid = path.stem.rpartition("_")[2]
        if pid.isdigit():
            pids.add(int(pid))
    for pid in pids - {os.getpid()}:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            mark_dead(pid)
        except PermissionError:  # alive, someone else's (a reused pid)
            pass


def preload_app_modules() -> None:
    """Import the app's modules in the parent, then freeze them out of the garbage collector's sight.

    granian forks its worker processes (``multiprocessing``'s default start method on Linux before Python 3.14):
    modules imported here are pages every worker shares until one writes to them, where each worker importing
    its own would hold a private copy (about 45 MB of the app's 80). ``gc.freeze`` keeps a collection in a worker
    from writing to every inherited object's header, which would copy those pages anyway. Only modules: the app
    (its Redis and database connections, its threads) is built in each worker by :func:`load_app`.
    ``bench/memory.py``: the ingress and its two workers 139 MB idle this way (179 MB after 1,000 callbacks and
    1,000 notifications), 192 MB with a parent that imported only the settings. With one worker process the
    parent's copy would be shared with nobody: the leader then imports granian only.
    """
    import gc

    import ingress.app  # noqa: F401  (the modules, for the workers to inherit)

    gc.freeze()


@dataclass(frozen=True)
class ServerOptions:
    """What the server needs of the settings (``ingress.*``), handed to the leader on its command line."""

    host: str
    port: int
    workers: int
    threads: int

    @classmethod
    def of(cls, settings: Settings) -> ServerOptions:
        ingress = settings.ingress
        return cls(ingress.host, ingress.port, ingress.workers, ingress.threads)


def build_server(options: ServerOptions) -> Any:
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server import Server

    return Server(
        "ingress.app:create_app",  # (a name for granian's logs and process titles: the app comes from load_app)
        address=options.host,
        port=options.port,
        interface=Interfaces.WSGI,
        workers=options.workers,
        blocking_threads=options.threads,
        # (backpressure, the connections a process serves at once, stays granian's: the backlog over the workers.
        # Keep-alive connections count while idle: 200 browsers long-polling must not lock /healthz out.)
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_TIMEOUT_SECONDS * 1000, keep_alive=True),
        respawn_failed_workers=True,
        workers_kill_timeout=GRACE_SECONDS,
        log_level=LogLevels.info,
        log_access=False,
    )


def ensure_port_free(host: str, port: int, wait_seconds: float = PORT_WAIT_SECONDS) -> None:
    """Exit with a clear message when something listens on ``host:port`` (after ``wait_seconds``).

    With ``SO_REUSEPORT`` a second ingress on the same port would bind without complaint and quietly take
    half the connections; a bind without the option fails on any listener there, so it tells. A predecessor
    still shutting down is given a few seconds.
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
    """Check the port, name the metrics directory, and become the leader (:mod:`ingress.leader`; does not return)."""
    ensure_port_free(settings.ingress.host, settings.ingress.port, settings.ingress.port_wait_seconds)
    # Before the worker processes are forked (they import prometheus_client as they build the app); the
    # environment carries it through the exec.
    use_metrics_dir(settings.var_dir, f"ingress-{settings.ingress.port}")
    from ingress.leader import become_leader

    become_leader(ServerOptions.of(settings))


def lead(options: ServerOptions) -> None:
    """Serve until stopped: granian's leader, forking ``options.workers`` worker processes."""
    if options.workers > 1:  # (with one, the leader's copy would be shared with nobody)
        preload_app_modules()
    build_server(options).serve(target_loader=load_configured_app)
