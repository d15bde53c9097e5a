"""Show settings without their secrets."""

from __future__ import annotations

import re
from typing import Any

from config.settings import Settings

#: Field names whose values are secrets wherever they appear.
SECRET_FIELDS = frozenset({"app_secret", "corp_secret", "token", "encoding_aes_key", "secret_key"})
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@]*:)(?P<password>[^@]+)(?P<tail>@)")


def mask(value: str) -> str:
    """Keep a hint of the value (its first two characters) and hide the rest."""
    return value[:2] + "****" if len(value) > 6 else "****"


def mask_url(url: str) -> str:
    return _URL_PASSWORD.sub(lambda m: f"{m['head']}****{m['tail']}", url)


def _masked(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _masked(v, k) for k, v in value.items()}
    if isinstance(value, str) and key in SECRET_FIELDS:
        return mask(value)
    if isinstance(value, str) and key == "url":
        return mask_url(value)
    return value


def masked_dump(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, every secret masked (for ``imbridge config check``)."""
    return _masked(settings.model_dump(mode="json"))
