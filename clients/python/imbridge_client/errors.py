"""What goes wrong, as exceptions: the API's error object kept whole, so callers branch on its stable ``code``."""

from __future__ import annotations

from typing import Any


class ImbridgeError(Exception):
    """Base of every error this client raises (transport failures stay ``httpx.HTTPError``)."""


class ApiError(ImbridgeError):
    """The API answered with an error: ``{"error": {"code", "message", "details"?}}`` and an HTTP ``status``.

    ``details`` lists ``{field, message, type}`` for a 422, one entry per problem.
    """

    def __init__(self, status: int, error: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.error = error
        self.code: str = str(error.get("code", "unknown"))
        self.message: str = str(error.get("message", ""))
        self.details: list[dict[str, Any]] = list(error.get("details") or [])
        self.headers = headers or {}
        super().__init__(f"{status} {self.code}: {self.message}")

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait (503 while its database or broker is down), if it said."""
        value = self.headers.get("retry-after")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None


class WaitTimeout(ImbridgeError):
    """The notification (or group) had no final status within the time given; ``last`` is what was seen last."""

    def __init__(self, what: str, last: dict[str, Any]) -> None:
        self.last = last
        super().__init__(f"{what} still {last.get('status')!r} when the wait ran out")


class SignatureInvalid(ImbridgeError):
    """An outcome callback whose signature or timestamp does not check out: do not trust its body."""
