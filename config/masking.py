"""Show secrets without their values: settings (``config check``), robot credentials in API answers."""

from __future__ import annotations

import re
from typing import Any

from config.settings import Settings

#: Field names whose values are secrets wherever they appear.
SECRET_FIELDS = frozenset({"app_secret", "corp_secret", "token", "encoding_aes_key", "secret_key"})
#: A secret at least this long shows its first :data:`HINT_CHARACTERS` (too few to guess the rest from); a shorter
#: one shows nothing.
HINT_MIN_LENGTH = 16
HINT_CHARACTERS = 4
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@]*:)(?P<password>[^@]+)(?P<tail>@)")


def mask(value: str | None) -> str | None:
    """What answers, logs and ``config check`` show of a secret: a hint of its start, never enough to use it."""
    if value is None:
        return None
    return value[:HINT_CHARACTERS] + "****" if len(value) >= HINT_MIN_LENGTH else "****"


def mask_url(url: str) -> str:
    """``url`` with its password (``scheme://user:PASSWORD@host``) masked."""
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}****{m['tail']}", url)


def _masked(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _masked(v, k) for k, v in value.items()}
    if isinstance(value, list):  # third.accounts
        return [_masked(v, key) for v in value]
    if isinstance(value, str) and key in SECRET_FIELDS:
        return mask(value)
    if isinstance(value, str) and key == "url":
        return mask_url(value)
    return value


def masked_dump(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, every secret masked (for ``imbridge config check``)."""
    return _masked(settings.model_dump(mode="json"))
