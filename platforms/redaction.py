"""Keep credentials out of logs and records: one list of secret query parameters, two ways to apply it.

The platforms put secrets in query strings (``access_token``, ``secret``, a robot's ``key``, a robot's ``sign``),
and they travel on: httpx logs every request URL at INFO, and an error's text may quote the URL it failed on.
:func:`redact_url` masks a URL (a filter on httpx's logger applies it before any handler sees a record; it is
installed once, by the first :class:`~platforms.transport.Transport`); :func:`redact` masks free text, such as
an error message about to be recorded, and the caller's own secrets in it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

import httpx

#: Query parameters whose values are credentials (or, for ``js_code``, a single-use login code).
SECRET_PARAMS = frozenset({"access_token", "secret", "appsecret", "corpsecret", "key", "sign", "js_code"})
#: JSON fields whose values are credentials, wherever an answer (or an error page) quotes them.
SECRET_FIELDS = frozenset({"access_token", "accesstoken", "secret", "appsecret", "app_secret", "corpsecret",
                           "corp_secret", "encoding_aes_key", "encodingaeskey", "aes_key", "password", "token",
                           "clientsecret", "refreshtoken", "refresh_token"})

_SECRET_PARAM = re.compile(rf"\b({'|'.join(sorted(SECRET_PARAMS))})=[^&\s\"']+", re.IGNORECASE)
_SECRET_FIELD = re.compile(rf"(\"(?:{'|'.join(sorted(SECRET_FIELDS))})\"\s*:\s*\")[^\"]*(\")", re.IGNORECASE)
_installed = False
_install_lock = threading.Lock()


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every ``secrets`` value, every credential parameter's value (``key=...``) and every credential
    field's value (``"secret": "..."``) masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "****")
    text = _SECRET_FIELD.sub(lambda m: f"{m.group(1)}***{m.group(2)}", text)
    return _SECRET_PARAM.sub(lambda m: f"{m.group(1)}=***", text)


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
