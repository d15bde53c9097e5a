"""Placeholder values: what an example or a template left where a real credential belongs.

``config/imbridge.example.yaml`` ships with ``xxxxxxxx`` secrets and ``wx0000000000000000`` app ids; copied as it
is, every platform would look configured (``live``) and fail at its first call with an errcode nobody connects to
the file. ``imbridge config check`` names each such key instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from config.settings import Settings

#: ``xxxx`` anywhere, ``??`` anywhere, ``<...>``/``changeme``-style fillers, and the example's all-zero app ids.
PLACEHOLDER = re.compile(
    r"x{4,}|\?\?|^<[^>]*>$|^(?:changeme|change-me|todo|your[-_ ].*)$|^(?:wx|ww|ding)?0{12,}\d?$",
    re.IGNORECASE)


def is_placeholder(value: str) -> bool:
    return bool(PLACEHOLDER.search(value.strip()))


def _walk(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _walk(inner, (*path, str(key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _walk(inner, (*path, str(index)))
    elif isinstance(value, str):
        yield path, value


def placeholder_keys(settings: Settings) -> list[str]:
    """Every key (as the file spells it, ``third.wechat.app-secret``) whose value is a placeholder."""
    return [".".join(p.replace("_", "-") for p in path)
            for path, value in _walk(settings.model_dump(mode="json"), ()) if is_placeholder(value)]
