"""The flat ``<xml>`` documents WeChat and WeCom post and expect back.

Parsing runs on every callback (twice in safe mode: the envelope, then the message inside it), inside the
platform's 5 s, straight into ``{tag: text}``. What the platforms send is flat: ``<xml>`` holding elements that
each hold one CDATA section or plain text. Such a document is read by two regular expressions (the ``<xml>``
around, then every element in one ``findall``) that accept nothing else: no declaration, DTD, entity or character
reference, comment, attribute, nesting, CR (which XML turns into LF) or character XML forbids. So what they
accept, the general parse reads the same way, only slower (against expat driven by hand it took a third of the
time, -11% instructions per safe-mode callback; ``findall`` instead of a ``match`` per element, -9k instructions
of ~530k a callback in ``bench/portal_cost.py``).

Anything else goes to xmltodict (on expat), then is flattened. A document type declaration has no business in a
callback body from the internet, so the parsers xmltodict is handed refuse one at its first byte, before any
entity can be declared, expanded or fetched: the same guard defusedxml applies, on the same parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn
from xml.parsers import expat

import xmltodict

from platforms.errors import MessageFormatError

_TAG = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")

# The flat form: ``<xml>``, then elements holding one CDATA section (which ends at the first ``]]>``) or plain
# text (no ``<``, ``&`` or ``]``), then ``</xml>``; spaces, tabs and line feeds around the elements. The document's
# inside is read in one ``findall``: each piece is an element, or a lone character that is neither an element nor
# space (which comes with an empty tag, and sends the document to the general parse).
_FLAT_DOCUMENT = re.compile(r"[ \t\n]*<xml>(.*)</xml>[ \t\n]*", re.DOTALL)
_FLAT_ELEMENTS = re.compile(
    r"[ \t\n]*(?:<([A-Za-z_][A-Za-z0-9_]*)>(?:"
    r"<!\[CDATA\[([^\]]*(?:\](?!\]>)[^\]]*)*)\]\]>|([^<&\]]*))</\1>|[^ \t\n])"
)
# Every character must be one XML allows, less CR (which XML turns into LF): checked on the UTF-8 bytes, where the
# control characters map to NUL (one pass in C) and U+FFFE / U+FFFF have a form of their own.
_CONTROLS = bytes(0 if byte < 0x20 and byte not in b"\t\n" else 1 for byte in range(256))
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")
# Where xmltodict keeps an element's own text beside its children (what a container holds between them).
_TEXT_KEY = "#text"


class _Refused(Exception):
    """Raised from inside expat's callbacks; becomes a MessageFormatError."""


def _refuse_dtd(*_: Any) -> NoReturn:
    raise _Refused("a document type declaration is not allowed")


def _refuse_entity(*_: Any) -> NoReturn:
    raise _Refused("entity declarations and references are not allowed")


class _GuardedExpat:
    """The ``expat`` xmltodict is handed: every parser it creates refuses a document type declaration at its first
    byte, before any entity can be declared, expanded or fetched (xmltodict's own ``disable_entities`` would only
    refuse a declaration once the DTD is being read)."""

    @staticmethod
    def ParserCreate(encoding: str | None = None, namespace_separator: str | None = None) -> Any:
        parser = expat.ParserCreate(encoding, namespace_separator)
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_entity
        parser.UnparsedEntityDeclHandler = _refuse_entity
        parser.ExternalEntityRefHandler = _refuse_entity
        return parser


def parse_xml(text: str | bytes) -> dict[str, str]:
    """Parse a ``<xml>`` message into ``{tag: text}``.

    Nested containers some events carry (``ScanCodeInfo``, ``SendLocationInfo``, ``SendPicsInfo``) are
    flattened: their leaves join the top level unless a top-level field of the same name exists (of two nested
    leaves of one name, the first depth first, elements of one name taken together, wins).

    :raises MessageFormatError: malformed XML, a DTD or entity declaration, or a root other than ``xml``.
    """
    fields = parse_flat(text)
    return fields if fields is not None else parse_general(text)


def parse_general(text: str | bytes) -> dict[str, str]:
    """:func:`parse_xml` for any document: xmltodict reads it (the flat form gives the same answer faster)."""
    try:
        document = xmltodict.parse(text, expat=_GuardedExpat, disable_entities=True, xml_attribs=False,
                                   strip_whitespace=False)
    except _Refused as exc:
        raise MessageFormatError(f"unacceptable XML: {exc}") from None
    except (expat.ExpatError, ValueError, LookupError) as exc:  # LookupError: an unknown declared encoding
        raise MessageFormatError(f"unacceptable XML: {exc}") from None
    ((root, content),) = document.items()
    if root != "xml":
        raise MessageFormatError(f"root element is <{root}>, expected <xml>")
    fields: dict[str, str] = {}
    nested: list[tuple[str, Any]] = []
    for name, value in _children(content):
        if isinstance(value, dict):
            nested.append((name, value))
        else:
            fields[name] = value or ""
    for name, value in _leaves(nested):
        fields.setdefault(name, value)
    return fields


def _children(element: Any) -> list[tuple[str, Any]]:
    """The child elements of an xmltodict element, in order (repeated names come as a list; text is not a child)."""
    if not isinstance(element, dict):
        return []
    return [(name, value) for name, values in element.items() if name != _TEXT_KEY
            for value in (values if isinstance(values, list) else (values,))]


def _leaves(containers: list[tuple[str, Any]]) -> Iterator[tuple[str, str]]:
    """The text elements under ``containers``, depth first, without recursion (a callback may nest 64 KiB deep)."""
    stack = containers[::-1]
    while stack:
        name, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(_children(value)[::-1])
        else:
            yield name, value or ""


def parse_flat(text: str | bytes) -> dict[str, str] | None:
    """``{tag: text}`` of a document in the flat form (see the module), else None: let the general parse decide."""
    try:
        data, text = (text, text.decode()) if isinstance(text, bytes) else (text.encode(), text)
    except UnicodeError:  # not UTF-8; or a lone surrogate
        return None
    if b"\x00" in data.translate(_CONTROLS) or (not data.isascii() and any(c in data for c in _NONCHARACTERS)):
        return None
    document = _FLAT_DOCUMENT.fullmatch(text)
    if document is None:
        return None
    fields = {}
    for tag, cdata, plain in _FLAT_ELEMENTS.findall(document.group(1)):
        if not tag:
            return None
        fields[tag] = cdata or plain
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
