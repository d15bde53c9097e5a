"""The language of the API's error messages: ``Accept-Language`` negotiation and a catalogue keyed by message id.

Error *codes* never change with the language (clients branch on them); only ``message`` is translated.
English stays the default for ``/api/v1`` when a request names no language, or none we have: existing clients,
scripts and tests read English, and a Chinese reader's browser asks for ``zh`` by itself (the admin page sends
its own choice). A request that prefers any ``zh`` tag gets 简体中文.

The header is parsed here rather than with a library: Babel and langcodes match tags but do not read the
header's weights, and the rule (RFC 9110, section 12.5.4) is a short comma list of ``tag;q=weight``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

#: The locales messages exist in, the default first.
SUPPORTED = ("en", "zh-CN")
#: What a request that names no supported language gets (see the module's docstring for why English).
DEFAULT = "en"


def parse_accept_language(header: str | None) -> list[tuple[str, float]]:
    """The header's language ranges with their weights, most wanted first (ties keep the header's order).

    ``"zh-CN,zh;q=0.9,en;q=0.8"`` -> ``[("zh-cn", 1.0), ("zh", 0.9), ("en", 0.8)]``. Malformed entries and
    weights are skipped rather than refused: a client's odd header must not turn an answer into an error.
    """
    ranges: list[tuple[str, float]] = []
    for entry in (header or "").split(","):
        tag, _, rest = entry.strip().partition(";")
        tag = tag.strip().lower()
        if not tag or len(tag) > 35:
            continue
        weight = 1.0
        for parameter in rest.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = -1.0
        if 0.0 < weight <= 1.0:
            ranges.append((tag, weight))
    return sorted(ranges, key=lambda item: -item[1])


def _matches(tag: str, locale: str) -> bool:
    """A range matches a locale by its primary language: ``zh``, ``zh-cn``, ``zh-hans-cn`` all mean zh-CN."""
    return tag.split("-", 1)[0] == locale.lower().split("-", 1)[0]


def negotiate(header: str | None, supported: tuple[str, ...] = SUPPORTED, default: str = DEFAULT) -> str:
    """The supported locale the ``Accept-Language`` header wants most; ``default`` when it names none."""
    for tag, _weight in parse_accept_language(header):
        if tag == "*":
            return default
        for locale in supported:
            if _matches(tag, locale):
                return locale
    return default


#: Where the catalogues live: ``locales/<locale>.json``, message id -> text with ``{name}`` placeholders. An
#: ApiError's message id is its ``message_id`` or else its code; an error without an entry keeps its English
#: message. Entries keyed by a bare code are the generic sentence for that code, followed by the specific English
#: message (``{detail}``) so nothing is lost. English needs no catalogue: the raise sites' messages are English.
LOCALES_DIR = resources.files("ingress") / "locales"


@cache
def catalogue(locale: str) -> dict[str, str]:
    """The messages of ``locale`` (empty for English and for a locale without a file)."""
    if locale not in SUPPORTED:
        return {}
    entry = LOCALES_DIR / f"{locale}.json"
    return json.loads(entry.read_text(encoding="utf-8")) if entry.is_file() else {}


def translate(message_id: str, locale: str, params: Mapping[str, Any] | None = None) -> str | None:
    """The message in ``locale``, placeholders filled; None when the catalogue has no such entry (or a
    placeholder it needs is missing), so the caller keeps its English text."""
    template = catalogue(locale).get(message_id)
    if template is None:
        return None
    try:
        return template.format(**(params or {}))
    except (KeyError, IndexError, ValueError):
        return None
