"""A fake platform for client tests: an ``httpx.MockTransport`` handler that records what it was sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from email.parser import BytesParser
from email.policy import default
from typing import Any

import httpx

from platforms.transport import Transport

Route = Callable[[httpx.Request], httpx.Response] | dict[str, Any] | tuple[int, Any]


class FakePlatform:
    """Answers each request from ``routes`` (keyed by path) or, failing that, from ``answers`` in order.

    An answer is a JSON dict (HTTP 200), a ``(status, json)`` pair, or a callable taking the request.
    """

    def __init__(self, *answers: Route, routes: dict[str, Route] | None = None) -> None:
        self.answers = list(answers)
        self.routes = routes or {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.routes.get(request.url.path)
        if answer is None:
            assert self.answers, f"unexpected request {request.method} {request.url}"
            answer = self.answers.pop(0)
        if callable(answer):
            return answer(request)
        status, body = answer if isinstance(answer, tuple) else (200, answer)
        return httpx.Response(status, json=body)

    def transport(self, platform: str, base_url: str = "https://api.test/prefix") -> Transport:
        return Transport(platform, base_url, client=httpx.Client(transport=httpx.MockTransport(self)))

    def calls(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]

    def last(self, path: str) -> httpx.Request:
        matching = self.calls(path)
        assert matching, f"no request to {path}; saw {[r.url.path for r in self.requests]}"
        return matching[-1]


def json_body(request: httpx.Request) -> Any:
    assert request.headers["content-type"].startswith("application/json")
    return json.loads(request.content)


def multipart(request: httpx.Request) -> dict[str, tuple[str | None, bytes, str]]:
    """``{field: (filename, content, content_type)}`` of a multipart request."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=default).parsebytes(head + request.read())
    assert message.is_multipart()
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[name] = (part.get_filename(), part.get_payload(decode=True), part.get_content_type())
    return parts
