"""``/api/v1/ping``: enqueue a ``ping`` and read back whether a worker handled it."""

from __future__ import annotations

import uuid

import falcon

from core.ping import note_ping_queued, ping_known, ping_seen
from core.runtime import Runtime
from core.tasks import Tasks
from ingress.enqueue import enqueue
from models import Scope

_PING_ANSWER = {"type": "object", "properties": {"id": {"type": "string"}, "status": {"type": "string"}}}


class PingCollection:
    scope = Scope.NOTIFY
    openapi = {"post": {"summary": "Enqueue a ping for a worker", "responses": {"202": ("queued", _PING_ANSWER)}}}

    def __init__(self, runtime: Runtime, tasks: Tasks) -> None:
        self.runtime = runtime
        self.tasks = tasks

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ping_id = uuid.uuid4().hex
        enqueue(self.tasks.ping, ping_id)
        note_ping_queued(self.runtime.redis, ping_id)  # after: a worker's answer, if first, is kept (NX)
        resp.status = falcon.HTTP_202
        resp.media = {"id": ping_id, "status": "queued"}


class PingItem:
    scope = Scope.NOTIFY
    openapi = {"get": {"summary": "Whether a worker has handled the ping",
                       "responses": {"200": ("status", _PING_ANSWER), "404": "no such ping (or older than an hour)"}}}

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def on_get(self, req: falcon.Request, resp: falcon.Response, ping_id: str) -> None:
        seen = ping_seen(self.runtime.redis, ping_id)
        if seen is None and not ping_known(self.runtime.redis, ping_id):
            raise falcon.HTTPNotFound(description=f"no ping {ping_id!r} was queued in the last hour")
        resp.media = {"id": ping_id, "status": "done" if seen else "queued", "processed_at": seen}
