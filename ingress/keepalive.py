"""A response that leaves the request body unread closes the connection, and says so.

Refusals answer before reading (a body over its limit, a caller without a key, a method the route lacks). The
unread bytes are still on the connection: a server either reads them away first or closes, and a server that
closes after announcing keep-alive fails the client's next request on that connection. So such a response
carries ``Connection: close`` and the client opens a new one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

import falcon

from ingress.bodies import is_chunked


class CountingInput:
    """The request's input stream, counting what was read of it and whether its end was reached."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.consumed = 0
        self.ended = False

    def _count(self, data: bytes, to_the_end: bool = False) -> bytes:
        self.consumed += len(data)
        self.ended = self.ended or to_the_end or not data
        return data

    def read(self, size: int | None = -1) -> bytes:
        whole = size is None or size < 0
        return self._count(self.stream.read() if whole else self.stream.read(size), whole)

    def readline(self, size: int | None = -1) -> bytes:
        return self._count(self.stream.readline() if size is None else self.stream.readline(size))

    def readlines(self, hint: int = -1) -> list[bytes]:
        lines = self.stream.readlines(hint)
        self._count(b"".join(lines), hint is None or hint <= 0)
        return lines

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")


class CloseUnreadBodies:
    """Middleware: ``Connection: close`` on the response to a request whose body was not read to its end.

    Put it first, so it wraps the input before anything reads it.
    """

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.counted_input = req.env["wsgi.input"] = req.stream = CountingInput(req.stream)

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: object,
                         req_succeeded: bool) -> None:
        counted: CountingInput | None = getattr(req.context, "counted_input", None)
        if counted is not None and not body_read(req, counted):
            resp.set_header("Connection", "close")


def body_read(req: falcon.Request, counted: CountingInput) -> bool:
    """Whether the request's body (if it has one) was read to its end."""
    if is_chunked(req):
        return counted.ended
    return counted.consumed >= (req.content_length or 0)
