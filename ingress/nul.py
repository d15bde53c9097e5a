"""NUL characters (U+0000) are refused wherever a request carries text: PostgreSQL cannot store them.

A text column or parameter with a NUL fails inside the database driver (a 500 on PostgreSQL, while SQLite
takes it), so a NUL in the path, a query parameter, the API key or a JSON body is a 400 / 422 at the edge.
No platform, and no honest client, sends one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import falcon

from ingress.errors import ApiError, unprocessable

NUL = "\x00"


def nul_location(value: Any, where: str = "body") -> str | None:
    """Where in a decoded JSON value the first string (or key) holding a NUL is, as ``a.b.0``; None if nowhere."""
    stack: list[tuple[str, Any]] = [(where, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return path
        elif isinstance(item, dict):
            for key, child in item.items():
                if NUL in key:
                    return path
                stack.append((f"{path}.{key}", child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{n}", child) for n, child in enumerate(item))
    return None


def refuse_nul_in_json(data: Any) -> None:
    location = nul_location(data)
    if location is not None:
        raise unprocessable("the request is not valid", [
            {"field": location.removeprefix("body.") or "body", "message": "text may not contain NUL characters",
             "type": "nul_character"}])


def _params(req: falcon.Request) -> Iterable[str]:
    for name, value in req.params.items():
        yield name
        yield from (value if isinstance(value, list) else [value])


def _query_may_hold_nul(query_string: str) -> bool:
    """False when no parameter can decode to a NUL: the raw query has neither a NUL nor its escape ``%00``.

    One scan of the raw string instead of every decoded name and value (a callback carries a dozen).
    """
    return NUL in query_string or "%00" in query_string


class RefuseNul:
    """Middleware: a NUL in the path, the query or the Authorization header is a 400 before anything runs."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if NUL in req.path:
            raise ApiError(falcon.HTTP_400, "the path may not contain NUL characters", code="bad_request")
        if _query_may_hold_nul(req.query_string) and any(NUL in text for text in _params(req)):
            raise ApiError(falcon.HTTP_400, "the query may not contain NUL characters", code="bad_request")
        if NUL in (req.get_header("Authorization") or ""):
            raise ApiError(falcon.HTTP_400, "the Authorization header may not contain NUL characters",
                           code="bad_request")
