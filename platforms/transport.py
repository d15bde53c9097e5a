"""The one way out to a platform API.

Every client call goes through :meth:`Transport.request` (or :meth:`Transport.download` for an endpoint that may
answer a file), so the rules live in one place:

* the access token is added as the ``access_token`` query parameter;
* success is ``errcode == 0``, or the success shape the endpoint documents (a body without errcode that
  carries one of the fields the caller names in ``success``), never "HTTP 200" and never "some JSON";
* any other answer (JSON without errcode, DingTalk's gateway flow control ``{"status": 1111, "wait": 5}``, an
  HTML page at HTTP 200) is :class:`~platforms.errors.UnexpectedAnswer`: retried, its ``wait`` honoured, its
  start (redacted) kept in the message;
* HTTP 5xx, timeouts and connection errors become :class:`~platforms.errors.PlatformUnreachable`;
* errcodes are turned into exceptions by :func:`~platforms.errors.error_for` (per endpoint);
* a rejected token is invalidated, a fresh one fetched and the call retried **once**.

APIs that speak otherwise say so with a :class:`Dialect`: DingTalk's v1.0 API (``api.dingtalk.com``) takes the
token in the header ``x-acs-dingtalk-access-token`` and answers failures as HTTP 4xx ``{code, message}``, classified
by :func:`~platforms.errors.error_for_code` from its own table (:data:`DINGTALK_V1`).

Tests hand the transport an ``httpx.Client`` built on ``httpx.MockTransport``; the sandbox is reached by
pointing ``base_url`` at it.
"""

from __future__ import annotations

import enum
import functools
import json as jsonlib
import logging
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from platforms.errors import (
    Outcome,
    PermanentError,
    PlatformError,
    PlatformUnreachable,
    RetryLaterError,
    TokenExpiredError,
    UnexpectedAnswer,
    error_for,
    error_for_code,
)
from platforms.redaction import SECRET_FIELDS, SECRET_PARAMS, install_httpx_redaction, redact
from platforms.tokens import TokenSource

#: Platforms answer in well under a second; a slow answer is better retried than waited for.
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)

#: One pool per transport; worker threads share it. Every connection may stay open between calls: with fewer
#: kept alive than threads sending, each burst would open (and on HTTPS handshake) connections again.
DEFAULT_LIMITS = httpx.Limits(max_connections=50, max_keepalive_connections=50)


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """The TLS context of every transport in this process: httpx's default (certifi's CA bundle, ``SSL_CERT_FILE``
    and ``SSL_CERT_DIR`` honoured), built once. A context holds the bundle parsed, about 0.8 MB, and is meant to
    be shared by the connections that verify alike: a process with a client per platform and account held one
    each."""
    return httpx.create_ssl_context()


#: How much of an unexpected answer is kept (in the error, so on the delivery attempt).
ANSWER_EXCERPT_CHARS = 500
#: A flow-control ``wait`` longer than this is taken as this (a typo on their side must not park a send for days).
MAX_WAIT_SECONDS = 3600.0

log = logging.getLogger(f"imbridge.{__name__}")

FileField = tuple[str, bytes, str]


class ErrorStyle(enum.Enum):
    """How an API answers a failure."""

    #: HTTP 200 ``{"errcode": N, "errmsg": ...}`` (WeChat, WeCom, DingTalk ``oapi``).
    ERRCODE = "errcode"
    #: HTTP 4xx ``{"code": "Some.Code", "message": ...}`` (DingTalk v1.0); a 2xx answer is judged by ``success``.
    CODE_MESSAGE = "code_message"


@dataclass(frozen=True)
class Dialect:
    """Where an API wants its access token and how it answers failures.

    :param token_header: the header carrying the token; None puts it in the ``access_token`` query parameter.
    :param errors: the shape of a failed answer.
    """

    token_header: str | None = None
    errors: ErrorStyle = ErrorStyle.ERRCODE


#: WeChat, WeCom and DingTalk ``oapi``.
ERRCODE_DIALECT = Dialect()
#: DingTalk's v1.0 API (``api.dingtalk.com``).
DINGTALK_V1 = Dialect(token_header="x-acs-dingtalk-access-token", errors=ErrorStyle.CODE_MESSAGE)


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
    :param dialect: where the token goes and how failures look (:data:`ERRCODE_DIALECT` unless told).

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
        dialect: Dialect = ERRCODE_DIALECT,
    ) -> None:
        install_httpx_redaction()
        self.platform = platform
        self.dialect = dialect
        self.base_url = base_url.rstrip("/")
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=timeout, limits=DEFAULT_LIMITS, verify=shared_ssl_context())
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
        success: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Call ``path`` and return the JSON body of a successful answer.

        :param success: fields of the endpoint's documented success shape when it answers without ``errcode``
            (``("access_token",)`` for WeChat's token); a body without errcode and without any of them is an
            :class:`UnexpectedAnswer`.
        :raises UnexpectedAnswer: (a :class:`RetryLaterError`) an answer in no documented shape.
        :raises TokenExpiredError: the token was rejected again after one refresh.
        :raises RetryLaterError: the platform asked us to back off (:class:`PlatformUnreachable` for
            network failures and HTTP 5xx).
        :raises PermanentError: anything else, including unknown errcodes.
        """
        return self._call((method, path, params, json, data, files, tuple(success)), token)

    def download(self, method: str, path: str, *, json: Any = None, token: TokenSource | None = None,
                 success: Sequence[str] = ()) -> Download | dict[str, Any]:
        """Like :meth:`request` for endpoints that answer either bytes or JSON (``material/get_material``,
        ``media/get``): a non-JSON success is a :class:`Download`; a JSON answer is judged as :meth:`request`
        judges it (an errcode raises, ``success`` names its documented shape), and returned."""
        return self._call((method, path, None, json, None, None, tuple(success)), token, binary_ok=True)

    def _call(self, call: tuple[Any, ...], token: TokenSource | None, binary_ok: bool = False) -> Any:
        if token is None:
            return self._send(*call, None, binary_ok)
        used = token.get()
        try:
            return self._send(*call, used, binary_ok)
        except TokenExpiredError:
            token.invalidate(used)
        # Exactly one retry: a second rejection propagates instead of looping.
        return self._send(*call, token.get(), binary_ok)

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
        success: tuple[str, ...],
        access_token: str | None,
        binary_ok: bool = False,
    ) -> Any:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        content, headers = None, {}
        if access_token is not None:
            if self.dialect.token_header:
                headers[self.dialect.token_header] = access_token
            else:
                query["access_token"] = access_token
        if json is not None:
            # ensure_ascii=False: some WeChat APIs show \uXXXX escapes to users literally.
            content = jsonlib.dumps(json, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = self._client.request(
                method,
                self.base_url + path,
                params=query,
                content=content,
                data=data,
                files=files,
                headers=headers or None,
                timeout=self._timeout,
            )
        except httpx.TimeoutException as exc:
            raise PlatformUnreachable(self.platform, None, f"{method} {path}: timed out ({exc})") from exc
        except httpx.TransportError as exc:
            raise PlatformUnreachable(self.platform, None, f"{method} {path}: {exc!r}") from exc
        if binary_ok and response.status_code < 400 and not _is_json(response) and not _is_page(response):
            return Download(response.content, response.headers.get("Content-Type") or "application/octet-stream")
        return self._parse(method, path, response, success, _request_secrets(access_token, params, json, data))

    def _parse(self, method: str, path: str, response: httpx.Response, success: tuple[str, ...],
               secrets: tuple[str, ...]) -> dict[str, Any]:
        where = f"{method} {path}"
        status = response.status_code
        if status >= 500:
            raise PlatformUnreachable(self.platform, None, f"{where}: HTTP {status}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if self.dialect.errors is ErrorStyle.CODE_MESSAGE:
            return self._parse_code_message(where, response, body, success, secrets)
        if status == 429:
            raise RetryLaterError(self.platform, None, f"{where}: HTTP 429", _retry_after(response))
        if status >= 400 and not (isinstance(body, dict) and body.get("errcode") not in (None, 0, "0")):
            # The request itself was refused (a wrong path, a gateway's 403): retrying the same cannot help.
            raise PermanentError(self.platform, None, f"{where}: HTTP {status}: {_excerpt(response, secrets)}")
        if not isinstance(body, dict):
            raise self._unexpected(where, response, secrets)
        errcode = body.get("errcode")
        if errcode is None:
            if any(field in body for field in success):
                return body
            raise self._unexpected(where, response, secrets, _wait(body))
        try:
            code = int(errcode)
        except (TypeError, ValueError):
            raise self._unexpected(where, response, secrets) from None
        if code == 0:
            return body
        error: PlatformError = error_for(self.platform, code, str(body.get("errmsg", "")), path)
        error.ids = {k: v for k, v in body.items() if k.endswith("_id") and isinstance(v, int | str)
                     and not isinstance(v, bool) and len(str(v)) <= 64}
        log.info("%s %s failed: errcode %s (%s)", self.platform, where, code, error.outcome.value)
        raise error

    def _parse_code_message(self, where: str, response: httpx.Response, body: Any,
                            success: tuple[str, ...], secrets: tuple[str, ...]) -> dict[str, Any]:
        """HTTP 4xx ``{code, message}`` is a classified failure; 2xx is a success only in a documented shape."""
        if response.status_code >= 400:
            code = body.get("code") if isinstance(body, dict) else None
            if (not isinstance(code, str) or not code) and response.status_code == 429:
                raise RetryLaterError(self.platform, None, f"{where}: HTTP 429", _retry_after(response))
            if not isinstance(code, str) or not code:
                raise PermanentError(self.platform, None,
                                     f"{where}: HTTP {response.status_code}: {_excerpt(response, secrets)}")
            error = error_for_code(self.platform, code, str(body.get("message", "")), response.status_code, where)
            if response.status_code == 429 and error.outcome is not Outcome.REFRESH_TOKEN:
                # Throttled whatever the code says; the Retry-After header, when sent, is the wait.
                retry = RetryLaterError(self.platform, None, error.errmsg, _retry_after(response) or error.retry_after)
                retry.code = code
                error = retry
            log.info("%s %s failed: %s (%s)", self.platform, where, code, error.outcome.value)
            raise error
        if isinstance(body, dict) and any(field in body for field in success):
            return body
        raise self._unexpected(where, response, secrets, _wait(body) if isinstance(body, dict) else None)

    def _unexpected(self, where: str, response: httpx.Response, secrets: tuple[str, ...],
                    wait: float | None = None) -> UnexpectedAnswer:
        excerpt = _excerpt(response, secrets)
        log.warning("%s %s: unexpected answer (HTTP %s): %s", self.platform, where, response.status_code, excerpt)
        return UnexpectedAnswer(self.platform, None,
                                f"{where}: unexpected answer (HTTP {response.status_code}): {excerpt}", wait)


def _request_secrets(access_token: str | None, params: dict[str, Any] | None, json: Any,
                     data: dict[str, Any] | None) -> tuple[str, ...]:
    """The credentials this call sent (its token, secret parameters and fields): masked wherever an answer quotes
    them, an error page echoing the request URL included."""
    sent = [access_token] if access_token else []
    for fields in (params, data, json if isinstance(json, dict) else None):
        for name, value in (fields or {}).items():
            if isinstance(value, str) and len(value) >= 6 and name.lower() in SECRET_PARAMS | SECRET_FIELDS:
                sent.append(value)
    return tuple(sent)


def _excerpt(response: httpx.Response, secrets: tuple[str, ...]) -> str:
    """The answer's start on one line, credentials masked."""
    text = " ".join(response.text[: ANSWER_EXCERPT_CHARS * 2].split())
    text = redact(text, secrets)
    return text[:ANSWER_EXCERPT_CHARS] + ("..." if len(text) > ANSWER_EXCERPT_CHARS else "")


def _wait(body: dict[str, Any]) -> float | None:
    """The ``wait`` (seconds) of a flow-control answer, when it names a sensible one."""
    wait = body.get("wait")
    if isinstance(wait, bool) or not isinstance(wait, int | float | str):
        return None
    try:
        seconds = float(wait)
    except ValueError:
        return None
    return min(seconds, MAX_WAIT_SECONDS) if seconds > 0 else None


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None
