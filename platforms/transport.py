"""The one way out to a platform API.

Every client call goes through :meth:`Transport.request` (or :meth:`Transport.download` for an endpoint that may
answer a file), so the rules live in one place:

* the access token is added as the ``access_token`` query parameter;
* success is ``errcode == 0`` or no errcode at all, never "HTTP 200";
* HTTP 5xx, timeouts and connection errors become :class:`~platforms.errors.PlatformUnreachable`;
* errcodes are turned into exceptions by :func:`~platforms.errors.error_for`;
* a rejected token is invalidated, a fresh one fetched and the call retried **once**.

Tests hand the transport an ``httpx.Client`` built on ``httpx.MockTransport``; the sandbox is reached by
pointing ``base_url`` at it.
"""

from __future__ import annotations

import json as jsonlib
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from platforms.errors import (
    PermanentError,
    PlatformError,
    PlatformUnreachable,
    RetryLaterError,
    TokenExpiredError,
    error_for,
)
from platforms.redaction import install_httpx_redaction
from platforms.tokens import TokenSource

#: Platforms answer in well under a second; a slow answer is better retried than waited for.
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)

#: One pool per transport; worker threads share it. Every connection may stay open between calls: with fewer
#: kept alive than threads sending, each burst would open (and on HTTPS handshake) connections again.
DEFAULT_LIMITS = httpx.Limits(max_connections=50, max_keepalive_connections=50)

log = logging.getLogger(f"imbridge.{__name__}")

FileField = tuple[str, bytes, str]


@dataclass(frozen=True)
class Download:
    """A file a platform answered with instead of JSON: its bytes and the type it declared."""

    content: bytes
    content_type: str


def _is_page(response: httpx.Response) -> bool:
    """An HTML page (a gateway's error page) is never the file asked for."""
    return response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower() == "text/html"


def _is_json(response: httpx.Response) -> bool:
    """JSON by its declared type, or (WeChat sometimes says text/plain) by its first byte."""
    declared = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return declared in ("application/json", "text/json", "text/plain") or response.content[:1] == b"{"


class Transport:
    """A pooled, thread-safe HTTP client for one platform's API.

    :param platform: ``"wechat"``, ``"wecom"`` or ``"dingtalk"``; selects the errcode table.
    :param base_url: e.g. ``https://api.weixin.qq.com`` or ``http://127.0.0.1:8900/wechat``.
    :param timeout: seconds or an ``httpx.Timeout``.
    :param client: an ``httpx.Client`` to use instead of a new one (tests pass one on a MockTransport).

    Example::

        transport = Transport("wechat", settings.api_base_url)
        body = transport.request("GET", "/cgi-bin/menu/get", token=source)
    """

    def __init__(
        self,
        platform: str,
        base_url: str,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        client: httpx.Client | None = None,
    ) -> None:
        install_httpx_redaction()
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=timeout, limits=DEFAULT_LIMITS)
        self._timeout = timeout

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: dict[str, Any] | None = None,
        files: dict[str, FileField] | None = None,
        token: TokenSource | None = None,
    ) -> dict[str, Any]:
        """Call ``path`` and return the JSON body of a successful answer.

        :raises TokenExpiredError: the token was rejected again after one refresh.
        :raises RetryLaterError: the platform asked us to back off (:class:`PlatformUnreachable` for
            network failures and HTTP 5xx).
        :raises PermanentError: anything else, including unknown errcodes.
        """
        if token is None:
            return self._send(method, path, params, json, data, files, None)
        used = token.get()
        try:
            return self._send(method, path, params, json, data, files, used)
        except TokenExpiredError:
            token.invalidate(used)
        # Exactly one retry: a second rejection propagates instead of looping.
        return self._send(method, path, params, json, data, files, token.get())

    def download(self, method: str, path: str, *, json: Any = None, token: TokenSource | None = None
                 ) -> Download | dict[str, Any]:
        """Like :meth:`request` for endpoints that answer either bytes or JSON (``material/get_material``,
        ``media/get``): a non-JSON success is a :class:`Download`; a JSON answer is judged as :meth:`request`
        judges it (an errcode raises), and returned."""
        if token is None:
            return self._send(method, path, None, json, None, None, None, True)
        used = token.get()
        try:
            return self._send(method, path, None, json, None, None, used, True)
        except TokenExpiredError:
            token.invalidate(used)
        return self._send(method, path, None, json, None, None, token.get(), True)

    def close(self) -> None:
        """Close the connection pool, if this transport created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Transport({self.platform!r}, {self.base_url!r})"

    def _send(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json: Any,
        data: dict[str, Any] | None,
        files: dict[str, FileField] | None,
        access_token: str | None,
        binary_ok: bool = False,
    ) -> Any:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        if access_token is not None:
            query["access_token"] = access_token
        content, headers = None, None
        if json is not None:
            # ensure_ascii=False: some WeChat APIs show \uXXXX escapes to users literally.
            content = jsonlib.dumps(json, ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json; charset=utf-8"}
        try:
            response = self._client.request(
                method,
                self.base_url + path,
                params=query,
                content=content,
                data=data,
                files=files,
                headers=headers,
                timeout=self._timeout,
            )
        except httpx.TimeoutException as exc:
            raise PlatformUnreachable(self.platform, None, f"{method} {path}: timed out ({exc})") from exc
        except httpx.TransportError as exc:
            raise PlatformUnreachable(self.platform, None, f"{method} {path}: {exc!r}") from exc
        if binary_ok and response.status_code < 400 and not _is_json(response) and not _is_page(response):
            return Download(response.content, response.headers.get("Content-Type") or "application/octet-stream")
        return self._parse(method, path, response)

    def _parse(self, method: str, path: str, response: httpx.Response) -> dict[str, Any]:
        where = f"{method} {path}"
        status = response.status_code
        if status >= 500:
            raise PlatformUnreachable(self.platform, None, f"{where}: HTTP {status}")
        if status == 429:
            raise RetryLaterError(self.platform, None, f"{where}: HTTP 429", _retry_after(response))
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise PermanentError(self.platform, None, f"{where}: HTTP {status}, not a JSON object")
        errcode = body.get("errcode")
        if errcode in (None, 0, "0"):
            if status < 400:
                return body
            raise PermanentError(self.platform, None, f"{where}: HTTP {status}")
        try:
            code = int(errcode)
        except (TypeError, ValueError):
            raise PermanentError(self.platform, None, f"{where}: errcode {errcode!r}") from None
        error: PlatformError = error_for(self.platform, code, str(body.get("errmsg", "")))
        log.info("%s %s failed: errcode %s (%s)", self.platform, where, code, error.outcome.value)
        raise error


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None
