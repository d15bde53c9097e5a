"""``POST /token/wechat/qr/applyQrCode`` and ``GET /token/wechat/qr/getStatus``: the browser's half of QR login.

Applying pops a pre-minted code from the pool (one Redis round trip, no call to WeChat). A pool that runs
low gets a mint queued; an empty one makes the request queue a mint and wait for it, a bounded time, on the
pool list itself; after that a 503 with ``Retry-After``. The status answers ``wait``, ``ok`` or ``expired``;
with ``wait=N`` it is held until the status moves or N seconds pass (see :mod:`ingress.login.watcher`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import falcon

from config import Settings
from core.login import QrPool, QrSessions, QrStatus, request_mint
from core.metrics import QR_CODES_SERVED
from core.runtime import Runtime
from core.tasks import Tasks
from ingress.auth import Open
from ingress.errors import ApiError
from ingress.login.guard import redis_available
from ingress.login.watcher import StatusWatcher
from ingress.ratelimit import ClientRateLimit, client_address

log = logging.getLogger(f"imbridge.{__name__}")

#: Seconds a client should wait before asking again when the pool is empty or no long-poll slot is free.
POOL_RETRY_AFTER = "2"
BUSY_RETRY_AFTER = "1"
#: A key's own end wakes its long-polls this long after its expiry (so they read ``expired``).
EXPIRY_GRACE = 0.05

_APPLY_ANSWER = {"type": "object", "required": ["qrCodeKey", "qrCodeUrl", "expireSeconds"], "properties": {
    "qrCodeKey": {"type": "string"}, "qrCodeUrl": {"type": "string", "description": "what the QR code encodes"},
    "expireSeconds": {"type": "integer", "description": "seconds the code (and key) has left"}}}
_STATUS_ANSWER = {"type": "object", "required": ["status"],
                  "properties": {"status": {"enum": [s.value for s in QrStatus]}}}


class ApplyQrCode:
    scope = Open.ANYONE
    openapi: dict[str, Any] = {"post": {
        "summary": "A login QR code, at once: its key, what it encodes, and its remaining life",
        "security": [],
        "responses": {"200": ("the code", _APPLY_ANSWER), "503": "no code ready; retry after Retry-After",
                      "429": "this client asked too often (login.apply-rate-limit); retry after Retry-After"}}}

    def __init__(self, settings: Settings, runtime: Runtime, tasks: Tasks) -> None:
        self.settings = settings
        self.tasks = tasks
        self.config = settings.login
        self.pool = QrPool(runtime.redis, self.config.pool_min_remaining_seconds)
        self.rate_limit = ClientRateLimit(runtime.redis, "qr-apply", self.config.apply_rate_limit,
                                          self.config.apply_rate_window_seconds)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        if not self.settings.third.wechat.configured:
            raise ApiError(falcon.HTTP_404, "QR login needs an Official Account: set third.wechat.app-id and "
                           "app-secret", code="not_configured")
        with redis_available():
            self.rate_limit.check(client_address(req, self.settings.ingress.client_ip_header))
            taken = self.pool.take()
            if taken is None:
                self._mint(self.config.pool_size, required=True)
                taken = self.pool.wait_take(self.config.apply_wait_seconds)
                if taken is None:
                    raise ApiError(falcon.HTTP_503, "no login QR code is ready yet; retry shortly", code="pool_empty",
                                   headers={"Retry-After": POOL_RETRY_AFTER})
            elif taken.pool_size * 2 < self.config.pool_size:
                self._mint(self.config.pool_size - taken.pool_size, required=False)
        QR_CODES_SERVED.inc()
        resp.media = {"qrCodeKey": taken.code.key, "qrCodeUrl": taken.code.url,
                      "expireSeconds": int(taken.remaining_seconds)}

    def _mint(self, count: int, *, required: bool) -> None:
        """Queue a mint; only a request that needs it now fails when the broker cannot take it."""
        try:
            request_mint(self.pool, self.tasks, count)
        except Exception as exc:  # redis/pika connection errors differ; all mean "broker unavailable"
            if required:
                raise ApiError(falcon.HTTP_503, "the message broker is unavailable; retry shortly",
                               code="broker_unavailable", headers={"Retry-After": "5"}) from exc
            log.warning("QR pool low and the broker refused a mint: %s", exc)


class QrCodeStatus:
    scope = Open.ANYONE
    openapi: dict[str, Any] = {"get": {
        "summary": "wait | ok | expired for a QR key (unknown keys are expired); wait=N holds up to N seconds "
                   "for a change",
        "security": [],
        "parameters": [
            {"name": "qrCodeKey", "in": "query", "required": True, "schema": {"type": "string"}},
            {"name": "wait", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 0, "maximum": 25}}],
        "responses": {"200": ("the status; Retry-After when the server could not hold the request", _STATUS_ANSWER)}}}

    def __init__(self, settings: Settings, runtime: Runtime, watcher: StatusWatcher) -> None:
        self.max_wait = settings.login.max_status_wait_seconds
        self.sessions = QrSessions(runtime.redis)
        self.watcher = watcher

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        key = req.get_param("qrCodeKey")
        if not key:
            raise ApiError(falcon.HTTP_422, "qrCodeKey is required", code="validation_error")
        wait = self._wait(req)
        with redis_available():
            status = self.sessions.status(key)
            if wait > 0 and status is QrStatus.WAIT:
                with self.watcher.slot() as held:
                    if held:
                        status = self._hold(key, wait)
                    else:
                        resp.set_header("Retry-After", BUSY_RETRY_AFTER)
        resp.media = {"status": status.value}

    def _wait(self, req: falcon.Request) -> int:
        raw = req.get_param("wait")
        if raw in (None, ""):
            return 0
        try:
            wait = int(raw)
        except ValueError:
            wait = -1
        if not 0 <= wait <= self.max_wait:
            raise ApiError(falcon.HTTP_422, f"wait must be a whole number of seconds from 0 to {self.max_wait}",
                           code="validation_error")
        return wait

    def _hold(self, key: str, wait: int) -> QrStatus:
        """The status once it is no longer ``wait``, or ``wait`` after ``wait`` seconds; no polling."""
        deadline = time.monotonic() + wait
        with self.watcher.watching(key) as changed:
            status, ttl = self.sessions.status_and_ttl(key)  # after registering: no change slips by
            while status is QrStatus.WAIT:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                changed.wait(min(left, ttl + EXPIRY_GRACE))
                changed.clear()
                status, ttl = self.sessions.status_and_ttl(key)
        return status
