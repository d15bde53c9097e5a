"""``/healthz`` (the process answers) and ``/readyz`` (Redis and the database answer too)."""

from __future__ import annotations

import falcon

from core.runtime import Runtime
from ingress.auth import Open


class HealthResource:
    scope = Open.ANYONE
    openapi = {"get": {"summary": "The process is up", "responses": {"200": "up"}}}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"status": "ok"}


class ReadyResource:
    scope = Open.ANYONE
    openapi = {"get": {"summary": "Redis and the database are reachable",
                       "responses": {"200": "ready", "503": "not ready, with the reasons"}}}

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def _checks(self) -> dict[str, str]:
        checks = {}
        try:
            self.runtime.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:  # any failure means "not ready", and we say which
            checks["redis"] = f"unreachable: {type(exc).__name__}"
        try:
            self.runtime.database.ping()
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        return checks

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        checks = self._checks()
        ready = all(value == "ok" for value in checks.values())
        resp.status = falcon.HTTP_200 if ready else falcon.HTTP_503
        resp.media = {"status": "ready" if ready else "unready", "checks": checks}
