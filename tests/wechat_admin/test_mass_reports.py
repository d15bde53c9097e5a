"""WeChat's report on a mass send, end to end: the sandbox posts MASSSENDJOBFINISH to the ingress's portal by itself
(signed and encrypted, a little after the send), the worker joins it to the mass send's record, with totals that
match whom the send reached; a report that comes before the record knows its msg_id is joined all the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.ingress_support import served_ingress
from tests.waiting import wait_for
from workers.actors.inbound import REPORT_RETRY, apply_mass_report_later

MASS = "/api/v1/wechat/mass-sends"
TEXT = {"msgtype": "text", "text": {"content": "本周活动 / this week's event"}}
SENDALL = "/wechat/cgi-bin/message/mass/sendall"


@pytest.fixture
def served(runtime, control) -> Iterator[str]:
    """The ingress over HTTP, set as the account's server URL in the sandbox (where WeChat posts its events)."""
    with served_ingress(runtime.settings, runtime) as url:
        control.post("/config", json={"wechat_server_url": f"{url}/wechat/portal",
                                      "wechat_mass_report_delay_seconds": 0.2}).raise_for_status()
        yield url
        control.post("/reset")  # no report of this test reaches a later one


def _report(api, mass_id: int) -> dict | None:
    return api.get(f"{MASS}/{mass_id}").json["report"]


def test_a_mass_send_ends_with_wechats_report_joined(api, worker, control, served):
    tag = api.run("post", "/api/v1/wechat/tags", {"name": "VIP"})["result"]["id"]
    api.run("post", f"/api/v1/wechat/tags/{tag}/members", {"openids": ["oVip1", "oVip2"]})
    control.post("/config", json={"wechat_non_followers": ["oGone"]}).raise_for_status()
    to_tag = api.post(MASS, {"audience": {"tag": "VIP"}, "message": TEXT}).json
    to_list = api.post(MASS, {"audience": {"openids": ["oVip1", "oGone", "oOther"]}, "message": TEXT}).json
    for draft in (to_tag, to_list):
        assert api.run("post", f"{MASS}/{draft['id']}/confirm")["status"] == "succeeded"

    tagged = wait_for(lambda: _report(api, to_tag["id"]))
    assert tagged["status"] == "send success" and tagged["reportedAt"]
    assert (tagged["totalCount"], tagged["filterCount"], tagged["sentCount"], tagged["errorCount"]) == (2, 2, 2, 0)
    listed = wait_for(lambda: _report(api, to_list["id"]))  # the non-follower is filtered out, not an error
    assert (listed["totalCount"], listed["filterCount"], listed["sentCount"], listed["errorCount"]) == (3, 2, 2, 0)

    # WeChat's own post, as the platform makes it: encrypted, answered 200 by the portal, recorded once each.
    pushes = control.get("/pushes").json()["pushes"]
    assert sorted(p["fields"]["MsgID"] for p in pushes) == sorted(
        int(api.get(f"{MASS}/{d['id']}").json["msgId"]) for d in (to_tag, to_list))
    assert all(p["attempts"] == [{"status": 200}] for p in pushes)
    events = api.get("/api/v1/inbound", params={"event": "MASSSENDJOBFINISH"}).json
    assert events["total"] == 2 and all(e["encrypted"] for e in events["items"])


def test_a_report_that_comes_before_the_record_knows_its_msg_id_is_joined(api, worker, control, served):
    draft = api.post(MASS, {"audience": {"openids": ["oA", "oB"]}, "message": TEXT}).json
    # WeChat sends at once and reports at once, but its answer to the send is slow: the job learns the msg_id
    # only after the report was recorded.
    control.post("/config", json={"wechat_mass_report_delay_seconds": 0}).raise_for_status()
    rule = control.post("/faults", json={"pattern": "/wechat/cgi-bin/message/mass/send", "kind": "latency",
                                         "after": True, "latency_ms": 20000}).json()
    started = api.post(f"{MASS}/{draft['id']}/confirm")
    assert started.status_code == 202
    wait_for(lambda: api.get("/api/v1/inbound", params={"event": "MASSSENDJOBFINISH"}).json["total"] == 1)
    assert api.get(f"{MASS}/{draft['id']}").json["msgId"] is None  # the report is in, the record has no msg_id

    control.delete(f"/faults/{rule['id']}").raise_for_status()  # the answer goes out now
    assert api.job(started.json["jobId"])["status"] == "succeeded"
    report = wait_for(lambda: _report(api, draft["id"]))
    assert (report["totalCount"], report["sentCount"], report["errorCount"]) == (2, 2, 0)


def test_a_send_whose_answer_was_lost_still_gets_its_report(runtime, api, worker, control, served):
    draft = api.post(MASS, {"audience": {"all": True}, "message": TEXT}).json
    # An earlier attempt reached WeChat with the record's clientmsgid, but its answer was lost: the job's send is
    # refused with 45065, whose answer names the first send's msg_id.
    first = runtime.clients.wechat.mass.send_to_all(TEXT, clientmsgid=f"imbridge-mass-{draft['id']}")
    job = api.run("post", f"{MASS}/{draft['id']}/confirm")
    assert job["result"]["alreadySent"] is True and job["result"]["msgId"] == first["msg_id"]
    assert api.get(f"{MASS}/{draft['id']}").json["msgId"] == str(first["msg_id"])
    assert wait_for(lambda: _report(api, draft["id"]))["status"] == "send success"


def test_the_second_look_joins_a_report_whose_send_was_recorded_meanwhile(runtime, api, actor_context):
    """The inbound side's retry: it covers the job and the recorder missing each other's transactions."""
    from models.wechat.mass_sends import MassStatus, WeChatMassSend

    with runtime.database.session() as session:
        row = WeChatMassSend(audience="openids", openids=["oA", "oB"], msgtype="text", message=TEXT,
                             status=MassStatus.SENT.value, msg_id="2000000123")
        session.add(row)
    fields = {"MsgID": "2000000123", "Status": "send success", "TotalCount": "2", "FilterCount": "2",
              "SentCount": "2", "ErrorCount": "0"}
    apply_mass_report_later(actor_context, fields, datetime.now(UTC).isoformat(), 0)
    report = api.get(f"{MASS}/{row.id}").json["report"]
    assert (report["status"], report["sentCount"]) == ("send success", 2)


def test_a_report_on_a_send_nobody_made_stops_asking(runtime, actor_context):
    last = len(REPORT_RETRY.delays) - 1
    apply_mass_report_later(actor_context, {"MsgID": "999", "Status": "send success"}, datetime.now(UTC).isoformat(),
                            last)
    assert runtime.redis.hlen("imbridge-dramatiq:inbound.DQ.msgs") == 0
