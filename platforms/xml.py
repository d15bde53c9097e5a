"""The flat ``<xml>`` documents WeChat and WeCom post and expect back.

Parsing goes through defusedxml with DTDs forbidden: a callback body comes from the internet, and a
document type declaration has no business in it (entity expansion, external references).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from platforms.errors import MessageFormatError

_TAG = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def parse_xml(text: str | bytes) -> dict[str, str]:
    """Parse a ``<xml>`` message into ``{tag: text}``.

    Nested containers some events carry (``ScanCodeInfo``, ``SendLocationInfo``, ``SendPicsInfo``) are
    flattened: their leaves join the top level unless a top-level field of the same name exists.

    :raises MessageFormatError: malformed XML, a DTD or entity declaration, or a root other than ``xml``.
    """
    try:
        root = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise MessageFormatError(f"unacceptable XML: {exc}") from exc
    if root.tag != "xml":
        raise MessageFormatError(f"root element is <{root.tag}>, expected <xml>")
    fields: dict[str, str] = {}
    nested: list[Element] = []
    for child in root:
        if len(child):
            nested.append(child)
        else:
            fields[child.tag] = child.text or ""
    for container in nested:
        for leaf in container.iter():
            if leaf is not container and not len(leaf):
                fields.setdefault(leaf.tag, leaf.text or "")
    return fields


def render_xml(fields: Mapping[str, Any], root: str = "xml") -> str:
    """Render ``fields`` as ``<xml>...</xml>``.

    Strings go in CDATA sections; numbers go bare (WeChat wants ``CreateTime`` as a number); a mapping
    becomes a nested element and a list a sequence of ``<item>`` elements (news articles). None is skipped.
    """
    return _element(root, fields)


def _element(tag: str, value: Any) -> str:
    if not _TAG.match(tag):
        raise ValueError(f"not an XML tag name: {tag!r}")
    if isinstance(value, Mapping):
        inner = "".join(_element(k, v) for k, v in value.items() if v is not None)
    elif isinstance(value, list | tuple):
        inner = "".join(_element("item", v) for v in value)
    elif isinstance(value, bool):
        raise TypeError(f"{tag}: booleans have no XML convention here")
    elif isinstance(value, int | float):
        inner = str(value)
    else:
        inner = _cdata(str(value))
    return f"<{tag}>{inner}</{tag}>"


def _cdata(text: str) -> str:
    # A literal "]]>" would end the section early; split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
