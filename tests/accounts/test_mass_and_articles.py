"""Mass sends and published articles are each Official Account's: a draft names its account's tags, its send uses
that account's token, and WeChat's MASSSENDJOBFINISH report joins a send only when it reaches the portal of the
account that sent it (msg_ids are each account's own); articles sync and list per account."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import callbacks
from tests.sandbox_support import journal
from tests.waiting import wait_for

SALES_APPID = "wxsales000000001"
MASS = "/api/v1/wechat/mass-sends"
TEXT = {"msgtype": "text", "text": {"content": "本周活动 / this week's event"}}


@pytest.fixture
def run(client, admin):
    """POST a job route, wait for the job to finish; its record."""
    def start(path: str, account: str | None = None, body: dict | None = None) -> dict[str, Any]:
        accepted = client.simulate_post(path, params={"account": account} if account else {}, json=body,
                                        headers=admin)
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json["jobId"]
        return wait_for(lambda: (job := client.simulate_get(f"/api/v1/jobs/{job_id}", headers=admin).json)
                        ["status"] in ("succeeded", "failed") and job)
    return start


def sales_tokens(control) -> set[str]:
    grants = journal(control, "stable_token")
    return {e["response"]["access_token"] for e in grants if e["json"]["appid"] == SALES_APPID}


def draft(client, admin, account: str | None, audience: dict) -> Any:
    return client.simulate_post(MASS, params={"account": account} if account else {}, headers=admin,
                                json={"audience": audience, "message": TEXT})


def report_at(client, runtime, account: str | None, msg_id: str) -> None:
    """WeChat's MASSSENDJOBFINISH for ``msg_id``, posted to ``account``'s portal, signed with its key."""
    settings = callbacks.as_account(runtime.settings, account)
    fields = callbacks.event_fields(settings, "MASSSENDJOBFINISH", "oMassHelper000000000000000001", MsgID=msg_id,
                                    Status="send success", TotalCount=2, FilterCount=2, SentCount=2, ErrorCount=0)
    request = callbacks.build_wechat_callback(settings, fields)
    result = client.simulate_post(callbacks.portal_path("wechat", account), params=request.params,
                                  body=request.body.encode(), headers={"Content-Type": "text/xml"})
    assert result.status_code == 200, result.text


def test_a_mass_send_of_one_account_names_its_tags_and_uses_its_token(client, admin, worker, run, control):
    tag = run("/api/v1/wechat/tags", "sales", {"name": "VIP"})["result"]
    assert draft(client, admin, None, {"tag": "VIP"}).json["error"]["details"][0]["field"] == "audience.tag"
    made = draft(client, admin, "sales", {"tag": "VIP"})
    assert made.status_code == 201, made.text
    assert (made.json["account"], made.json["preview"]["audience"]["tagId"]) == ("sales", tag["id"])
    sent = run(f"{MASS}/{made.json['id']}/confirm")
    assert (sent["status"], sent["account"]) == ("succeeded", "sales"), sent
    [call] = journal(control, "/cgi-bin/message/mass/sendall")
    assert call["query"]["access_token"] in sales_tokens(control)
    assert call["json"]["filter"]["tag_id"] == tag["id"]
    listed = client.simulate_get(MASS, params={"account": "sales"}, headers=admin).json
    assert [m["id"] for m in listed["items"]] == [made.json["id"]]
    assert client.simulate_get(MASS, headers=admin).json["total"] == 0

    status = run(f"{MASS}/{made.json['id']}/status")
    assert (status["status"], status["account"]) == ("succeeded", "sales")
    [get] = journal(control, "/cgi-bin/message/mass/get")
    assert get["query"]["access_token"] in sales_tokens(control)


def test_a_report_at_another_accounts_portal_never_joins_the_send(client, admin, worker, run, runtime):
    made = draft(client, admin, "sales", {"openids": ["oMassA", "oMassB"]}).json
    assert run(f"{MASS}/{made['id']}/confirm")["status"] == "succeeded"
    msg_id = client.simulate_get(f"{MASS}/{made['id']}", headers=admin).json["msgId"]
    assert msg_id

    report_at(client, runtime, None, msg_id)  # the default account's portal: its msg_ids are not the sales one's
    wait_for(lambda: client.simulate_get("/api/v1/inbound", params={"event": "MASSSENDJOBFINISH"},
                                         headers=admin).json["total"] == 1)
    assert client.simulate_get(f"{MASS}/{made['id']}", headers=admin).json["report"] is None

    report_at(client, runtime, "sales", msg_id)
    report = wait_for(lambda: client.simulate_get(f"{MASS}/{made['id']}", headers=admin).json["report"])
    assert (report["status"], report["sentCount"]) == ("send success", 2)


def test_a_report_stored_before_the_send_knew_its_msg_id_joins_only_a_send_of_its_portals_account(
        client, admin, worker, runtime):
    """The job joins a report that came before it recorded the msg_id: only one that came to its account."""
    from models.base import utcnow
    from models.wechat.mass_sends import WeChatMassSend, join_stored_report

    report_at(client, runtime, None, "4242")
    wait_for(lambda: client.simulate_get("/api/v1/inbound", params={"event": "MASSSENDJOBFINISH"},
                                         headers=admin).json["total"] == 1)
    with runtime.database.session() as session:
        sales = WeChatMassSend(account="sales", status="sent", audience="all", msgtype="text", message=TEXT,
                               msg_id="4242", confirmed_at=utcnow())
        default = WeChatMassSend(status="sent", audience="all", msgtype="text", message=TEXT, msg_id="4242",
                                 confirmed_at=utcnow())
        session.add_all([sales, default])
        session.flush()
        assert (join_stored_report(session, sales), join_stored_report(session, default)) == (False, True)
        assert sales.report is None and default.report["sentCount"] == 2


def test_articles_sync_and_list_per_account(client, admin, worker, run, control):
    job = run("/api/v1/wechat/articles/sync", "sales")
    assert (job["status"], job["account"]) == ("succeeded", "sales"), job
    calls = journal(control, "/cgi-bin/freepublish/batchget") + journal(control, "/cgi-bin/draft/batchget")
    assert calls and {c["query"]["access_token"] for c in calls} <= sales_tokens(control)
    sales = client.simulate_get("/api/v1/wechat/articles", params={"account": "sales"}, headers=admin).json
    assert sales["total"] > 0 and all(a["account"] == "sales" for a in sales["items"])
    assert client.simulate_get("/api/v1/wechat/articles", headers=admin).json["total"] == 0
    # The same ids synced for the default account are its own rows, not a conflict with the sales account's.
    assert run("/api/v1/wechat/articles/sync")["status"] == "succeeded"
    assert client.simulate_get("/api/v1/wechat/articles", headers=admin).json["total"] == sales["total"]
    again = client.simulate_get("/api/v1/wechat/articles", params={"account": "sales"}, headers=admin).json
    assert again["total"] == sales["total"]


@pytest.mark.parametrize(("method", "path"), [("GET", MASS), ("POST", MASS), ("GET", "/api/v1/wechat/articles"),
                                              ("POST", "/api/v1/wechat/articles/sync")])
def test_an_unknown_account_is_422_naming_account(client, admin, runtime, method, path):
    body = {"audience": {"all": True}, "message": TEXT} if (method, path) == ("POST", MASS) else None
    result = client.simulate_request(method, path, params={"account": "nobody"}, json=body, headers=admin)
    assert result.status_code == 422, result.text
    assert result.json["error"]["details"][0]["field"] == "account"
    from models.jobs import Job
    from models.wechat.mass_sends import WeChatMassSend

    with runtime.database.session() as session:
        assert session.query(Job).count() == 0 and session.query(WeChatMassSend).count() == 0
