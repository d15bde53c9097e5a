"""Mass sends: a draft answers its preview and sends nothing; the confirmation sends it once (a retried job cannot
send twice: the record's clientmsgid); status and article deletion read back from WeChat; bad input is a 422
naming the field. WeChat's report on a send: test_mass_reports.py."""

from __future__ import annotations

from tests.sandbox_support import journal
from tests.wechat_admin.conftest import job_count

MASS = "/api/v1/wechat/mass-sends"
TEXT = {"msgtype": "text", "text": {"content": "本周活动 / this week's event"}}


def vip_tag(api) -> dict:
    """A tag ``VIP`` with two followers, synced locally."""
    created = api.run("post", "/api/v1/wechat/tags", {"name": "VIP"})
    tag_id = created["result"]["id"]
    api.run("post", f"/api/v1/wechat/tags/{tag_id}/members", {"openids": ["oVip1", "oVip2"]})
    return {"id": tag_id, "name": "VIP"}


def test_a_draft_previews_and_sends_nothing_until_confirmed(api, worker, control):
    tag = vip_tag(api)
    draft = api.post(MASS, {"audience": {"tag": "VIP"}, "message": TEXT})
    assert draft.status_code == 201, draft.text
    assert draft.json["status"] == "draft" and draft.headers["Location"] == f"{MASS}/{draft.json['id']}"
    assert draft.json["preview"] == {"audience": {"kind": "tag", "tagId": tag["id"], "tagName": "VIP", "count": 2},
                                     "message": "text: 本周活动 / this week's event"}
    assert journal(control, "/cgi-bin/message/mass/") == []
    job = api.run("post", f"{MASS}/{draft.json['id']}/confirm")
    assert job["status"] == "succeeded" and job["kind"] == "wechat.mass.send"
    [send] = journal(control, "/cgi-bin/message/mass/sendall")
    assert send["json"] == {"filter": {"is_to_all": False, "tag_id": tag["id"]}, **TEXT, "send_ignore_reprint": 0,
                            "clientmsgid": f"imbridge-mass-{draft.json['id']}"}
    sent = api.get(f"{MASS}/{draft.json['id']}").json
    assert sent["status"] == "sent" and sent["msgId"] == str(send["response"]["msg_id"]) and sent["sentAt"]
    again = api.post(f"{MASS}/{draft.json['id']}/confirm")
    assert again.status_code == 409
    assert api.delete(f"{MASS}/{draft.json['id']}").status_code == 409  # sent: cannot be dropped


def test_to_all_and_to_openids(api, worker, control):
    everyone = api.post(MASS, {"audience": {"all": True}, "message": TEXT})
    assert everyone.json["preview"]["audience"] == {"kind": "all"}
    api.run("post", f"{MASS}/{everyone.json['id']}/confirm")
    listed = api.post(MASS, {"audience": {"openids": ["oA", "oB", "oA"]}, "message": TEXT})
    assert listed.json["preview"]["audience"] == {"kind": "openids", "count": 2}
    api.run("post", f"{MASS}/{listed.json['id']}/confirm")
    [to_all] = journal(control, "/cgi-bin/message/mass/sendall")
    assert to_all["json"]["filter"] == {"is_to_all": True}
    [by_openid] = [e for e in journal(control, "/cgi-bin/message/mass/send") if e["path"].endswith("/mass/send")]
    assert by_openid["json"]["touser"] == ["oA", "oB"]
    page = api.get(MASS, params={"status": "sent", "limit": 1}).json
    assert page["total"] == 2 and [item["id"] for item in page["items"]] == [listed.json["id"]]


def test_a_retried_send_whose_first_answer_was_lost_sends_nothing_new(runtime, api, worker, control):
    draft = api.post(MASS, {"audience": {"all": True}, "message": TEXT}).json
    # An earlier attempt reached WeChat with the record's clientmsgid, but its answer was lost.
    runtime.clients.wechat.mass.send_to_all(TEXT, clientmsgid=f"imbridge-mass-{draft['id']}")
    job = api.run("post", f"{MASS}/{draft['id']}/confirm")
    assert job["status"] == "succeeded" and job["result"]["alreadySent"] is True
    first, again = journal(control, "/cgi-bin/message/mass/sendall")
    assert again["json"]["clientmsgid"] == first["json"]["clientmsgid"] and again["response"]["errcode"] == 45065
    assert api.get(f"{MASS}/{draft['id']}").json["status"] == "sent"


def test_status_read_back_and_delete(api, worker, control):
    draft = api.post(MASS, {"audience": {"openids": ["oA", "oB"]}, "message": TEXT}).json
    early = api.post(f"{MASS}/{draft['id']}/status")
    assert early.status_code == 409  # not sent: no msg_id to ask about
    api.run("post", f"{MASS}/{draft['id']}/confirm")
    assert api.run("post", f"{MASS}/{draft['id']}/status")["result"]["msgStatus"] == "SEND_SUCCESS"
    assert api.run("post", f"{MASS}/{draft['id']}/delete-articles", {"article_idx": 0})["status"] == "succeeded"
    assert api.get(f"{MASS}/{draft['id']}").json["msgStatus"] == "DELETE"


def test_a_refused_send_fails_the_record_with_the_platforms_reason(api, worker, control):
    draft = api.post(MASS, {"audience": {"all": True}, "message": {"msgtype": "mpnews",
                                                                   "mpnews": {"media_id": "no-such-media"}}}).json
    assert draft["preview"]["message"] == "mpnews no-such-media"
    job = api.run("post", f"{MASS}/{draft['id']}/confirm")
    assert job["status"] == "failed" and job["errcode"] == 40007
    failed = api.get(f"{MASS}/{draft['id']}").json
    assert failed["status"] == "failed" and failed["errcode"] == 40007 and "media_id" in failed["lastError"]


def test_a_draft_can_be_dropped(api):
    draft = api.post(MASS, {"audience": {"all": True}, "message": TEXT}).json
    assert api.delete(f"{MASS}/{draft['id']}").status_code == 204
    assert api.get(f"{MASS}/{draft['id']}").status_code == 404


def test_bad_input_is_a_422_naming_the_field_and_makes_nothing(runtime, api):
    jobs = job_count(runtime)
    cases = [
        ({"audience": {"all": True, "tag": "VIP"}, "message": TEXT}, "audience"),
        ({"audience": {"tag": "nobody"}, "message": TEXT}, "audience.tag"),
        ({"audience": {"openids": ["oA"]}, "message": TEXT}, "audience.openids"),
        ({"audience": {"openids": ["oA", "oA"]}, "message": TEXT}, "audience.openids"),
        ({"audience": {"all": True}, "message": {"msgtype": "text", "text": {"content": ""}}}, "message.text.content"),
        ({"audience": {"all": True}, "message": {"msgtype": "news", "news": {}}}, "message"),
        ({"audience": {"all": False}, "message": TEXT}, "audience.all"),
    ]
    for body, field in cases:
        refused = api.post(MASS, body)
        assert refused.status_code == 422, (body, refused.text)
        fields = [d["field"] for d in refused.json["error"]["details"]]
        assert any(f.startswith(field) for f in fields), (body, fields)
    assert api.get(MASS).json["total"] == 0 and job_count(runtime) == jobs
    assert api.post(f"{MASS}/999999/confirm").status_code == 404
