"""The flat ``<xml>`` the platforms write, as the sandbox writes and reads it (apart from the SDK's parser)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring


def render_xml(fields: Mapping[str, Any]) -> str:
    """Flat ``<xml>`` the way the platforms write it: text in CDATA, numbers bare."""
    parts = []
    for tag, value in fields.items():
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            parts.append(f"<{tag}>{value}</{tag}>")
        else:
            text = str(value).replace("]]>", "]]]]><![CDATA[>")
            parts.append(f"<{tag}><![CDATA[{text}]]></{tag}>")
    return "<xml>" + "".join(parts) + "</xml>"


def parse_xml(text: str | bytes) -> dict[str, str]:
    """Flat ``<xml>`` to ``{tag: text}`` (``ValueError`` when it is not XML)."""
    try:
        root = fromstring(text, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as exc:
        raise ValueError(f"not XML: {exc}") from exc
    return {child.tag: (child.text or "") for child in root}
