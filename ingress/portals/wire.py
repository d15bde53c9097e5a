"""One Redis connection driven at the wire: a command is one ``sendall``, its reply one ``recv_into`` (usually).

The portal's request threads each own one (:class:`ingress.portals.ledger.Ledger`). redis-py connects it (the
URL's host or socket, TLS, AUTH, SELECT, its connect timeout); after that, commands skip the client's layers:
hiredis packs the command and parses the reply, nothing else runs. That is a third of the CPU redis-py's own
``send_command`` / ``read_response`` spend, on the one round trip every callback makes.

On a plain socket the timeout is the kernel's (``SO_RCVTIMEO`` / ``SO_SNDTIMEO``) rather than Python's, which
would poll the socket before every send and every receive: two system calls fewer per round trip. Errors are
redis-py's: a reply error as its parser maps it (``NoScriptError``...), ``redis.TimeoutError`` when Redis does
not answer in time, ``redis.ConnectionError`` when the connection fails. After a timeout or a failure the link
is closed (a late reply must not answer the next command); make a new one.
"""

from __future__ import annotations

import socket
import ssl
import struct
from typing import Any

import hiredis
import redis
from redis._parsers import BaseParser

#: Bytes read at a time: every reply the portal reads (a claim, a stored reply) fits in one read.
READ_SIZE = 64 * 1024

#: What hiredis returns when the reply is not complete yet.
_INCOMPLETE = object()


def bulk(argument: bytes) -> bytes:
    """One argument in Redis's wire form: a command is ``*<count>\\r\\n`` and then its arguments so."""
    return b"$%d\r\n%b\r\n" % (len(argument), argument)


class Link:
    """This thread's connection to Redis (not thread-safe: one per thread).

    :param connection: a redis-py connection, not yet connected; the link connects it and then drives its socket.
    :param timeout: seconds a send or a reply may take.
    """

    def __init__(self, connection: redis.Connection, timeout: float) -> None:
        self.connection = connection
        connection.connect()  # redis.ConnectionError / TimeoutError if Redis cannot be reached
        sock = connection._sock
        if sock is None:
            raise redis.ConnectionError("the connection has no socket")
        if not isinstance(sock, ssl.SSLSocket):
            seconds = int(timeout)
            value = struct.pack("ll", seconds, int((timeout - seconds) * 1_000_000))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, value)
            sock.settimeout(None)
        self.sock = sock
        self.reader = hiredis.Reader(replyError=BaseParser.parse_error, notEnoughData=_INCOMPLETE)
        self.buffer = bytearray(READ_SIZE)
        self.view = memoryview(self.buffer)

    def call(self, *command: Any) -> Any:
        """Send one command, return its reply; raise its error reply as redis-py would."""
        return self.call_packed(hiredis.pack_command(command))

    def call_packed(self, command: bytes) -> Any:
        """:meth:`call` for a command already in its wire form (see :func:`bulk`)."""
        try:
            self.sock.sendall(command)
            while (reply := self.reader.gets()) is _INCOMPLETE:
                size = self.sock.recv_into(self.buffer)
                if not size:
                    raise redis.ConnectionError("Redis closed the connection")
                self.reader.feed(self.view, 0, size)
        except (TimeoutError, BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError) as exc:
            self.close()
            raise redis.TimeoutError(f"Redis did not answer in time: {exc}") from exc
        except (OSError, redis.ConnectionError) as exc:
            self.close()
            if isinstance(exc, redis.ConnectionError):
                raise
            raise redis.ConnectionError(f"the connection to Redis failed: {exc}") from exc
        if isinstance(reply, Exception):
            if isinstance(reply, redis.ConnectionError):  # e.g. LOADING: this Redis cannot serve yet
                self.close()
            raise reply
        return reply

    def close(self) -> None:
        self.connection.disconnect()
