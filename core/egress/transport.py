"""An httpx transport that connects only where :class:`DestinationPolicy` permits, and only until a deadline.

Checking a URL's host before the request is not enough: the name can resolve to a public address when checked
and to 127.0.0.1 when httpx resolves it again to connect (DNS rebinding). So the network backend resolves the
name itself, judges every address, and connects to an address it judged - never to the name. TLS still
verifies the URL's host name: httpcore starts TLS on the connected stream with ``server_hostname`` set to the
URL's host, so SNI and the certificate check are those of the name, not of the address.

The deadline covers the whole exchange: the lookup, the connect, the TLS handshake, every write and every read
each wait at most the time left, so a receiver dripping a byte at a time cannot hold the thread past it.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import httpcore
import httpx

from core.egress.policy import DestinationPolicy

log = logging.getLogger(f"imbridge.{__name__}")

#: A resolver: ``(host, port)`` -> the addresses to try, in order (``socket.getaddrinfo`` by default).
Resolve = Callable[[str, int], Sequence[str]]

#: Lookups run in this many threads at most: ``getaddrinfo`` has no timeout of its own, so it runs beside the
#: delivery, which waits only until its deadline (a name server that never answers cannot hold it longer).
RESOLVER_THREADS = 4
#: Writes are cut into pieces of this size, each waiting at most the time left: one socket write that makes a
#: little progress now and then would otherwise restart its timeout every time.
WRITE_PIECE_BYTES = 1024


class DestinationRefused(Exception):
    """Every address the host resolved to is outside the policy: no connection was made."""


def system_resolve(host: str, port: int) -> list[str]:
    """The host's addresses, as ``getaddrinfo`` gives them (IPv6 link-local ones with their scope)."""
    addresses: list[str] = []
    for family, _, _, _, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = str(sockaddr[0])
        if family == socket.AF_INET6 and sockaddr[3] and "%" not in address:
            address = f"{address}%{sockaddr[3]}"
        if address not in addresses:
            addresses.append(address)
    return addresses


class Deadline:
    """A point in time (``time.monotonic()``) that every wait of one exchange is measured against."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def left(self, timeout: float | None, expired: type[Exception]) -> float:
        """The smaller of ``timeout`` and the time left; raises ``expired`` once none is left."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise expired("deadline passed")
        return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A connected stream whose every read, write and TLS handshake ends by the deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self.stream = stream
        self.deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.stream.read(max_bytes, self.deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        view = memoryview(buffer)
        for start in range(0, len(view), WRITE_PIECE_BYTES):
            piece = bytes(view[start:start + WRITE_PIECE_BYTES])
            self.stream.write(piece, self.deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        secured = self.stream.start_tls(ssl_context, server_hostname,
                                        self.deadline.left(timeout, httpcore.ConnectTimeout))
        return DeadlineStream(secured, self.deadline)

    def get_extra_info(self, info: str) -> object:
        return self.stream.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves, judges and connects to the judged address, all by the deadline.

    :param backend: what makes the connection (``httpcore.SyncBackend()``; tests may record instead).
    """

    def __init__(self, policy: DestinationPolicy, deadline: Deadline, resolve: Resolve,
                 lookups: ThreadPoolExecutor, backend: httpcore.NetworkBackend) -> None:
        self.policy, self.deadline, self.resolve = policy, deadline, resolve
        self.lookups, self.backend = lookups, backend

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        permitted = self._permitted(host, port, timeout)
        failure: Exception | None = None
        for address in permitted:
            try:
                stream = self.backend.connect_tcp(address, port, self.deadline.left(timeout, httpcore.ConnectTimeout),
                                                  local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return DeadlineStream(stream, self.deadline)
        assert failure is not None
        raise failure

    def _permitted(self, host: str, port: int, timeout: float | None) -> list[str]:
        lookup = self.lookups.submit(self.resolve, host, port)
        try:
            addresses = lookup.result(self.deadline.left(timeout, httpcore.ConnectTimeout))
        except FutureTimeout:
            lookup.cancel()
            raise httpcore.ConnectTimeout(f"looking up {host} took too long") from None
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        permitted = [a for a in addresses if self.policy.permits(a)]
        if not permitted:
            reasons = {a: self.policy.refusal(a) for a in addresses}
            raise DestinationRefused(f"{host} resolves to no permitted address: {reasons or 'none'}")
        return permitted

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        raise DestinationRefused("Unix sockets are never a destination")

    def sleep(self, seconds: float) -> None:
        self.backend.sleep(seconds)


#: httpcore's exceptions and the httpx ones callers catch, the most specific first.
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout), (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout), (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException), (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError), (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError), (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError), (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    """httpcore's errors raised as httpx's, which is what callers of an httpx client catch."""
    try:
        yield
    except tuple(theirs for theirs, _ in _ERRORS) as exc:
        kind = next(mine for theirs, mine in _ERRORS if isinstance(exc, theirs))
        raise kind(str(exc)) from exc


class _ResponseBody(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self.stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx_errors():
            yield from self.stream

    def close(self) -> None:
        close = getattr(self.stream, "close", None)
        if close is not None:
            close()


class GuardedTransport(httpx.BaseTransport):
    """An HTTP/1.1 transport over a :class:`GuardedBackend`: one exchange's connections, closed with it."""

    def __init__(self, backend: GuardedBackend, ssl_context: ssl.SSLContext) -> None:
        self.pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=backend, max_connections=1,
                                            max_keepalive_connections=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port,
                             target=request.url.raw_path),
            headers=request.headers.raw, content=request.stream, extensions=request.extensions)
        with _as_httpx_errors():
            answer = self.pool.handle_request(core)
        assert isinstance(answer.stream, Iterable)
        return httpx.Response(status_code=answer.status, headers=answer.headers, stream=_ResponseBody(answer.stream),
                              extensions=answer.extensions)

    def close(self) -> None:
        self.pool.close()


class Egress:
    """Opens HTTP clients that reach only what ``policy`` permits, each bound to one deadline.

    Made once per process (it owns the lookup threads and the TLS context); a client per exchange.

    :param resolve: the resolver (``system_resolve``; tests hand in a mapping of their own).
    :param backend: what connects to a judged address (``httpcore.SyncBackend()``).

    Example::

        egress = Egress(DestinationPolicy(["10.20.0.0/16"]))
        with egress.client(5.0) as client, client.stream("POST", url, content=body) as response:
            ...
    """

    def __init__(self, policy: DestinationPolicy, *, resolve: Resolve = system_resolve,
                 backend: httpcore.NetworkBackend | None = None, ssl_context: ssl.SSLContext | None = None) -> None:
        self.policy, self.resolve = policy, resolve
        self.backend = backend or httpcore.SyncBackend()
        self.ssl_context = ssl_context or httpcore.default_ssl_context()
        self.lookups = ThreadPoolExecutor(RESOLVER_THREADS, thread_name_prefix="egress-lookup")

    def client(self, seconds: float) -> httpx.Client:
        """A client whose requests (lookup, connect, send, every read) all end within ``seconds`` from now.

        Redirects are not followed and no proxy from the environment is used: the URL is the destination.
        """
        backend = GuardedBackend(self.policy, Deadline(seconds), self.resolve, self.lookups, self.backend)
        return httpx.Client(transport=GuardedTransport(backend, self.ssl_context), follow_redirects=False,
                            trust_env=False, timeout=seconds)

    def close(self) -> None:
        self.lookups.shutdown(wait=False, cancel_futures=True)
