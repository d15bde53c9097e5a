"""API keys in tests: the ``Authorization`` header a key is sent in."""

from __future__ import annotations


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
