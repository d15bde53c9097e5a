"""The sandbox posts WeChat's MASSSENDJOBFINISH to the account's server URL by itself after a mass send: signed and
encrypted like every callback, with totals that match the recipients, tried again when the server fails; a reset
cancels what is not yet posted. And a send whose answer is slow (``after`` latency) has acted before it answers."""

from __future__ import annotations

import threading

import pytest

from sandbox import pushes
from sandbox.callbacks import wechat_crypto
from sandbox.flat_xml import parse_xml
from tests.sandbox.conftest import errcode
from tests.waiting import wait_for
from tests.webhook_subscriber import Subscriber

TEXT = {"msgtype": "text", "text": {"content": "hi"}}


@pytest.fixture
def server():
    subscriber = Subscriber([200])
    yield subscriber
    subscriber.close()


def _send(client, token: str, touser: list[str]) -> int:
    answer = client.simulate_post("/wechat/cgi-bin/message/mass/send", params={"access_token": token},
                                  json={"touser": touser, **TEXT})
    assert errcode(answer) == 0, answer.json
    return answer.json["msg_id"]


def test_a_mass_send_is_reported_to_the_server_url_encrypted_with_its_totals(client, settings, wechat_token,
                                                                             server):
    client.simulate_post("/_sandbox/config", json={"wechat_server_url": server.url,
                                                   "wechat_mass_report_delay_seconds": 0,
                                                   "wechat_non_followers": ["oGone"]})
    msg_id = _send(client, wechat_token(), ["oA", "oB", "oGone"])
    wait_for(lambda: server.received)
    [(headers, body)] = server.received
    assert headers["content-type"] == "text/xml"
    envelope = parse_xml(body.decode())
    fields = parse_xml(wechat_crypto(settings).decrypt(envelope["Encrypt"]))
    assert (fields["MsgType"], fields["Event"], fields["MsgID"], fields["Status"]) == (
        "event", "MASSSENDJOBFINISH", str(msg_id), "send success")
    assert (fields["TotalCount"], fields["FilterCount"], fields["SentCount"], fields["ErrorCount"]) == (
        "3", "2", "2", "0")
    [push] = wait_for(lambda: [p for p in client.simulate_get("/_sandbox/pushes").json["pushes"] if p["done"]])
    assert push["attempts"] == [{"status": 200}] and push["url"] == server.url


def test_a_failing_server_is_tried_three_times(client, wechat_token, monkeypatch):
    monkeypatch.setattr(pushes, "RETRY_PAUSE_SECONDS", 0.01)
    failing = Subscriber([500])
    try:
        client.simulate_post("/_sandbox/config", json={"wechat_server_url": failing.url,
                                                       "wechat_mass_report_delay_seconds": 0})
        _send(client, wechat_token(), ["oA", "oB"])
        [push] = wait_for(lambda: [p for p in client.simulate_get("/_sandbox/pushes").json["pushes"] if p["done"]])
        assert push["attempts"] == [{"status": 500}] * 3 and len(failing.received) == 3
    finally:
        failing.close()


def test_without_a_server_url_nothing_is_posted_and_a_reset_cancels_what_waits(client, wechat_token, server):
    _send(client, wechat_token(), ["oA", "oB"])
    assert client.simulate_get("/_sandbox/pushes").json["pushes"] == []
    client.simulate_post("/_sandbox/config", json={"wechat_server_url": server.url,
                                                   "wechat_mass_report_delay_seconds": 3600})
    _send(client, wechat_token(), ["oA", "oB"])
    assert len(client.simulate_get("/_sandbox/pushes").json["pushes"]) == 1
    client.simulate_post("/_sandbox/reset")
    assert client.simulate_get("/_sandbox/pushes").json["pushes"] == []
    assert client.simulate_post("/_sandbox/config", json={"wechat_server_url": "ftp://x"}).status_code == 400


def test_a_late_answer_comes_after_the_platform_acted(client, state, wechat_token):
    token = wechat_token()
    rule = client.simulate_post("/_sandbox/faults", json={"pattern": "/wechat/cgi-bin/message/mass/send",
                                                          "kind": "latency", "after": True,
                                                          "latency_ms": 30000}).json
    answers = []
    caller = threading.Thread(target=lambda: answers.append(client.simulate_post(
        "/wechat/cgi-bin/message/mass/send", params={"access_token": token}, json={"touser": ["oA", "oB"], **TEXT})))
    caller.start()
    wait_for(lambda: state.wechat.mass_sends)  # sent, while its answer is held
    assert answers == []
    client.simulate_delete(f"/_sandbox/faults/{rule['id']}")  # lets the answer go
    caller.join(timeout=10)
    [answer] = answers
    assert errcode(answer) == 0 and answer.json["msg_id"] in state.wechat.mass_sends
