"""Whatever arrives at a portal, the answer is a 200, a 400 or a 401: never a 5xx, never a trace, nothing logged
by the error handler. Generated requests (hypothesis, derandomized) and mutations of valid ones: bytes deleted,
inserted, replaced and repeated, other encodings, hostile query strings.

The example counts are small for CI; ``FUZZ_EXAMPLES=N`` (see ``tests/fuzz_budget.py``) runs more.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from platforms.xml import render_xml
from sandbox import callbacks
from tests.fuzz_budget import fuzz_settings
from tests.portals.conftest import PLAINTEXT_ALLOWED, post

TEXT = st.text(max_size=60)
QUERY = st.dictionaries(st.sampled_from(["signature", "msg_signature", "timestamp", "nonce", "echostr",
                                         "encrypt_type", "openid"]), TEXT, max_size=6)
TAGS = st.sampled_from(["ToUserName", "FromUserName", "CreateTime", "MsgType", "Event", "EventKey", "Content",
                        "MsgId", "MediaId", "Location_X", "Latitude", "Url", "Ticket", "AgentID"])
FIELDS = st.dictionaries(TAGS, st.one_of(TEXT, st.integers(-(2**70), 2**70)), max_size=10)
FUZZ = fuzz_settings(40)
PORTALS = (callbacks.WECHAT_PORTAL, callbacks.WECOM_PORTAL)


@pytest.fixture(autouse=True)
def no_unhandled_errors(caplog):
    """An exception the error handler caught (a tidy 500) is a failure too: it logs on ``ingress.errors``."""
    with caplog.at_level(logging.ERROR, logger="imbridge.ingress.errors"):
        yield
    assert [r.getMessage() for r in caplog.records if r.name == "imbridge.ingress.errors"] == []


def assert_civil(result) -> None:
    assert result.status_code in (200, 400, 401), (result.status_code, result.text)
    assert "Traceback" not in result.text


@FUZZ
@given(query=QUERY, body=st.one_of(TEXT, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_unsigned_garbage(client, query, body):
    for path in (callbacks.WECHAT_PORTAL, callbacks.WECOM_PORTAL):
        assert_civil(client.simulate_post(path, params=query, body=body))
        assert_civil(client.simulate_get(path, params=query))


@PLAINTEXT_ALLOWED
@FUZZ
@given(fields=FIELDS, safe=st.booleans())
def test_signed_messages_of_any_shape(client, runtime, fields, safe):
    fields = {**fields, "CreateTime": fields.get("CreateTime", int(time.time()))}
    request = callbacks.build_wechat_callback(runtime.settings, fields, safe=safe)
    assert_civil(post(client, callbacks.WECHAT_PORTAL, request))
    wecom = callbacks.build_wecom_callback(runtime.settings, fields)
    assert_civil(post(client, callbacks.WECOM_PORTAL, wecom))


# -- mutations of valid requests ---------------------------------------------------------------------------------

#: One edit of a byte string: (kind, where (a fraction of the length), how many bytes, what to put).
EDIT = st.tuples(st.sampled_from(["delete", "insert", "replace", "repeat"]), st.floats(0, 1),
                 st.integers(1, 64), st.binary(min_size=1, max_size=64))


def mutate(data: bytes, edits: list[tuple[str, float, int, bytes]]) -> bytes:
    for kind, where, size, payload in edits:
        at = int(where * len(data))
        if kind == "delete":
            data = data[:at] + data[at + size:]
        elif kind == "insert":
            data = data[:at] + payload + data[at:]
        elif kind == "replace":
            data = data[:at] + payload + data[at + len(payload):]
        else:
            data = data[:at] + data[at:at + size] * 50 + data[at:]
    return data


def valid_fields(runtime, msg_id: int) -> dict:
    return {"ToUserName": callbacks.original_id(runtime.settings), "FromUserName": "oFuzz00000000000000000001",
            "CreateTime": int(time.time()), "MsgType": "text", "Content": "你好 hello", "MsgId": msg_id}


@PLAINTEXT_ALLOWED
@FUZZ
@given(edits=st.lists(EDIT, min_size=1, max_size=4), safe=st.booleans())
def test_mutated_wechat_bodies(client, runtime, edits, safe):
    """Plaintext mode signs the query only, so a mutated body is parsed and dispatched: it must stay civil."""
    request = callbacks.build_wechat_callback(runtime.settings, valid_fields(runtime, 7001), safe=safe)
    assert_civil(post(client, callbacks.WECHAT_PORTAL, request, body=mutate(request.body.encode(), edits)))


@FUZZ
@given(edits=st.lists(EDIT, min_size=1, max_size=4))
def test_mutated_wecom_bodies(client, runtime, edits):
    request = callbacks.build_wecom_callback(runtime.settings, valid_fields(runtime, 7002))
    assert_civil(post(client, callbacks.WECOM_PORTAL, request, body=mutate(request.body.encode(), edits)))


@PLAINTEXT_ALLOWED
@FUZZ
@given(encoding=st.sampled_from(["utf-8-sig", "utf-16", "utf-16-be", "utf-32", "gb18030", "big5", "latin-1",
                                 "cp1252", "shift_jis"]),
       declared=st.sampled_from([None, "UTF-8", "UTF-16", "GBK", "ISO-8859-1", "nonsense"]),
       content=st.text(max_size=40))
def test_bodies_in_other_encodings(client, runtime, encoding, declared, content):
    fields = {**valid_fields(runtime, 7003), "Content": content}
    xml = render_xml(fields)
    if declared:
        xml = f'<?xml version="1.0" encoding="{declared}"?>' + xml
    body = xml.encode(encoding, errors="replace")
    request = callbacks.build_wechat_callback(runtime.settings, fields, safe=False)
    assert_civil(post(client, callbacks.WECHAT_PORTAL, request, body=body))


RAW_VALUE = st.one_of(
    st.text(max_size=30).map(quote),
    st.binary(max_size=20).map(lambda b: "".join(f"%{byte:02X}" for byte in b)),  # often not UTF-8 at all
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["", "%", "%G0", "+", "%2B" * 10, "a" * 20000, "1e9", "0x10",
                     quote("\uff11\uff12\uff13"), quote("\u0661\u0662\u0663")]),  # full-width and Arabic digits
)
RAW_NAME = st.sampled_from(["signature", "msg_signature", "timestamp", "nonce", "echostr", "encrypt_type", "openid",
                            "", "%00", "a[]", "signature[]"])


@PLAINTEXT_ALLOWED
@FUZZ
@given(pairs=st.lists(st.tuples(RAW_NAME, RAW_VALUE), max_size=8), method=st.sampled_from(["GET", "POST"]))
def test_hostile_query_strings(client, runtime, pairs, method):
    """Raw query strings: broken escapes, bytes that are not UTF-8, repeated names, huge and non-ASCII numbers."""
    query = "&".join(f"{name}={value}" for name, value in pairs)
    body = callbacks.build_wechat_callback(runtime.settings, valid_fields(runtime, 7004), safe=False).body
    for path in PORTALS:
        result = client.simulate_request(method, path, query_string=query, body=body if method == "POST" else None,
                                         headers={"Content-Type": "text/xml"})
        assert_civil(result)


@PLAINTEXT_ALLOWED
@FUZZ
@given(timestamp=RAW_VALUE, nonce=RAW_VALUE)
def test_signed_requests_with_odd_stamps(client, runtime, timestamp, nonce):
    """Correctly signed over whatever timestamp and nonce: odd ones are refused (replay window), never a 500."""
    from urllib.parse import unquote

    timestamp, nonce = unquote(timestamp)[:100], unquote(nonce)[:100]
    crypto = callbacks.wechat_crypto(runtime.settings)
    params = {"signature": crypto.signature(timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    body = render_xml(valid_fields(runtime, 7005))
    assert_civil(client.simulate_post(callbacks.WECHAT_PORTAL, params=params, body=body,
                                      headers={"Content-Type": "text/xml"}))
    assert_civil(client.simulate_get(callbacks.WECHAT_PORTAL, params={**params, "echostr": "x"}))
