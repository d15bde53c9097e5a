"""Whatever arrives at a portal, the answer is a 200, a 400 or a 401: never a 5xx, never a trace."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox import callbacks
from tests.portals.conftest import post

TEXT = st.text(max_size=60)
QUERY = st.dictionaries(st.sampled_from(["signature", "msg_signature", "timestamp", "nonce", "echostr",
                                         "encrypt_type", "openid"]), TEXT, max_size=6)
TAGS = st.sampled_from(["ToUserName", "FromUserName", "CreateTime", "MsgType", "Event", "EventKey", "Content",
                        "MsgId", "MediaId", "Location_X", "Latitude", "Url", "Ticket", "AgentID"])
FIELDS = st.dictionaries(TAGS, st.one_of(TEXT, st.integers(-(2**70), 2**70)), max_size=10)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_civil(result) -> None:
    assert result.status_code in (200, 400, 401), (result.status_code, result.text)
    assert "Traceback" not in result.text


@FUZZ
@given(query=QUERY, body=st.one_of(TEXT, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_unsigned_garbage(client, query, body):
    for path in (callbacks.WECHAT_PORTAL, callbacks.WECOM_PORTAL):
        assert_civil(client.simulate_post(path, params=query, body=body))
        assert_civil(client.simulate_get(path, params=query))


@FUZZ
@given(fields=FIELDS, safe=st.booleans())
def test_signed_messages_of_any_shape(client, runtime, fields, safe):
    fields = {**fields, "CreateTime": fields.get("CreateTime", int(time.time()))}
    request = callbacks.build_wechat_callback(runtime.settings, fields, safe=safe)
    assert_civil(post(client, callbacks.WECHAT_PORTAL, request))
    wecom = callbacks.build_wecom_callback(runtime.settings, fields)
    assert_civil(post(client, callbacks.WECOM_PORTAL, wecom))
