"""``POST /token/wechat/qr/applyQrCode`` and ``GET /token/wechat/qr/getStatus``: the browser's half of QR login.

Applying pops a pre-minted code from the pool (one Redis round trip, no call to WeChat); an empty pool makes
the request wait, a bounded time, for a code minted on demand (see :mod:`core.login.dispense`); after that,
or when too many are minted on demand at once, a 503 with ``Retry-After``. The status answers ``wait``,
``ok`` or ``expired``; with ``wait=N`` it is held until the status moves or N seconds pass
(see :mod:`ingress.login.watcher`).

With several Official Accounts, ``account`` (query, form or JSON, like the other login parameters; omitted:
``default``, which the seed's front end never sends) picks the one whose pool the code comes from: its code was
minted by that account, so the scan arrives at that account's portal. An unknown account is code 10115, an account
without QR login 10107 (see :mod:`core.login.accounts`).

Both answer in the seed's envelope (:mod:`ingress.login.envelope`): ``data`` is ``{qrCodeKey, qrCodeUrl,
expireSeconds}`` (the seed's object plus the code's remaining life), and the bare status string.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import falcon
from pydantic import BaseModel, ConfigDict, Field, field_validator

from config import Settings
from config.settings import ACCOUNT_CODE_PATTERN, DEFAULT_ACCOUNT
from core.accounts import UnknownAccount
from core.login import QrPool, QrSessions, QrStatus
from core.login.accounts import QrLoginOff, qr_login_account
from core.login.dispense import BrokerUnavailable, CodeUnavailable, PoolBusy, dispense
from core.metrics import QR_CODES_SERVED
from core.runtime import Runtime
from core.tasks import Tasks
from ingress.auth import Open
from ingress.errors import ApiError
from ingress.login.envelope import FAILURES, answer_schema, succeed
from ingress.login.guard import redis_available
from ingress.login.identity import unknown_account
from ingress.login.params import read_params
from ingress.login.watcher import StatusWatcher
from ingress.ratelimit import ClientRateLimit, client_address

log = logging.getLogger(f"imbridge.{__name__}")

#: Seconds a client should wait before asking again when the pool is empty or no long-poll slot is free.
POOL_RETRY_AFTER = "2"
BUSY_RETRY_AFTER = "1"
#: A key's own end wakes its long-polls this long after its expiry (so they read ``expired``).
EXPIRY_GRACE = 0.05

_APPLY_ANSWER = answer_schema({
    "type": "object", "required": ["qrCodeKey", "qrCodeUrl", "expireSeconds"], "properties": {
        "qrCodeKey": {"type": "string"}, "qrCodeUrl": {"type": "string", "description": "what the QR code encodes"},
        "expireSeconds": {"type": "integer", "description": "seconds the code (and key) has left"}}})
_STATUS_ANSWER = answer_schema({"enum": [s.value for s in QrStatus]})


class ApplyRequest(BaseModel):
    """applyQrCode's one (optional) parameter."""

    model_config = ConfigDict(extra="ignore")

    account: str | None = Field(default=None, pattern=ACCOUNT_CODE_PATTERN,
                                description="the Official Account's code (GET /api/v1/accounts); omitted or "
                                            "empty: default")

    @field_validator("account", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        return None if value == "" else value


class ApplyQrCode:
    scope = Open.ANYONE
    openapi: dict[str, Any] = {"post": {
        "summary": "A login QR code, at once: its key, what it encodes, and its remaining life",
        "security": [], "query": ApplyRequest,
        "responses": {"200": ("the code; a failure is a 200 with a non-zero code (too many requests from this "
                              "client: 10106, with Retry-After; no Official Account configured, or the "
                              "account has no QR login: 10107; no such account: 10115)",
                              _APPLY_ANSWER),
                      "503": ("no code ready, or too many being minted (busy); retry after Retry-After",
                              FAILURES["default"][1]), **FAILURES}}}

    def __init__(self, settings: Settings, runtime: Runtime, tasks: Tasks) -> None:
        self.settings = settings
        self.tasks = tasks
        self.config = settings.login
        self.redis = runtime.redis
        self.accounts = runtime.accounts
        self.pools: dict[str, QrPool] = {DEFAULT_ACCOUNT: QrPool.from_settings(runtime.redis, self.config)}
        self.rate_limit = ClientRateLimit(runtime.redis, "qr-apply", self.config.apply_rate_limit,
                                          self.config.apply_rate_window_seconds)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        code = read_params(req, ApplyRequest).account or DEFAULT_ACCOUNT
        with redis_available():
            pool = self._pool(code)
            self.rate_limit.check(client_address(req, self.settings.ingress.client_ip_header))
            try:
                taken = dispense(pool, self.tasks, self.config)
            except BrokerUnavailable as exc:
                raise ApiError(falcon.HTTP_503, "the message broker is unavailable; retry shortly",
                               code=exc.code, headers={"Retry-After": "5"}) from exc
            except PoolBusy as exc:
                raise ApiError(falcon.HTTP_503, "too many login codes are being made right now; retry shortly",
                               code=exc.code, headers={"Retry-After": BUSY_RETRY_AFTER}) from exc
            except CodeUnavailable as exc:
                raise ApiError(falcon.HTTP_503, "no login QR code is ready yet; retry shortly", code=exc.code,
                               headers={"Retry-After": POOL_RETRY_AFTER}) from exc
        QR_CODES_SERVED.inc()
        succeed(resp, {"qrCodeKey": taken.code.key, "qrCodeUrl": taken.code.url,
                       "expireSeconds": int(taken.remaining_seconds)})

    def _pool(self, code: str) -> QrPool:
        """The pool of Official Account ``code``; unknown_account, or not_configured when it has no QR login."""
        try:
            qr_login_account(self.accounts, code)
        except UnknownAccount:
            raise unknown_account("wechat", code) from None
        except QrLoginOff as exc:
            hint = ("set third.wechat.app-id and app-secret" if code == DEFAULT_ACCOUNT
                    else "give it app-id and app-secret and qr-login: true")
            raise ApiError(falcon.HTTP_404, f"QR login needs an Official Account with QR login ({exc}): {hint}",
                           code="not_configured") from None
        pool = self.pools.get(code)
        if pool is None:
            pool = self.pools.setdefault(code, QrPool.from_settings(self.redis, self.config, account=code))
        return pool


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
        "responses": {"200": ("the status; Retry-After when the server could not hold the request", _STATUS_ANSWER),
                      **FAILURES}}}

    def __init__(self, settings: Settings, runtime: Runtime, watcher: StatusWatcher) -> None:
        self.max_wait = settings.login.max_status_wait_seconds
        self.sessions = QrSessions(runtime.redis)
        self.watcher = watcher

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        key = req.get_param("qrCodeKey")
        if not key:
            raise ApiError(falcon.HTTP_422, "qrCodeKey is required", code="validation_error",
                           details=[{"field": "qrCodeKey", "message": "required", "type": "missing"}])
        wait = self._wait(req)
        with redis_available():
            status = self.sessions.status(key)
            if wait > 0 and status is QrStatus.WAIT:
                with self.watcher.slot() as held:
                    if held:
                        status = self._hold(key, wait)
                    else:
                        resp.set_header("Retry-After", BUSY_RETRY_AFTER)
        succeed(resp, status.value)

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
                           code="validation_error",
                           details=[{"field": "wait", "message": f"0 to {self.max_wait}", "type": "range"}])
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
