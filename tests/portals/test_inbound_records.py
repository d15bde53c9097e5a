"""Every first delivery is recorded by the ``record_inbound`` actor and searchable at ``/api/v1/inbound``."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from models import InboundRecord, Scope
from models.api_clients import create_api_client
from sandbox import callbacks
from tests.portals.conftest import PLAINTEXT_ALLOWED, post_wechat, post_wecom
from tests.waiting import wait_for

OPENID = "oRecords00000000000000000001"


def base(settings, msg_type: str, openid: str = OPENID) -> dict:
    return {"ToUserName": callbacks.original_id(settings), "FromUserName": openid, "CreateTime": int(time.time()),
            "MsgType": msg_type}


def records(runtime) -> list[InboundRecord]:
    with runtime.database.session() as session:
        return list(session.query(InboundRecord).order_by(InboundRecord.id))


@pytest.fixture
def traffic(worker, client, runtime):
    """A text, a follow, a click and a WeCom text, once each (the text twice: the retry is not recorded)."""
    settings = runtime.settings
    text = {**base(settings, "text"), "Content": "我要退货 order-17", "MsgId": 6001}
    post_wechat(client, settings, text, safe=True)
    post_wechat(client, settings, text, safe=True)
    post_wechat(client, settings, {**base(settings, "event", "oOther0001"), "Event": "subscribe", "EventKey": ""},
                safe=False)
    post_wechat(client, settings, {**base(settings, "event"), "Event": "CLICK", "EventKey": "MENU_X"})
    wecom = settings.third.wecom
    post_wecom(client, settings, {"ToUserName": wecom.corp_id, "FromUserName": "wang.wu",
                                  "CreateTime": int(time.time()), "MsgType": "text", "Content": "hello",
                                  "MsgId": 6001, "AgentID": wecom.agent_id})
    wait_for(lambda: len(records(runtime)) == 4)
    return sorted(records(runtime), key=lambda r: r.received_at)  # two worker threads: ids follow no order


@PLAINTEXT_ALLOWED
def test_the_actor_records_every_first_delivery_with_its_fields(traffic, runtime):
    text, follow, click, wecom = traffic
    settings = runtime.settings
    assert (text.platform, text.app, text.msg_type, text.msg_id, text.from_user, text.encrypted) == (
        "wechat", settings.third.wechat.app_id, "text", "6001", OPENID, True)
    assert text.dedup_key == f"wechat:{settings.third.wechat.app_id}:6001"
    assert text.fields["Content"] == "我要退货 order-17"
    assert text.handler == "TextEcho" and text.reply is None
    assert (follow.event, follow.handler, follow.encrypted) == ("subscribe", "Welcome", False)
    assert follow.reply.startswith("text: ")
    assert (click.event, click.event_key, click.msg_id) == ("CLICK", "MENU_X", None)
    assert click.dedup_key.endswith(f"{OPENID}|{click.fields['CreateTime']}|CLICK|MENU_X")
    assert (wecom.platform, wecom.app, wecom.fields["AgentID"]) == (
        "wecom", settings.third.wecom.corp_id, str(settings.third.wecom.agent_id))
    assert abs((text.received_at.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds()) < 60


def test_recording_is_idempotent(runtime):
    from models.inbound import store_inbound

    entry = {"platform": "wechat", "app": "wx1", "msg_type": "text", "event": None, "event_key": None,
             "from_user": "o1", "to_user": "gh", "msg_id": "1", "dedup_key": "wechat:wx1:1",
             "create_time": 1700000000, "received_at": time.time(), "fields": {"Content": "x"}, "encrypted": False,
             "handler": None, "reply": None}
    with runtime.database.session() as session:
        first = store_inbound(session, entry).id
    with runtime.database.session() as session:
        assert store_inbound(session, entry).id == first
    assert len(records(runtime)) == 1


@PLAINTEXT_ALLOWED
def test_search_by_every_filter(traffic, client, admin):
    def ids(**params) -> list[int]:
        result = client.simulate_get("/api/v1/inbound", params=params, headers=admin)
        assert result.status_code == 200, result.text
        return [item["id"] for item in result.json["items"]]

    text, follow, click, wecom = traffic
    assert ids() == [wecom.id, click.id, follow.id, text.id]  # newest first
    assert ids(platform="wecom") == [wecom.id]
    assert ids(msg_type="event") == [click.id, follow.id]
    assert ids(msgType="text") == [wecom.id, text.id]
    assert ids(event="click") == [click.id]
    assert ids(from_user="oOther0001") == [follow.id]
    assert ids(q="退货") == [text.id]
    assert ids(q="ORDER-17") == [text.id]
    assert ids(q="100%") == []
    assert ids(since=(datetime.now(UTC) + timedelta(minutes=1)).isoformat()) == []
    assert ids(until=str(time.time() + 60), since="2020-01-01T00:00:00") == [wecom.id, click.id, follow.id, text.id]
    page = client.simulate_get("/api/v1/inbound", params={"limit": 2, "offset": 1}, headers=admin).json
    assert (page["total"], [i["id"] for i in page["items"]]) == (4, [click.id, follow.id])


@PLAINTEXT_ALLOWED
def test_one_record_by_id(traffic, client, admin):
    text = traffic[0]
    item = client.simulate_get(f"/api/v1/inbound/{text.id}", headers=admin).json
    assert item["fields"]["Content"] == "我要退货 order-17"
    assert (item["msgType"], item["msgId"], item["platform"]) == ("text", "6001", "wechat")
    assert client.simulate_get("/api/v1/inbound/99999", headers=admin).status_code == 404


@pytest.mark.parametrize("params", [{"since": "last tuesday"}, {"limit": "1000"}, {"platform": "dingtalk"},
                                    {"colour": "red"}, {"offset": "-1"}])
def test_bad_filters_are_422(client, admin, params):
    result = client.simulate_get("/api/v1/inbound", params=params, headers=admin)
    assert result.status_code == 422
    assert result.json["error"]["details"]


def test_inbound_needs_an_admin_key(client, runtime):
    with runtime.database.session() as session:
        _, notify = create_api_client(session, "n", Scope.NOTIFY)
    assert client.simulate_get("/api/v1/inbound").status_code == 401
    assert client.simulate_get("/api/v1/inbound", headers={"Authorization": f"Bearer {notify}"}).status_code == 403
