"""XML bombs, external entities and deep nesting: refused with a 400 on both portals, at every place a callback's
XML is parsed (the envelope, which is parsed before its signature is checked, and the decrypted message), and
refused *before expansion*: the parser stops at the ``<!DOCTYPE`` itself, so the work done is the same for a
bomb of a thousand expansions as for one of a billion (measured in bytes parsed and memory, not in seconds)."""

from __future__ import annotations

import time
import tracemalloc
from xml.parsers import expat

import pytest

from platforms import xml as platform_xml
from platforms.errors import MessageFormatError
from platforms.xml import parse_xml
from sandbox import callbacks
from tests.portals.bad_callbacks import refused, signed_plain, signed_safe
from tests.portals.conftest import PLAINTEXT_ALLOWED, post


def laughs(levels: int) -> str:
    """Billion laughs with ``levels`` levels of ten: 10**levels copies of "lol" if expanded."""
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, levels + 1)]
    return f'<?xml version="1.0"?><!DOCTYPE xml [{"".join(entities)}]><xml><Content>&l{levels};</Content></xml>'


def quadratic(size: int) -> str:
    """Quadratic blowup: one large entity referenced many times (no nesting for a depth limit to catch)."""
    return (f'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "{"a" * size}">]>'
            f'<xml><Content>{"&a;" * size}</Content></xml>')


BOMBS = {
    "billion-laughs": laughs(9),
    "quadratic-blowup": quadratic(4000),
    "external-entity": '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                       "<xml><Content>&e;</Content></xml>",
    "external-dtd": '<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://127.0.0.1:1/evil.dtd"><xml><a>1</a></xml>',
    "parameter-entity": '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1:1/p.dtd">%p;]>'
                        "<xml><a>1</a></xml>",
    "public-dtd": '<!DOCTYPE xml PUBLIC "-//X//Y" "http://127.0.0.1:1/y.dtd"><xml><a>1</a></xml>',
    "undeclared-entity": "<xml><Content>&undeclared;</Content></xml>",
    "unknown-encoding": '<?xml version="1.0" encoding="x-unknown"?><xml><a>1</a></xml>',
}


class ParserSpy:
    """Stands in for ``expat`` inside ``platforms.xml`` and keeps the parsers it creates, to read where they stopped."""

    def __init__(self) -> None:
        self.parsers: list = []

    def __getattr__(self, name: str):
        return getattr(expat, name)

    def ParserCreate(self, *args, **kwargs):
        parser = expat.ParserCreate(*args, **kwargs)
        self.parsers.append(parser)
        return parser


@pytest.fixture
def spy(monkeypatch) -> ParserSpy:
    spy = ParserSpy()
    monkeypatch.setattr(platform_xml, "expat", spy)
    return spy


@pytest.mark.parametrize("levels", [3, 6, 9, 30])
def test_a_bomb_is_refused_at_its_doctype_whatever_its_size(spy, levels):
    document = laughs(levels)
    with pytest.raises(MessageFormatError, match="document type declaration"):
        parse_xml(document)
    # The parser stopped inside the <!DOCTYPE line, before its first entity declaration: none was read, none
    # expanded, so the work is the same for every size.
    assert spy.parsers[-1].CurrentByteIndex < document.index("<!ENTITY")


def test_the_memory_a_refusal_takes_does_not_grow_with_the_bomb():
    peaks = []
    for document in (laughs(2), laughs(30), quadratic(100), quadratic(20000)):
        tracemalloc.start()
        with pytest.raises(MessageFormatError):
            parse_xml(document)
        peaks.append(tracemalloc.get_traced_memory()[1] - len(document))
        tracemalloc.stop()
    # 10**30 laughs expanded would not fit in any memory; refused, the peak is the parser's own few kilobytes.
    assert max(peaks) < 256 * 1024, peaks


@pytest.mark.parametrize("encoding", ["x-unknown", "UTF-7", "UTF-16", "EBCDIC"])
def test_a_declared_encoding_the_parser_cannot_read_is_a_format_error(encoding):
    """An unknown encoding was a LookupError, a 500, before the fuzzer found it."""
    with pytest.raises(MessageFormatError):
        parse_xml(f'<?xml version="1.0" encoding="{encoding}"?><xml><a>1</a></xml>'.encode())


def test_deep_nesting_is_parsed_without_recursion():
    """64 KiB of nested elements (the most a callback may carry) is flat work for the parser, no stack overflow."""
    depth = 64 * 1024 // 7
    document = "<xml>" + "<a>" * depth + "x" + "</a>" * depth + "<MsgType>text</MsgType></xml>"
    assert parse_xml(document)["MsgType"] == "text"


@PLAINTEXT_ALLOWED
@pytest.mark.usefixtures("nothing_processed")
def test_bombs_are_refused_in_every_place_a_wechat_callback_is_parsed(client, runtime):
    settings = runtime.settings
    envelope = callbacks.build_wechat_callback(settings, {"MsgType": "text", "Content": "x"}, safe=True)
    for bomb in BOMBS.values():
        refused(post(client, callbacks.WECHAT_PORTAL, signed_plain(settings, bomb)), 400)
        refused(post(client, callbacks.WECHAT_PORTAL, signed_safe(settings, bomb)), 400)
        refused(post(client, callbacks.WECHAT_PORTAL, envelope, body=bomb), 400)


@pytest.mark.usefixtures("nothing_processed")
def test_bombs_are_refused_in_every_place_a_wecom_callback_is_parsed(client, runtime):
    settings = runtime.settings
    crypto = callbacks.wecom_crypto(settings)
    timestamp, nonce = str(int(time.time())), "5"
    for bomb in BOMBS.values():
        # Inside the ciphertext, correctly signed: decrypted, then refused.
        body, msg_signature = crypto.encrypt_message(bomb, timestamp, nonce, agent_id=settings.third.wecom.agent_id)
        inner = callbacks.CallbackRequest({"msg_signature": msg_signature, "timestamp": timestamp, "nonce": nonce},
                                          body)
        refused(post(client, callbacks.WECOM_PORTAL, inner), 400)
        # As the envelope itself (parsed before the signature can be checked).
        refused(post(client, callbacks.WECOM_PORTAL, inner, body=bomb), 400)
