"""Keep credentials out of logs.

The platforms put secrets in query strings (``access_token``, ``secret``, a robot's ``key``), and httpx
logs every request URL at INFO. A filter on httpx's logger masks those parameters before any handler
sees them; it is installed once, by the first :class:`~platforms.transport.Transport`.
"""

from __future__ import annotations

import logging
import threading

import httpx

#: Query parameters whose values are credentials (or, for ``js_code``, a single-use login code).
SECRET_PARAMS = frozenset({"access_token", "secret", "appsecret", "corpsecret", "key", "sign", "js_code"})

_installed = False
_install_lock = threading.Lock()


def redact_url(url: httpx.URL | str) -> str:
    """``url`` with every credential parameter's value replaced by ``***``."""
    url = httpx.URL(url)
    params = [(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in url.params.multi_items()]
    return str(url.copy_with(params=params)) if params else str(url)


class RedactSecretsFilter(logging.Filter):
    """Rewrite URL arguments of log records so their credential parameters are masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_url(a) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


def install_httpx_redaction() -> None:
    """Attach :class:`RedactSecretsFilter` to the ``httpx`` logger (idempotent)."""
    global _installed
    with _install_lock:
        if not _installed:
            logging.getLogger("httpx").addFilter(RedactSecretsFilter())
            _installed = True
