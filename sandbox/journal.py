"""The journal: every platform request the sandbox answered, in order.

Tests and the demo read it (``GET /_sandbox/journal?path=menu/create``) to see exactly what imbridge sent and
what it was told, without patching anything. Uploaded files appear as name, size, type and md5, never bytes.
Access tokens in the query are sandbox fakes, so they are recorded as they came.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from typing import Any

import falcon

from sandbox.call import query_dict, read_body
from sandbox.clock import Clock
from sandbox.errors import PLATFORMS


class Journal:
    """A bounded, thread-safe list of entries.

    :param limit: the newest ``limit`` entries are kept.
    """

    def __init__(self, limit: int = 10000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)
        self._seq = itertools.count(1)

    def record(self, entry: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            entry = {"seq": next(self._seq), **entry}
            self._entries.append(entry)
        return entry

    def entries(self, path: str | None = None, platform: str | None = None,
                since: int | None = None) -> list[dict[str, Any]]:
        """Entries whose path contains ``path``, of ``platform``, with ``seq`` above ``since``."""
        with self._lock:
            items = list(self._entries)
        return [
            e for e in items
            if (path is None or path in e["path"])
            and (platform is None or e["platform"] == platform)
            and (since is None or e["seq"] > since)
        ]

    def resize(self, limit: int) -> None:
        """Keep the newest ``limit`` entries from now on."""
        with self._lock:
            self._entries = deque(self._entries, maxlen=limit)

    def clear(self, limit: int | None = None) -> None:
        with self._lock:
            self._entries = deque(maxlen=limit or self._entries.maxlen)


def platform_of(path: str) -> str | None:
    """``wechat`` for ``/wechat/...``, and so on; None for the control API and anything else."""
    head = path.split("/", 2)[1] if path.count("/") >= 1 else ""
    return head if head in PLATFORMS else None


class JournalMiddleware:
    """Reads each platform request's body up front and journals the request with its answer."""

    def __init__(self, journal: Journal, clock: Clock) -> None:
        self._journal = journal
        self._clock = clock

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        platform = platform_of(req.path)
        req.context.platform = platform
        if platform is not None:
            req.context.body = read_body(req)
            req.context.started = self._clock.now()

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: object,
                         req_succeeded: bool) -> None:
        platform = getattr(req.context, "platform", None)
        if platform is None or not hasattr(req.context, "body"):
            return
        body = req.context.body
        self._journal.record({
            "time": req.context.started,
            "platform": platform,
            "method": req.method,
            "path": req.path,
            "query": query_dict(req),
            "json": body.json,
            "form": body.form,
            "files": {name: f.describe() for name, f in body.files.items()},
            "status": int(resp.status_code),
            "response": _answered_json(resp),
        })


def _answered_json(resp: falcon.Response) -> Any:
    if resp.media is not None:
        return resp.media
    raw = resp.data if resp.data is not None else (resp.text.encode() if resp.text else None)
    if raw and (resp.content_type or "").startswith("application/json"):
        try:
            return json.loads(raw)
        except ValueError:
            return None
    return None
