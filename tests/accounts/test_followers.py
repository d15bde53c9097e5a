"""Each Official Account has its own followers and tags: openids and tag ids are the account's, so the same tag id
in two accounts is two tags; every route takes ``?account=`` (unknown: 422), every job uses that account's token,
and a follower sync runs one at a time per account, not one at a time overall."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import callbacks
from tests.sandbox_support import journal
from tests.waiting import wait_for

SALES_APPID = "wxsales000000001"
FIRST, SECOND = "oSalesFollower00000000000001", "oSalesFollower00000000000002"


@pytest.fixture
def run(client, admin):
    """Call a job route, wait for the job to finish; its record."""
    def start(method: str, path: str, account: str | None = None, body: dict | None = None) -> dict[str, Any]:
        accepted = client.simulate_request(method, path, params={"account": account} if account else {},
                                           json=body, headers=admin)
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json["jobId"]
        return wait_for(lambda: (job := client.simulate_get(f"/api/v1/jobs/{job_id}", headers=admin).json)
                        ["status"] in ("succeeded", "failed") and job)
    return start


def get(client, admin, path: str, account: str | None = None):
    return client.simulate_get(path, params={"account": account} if account else {}, headers=admin)


def sales_tokens(control) -> set[str]:
    grants = journal(control, "stable_token")
    return {e["response"]["access_token"] for e in grants if e["json"]["appid"] == SALES_APPID}


def test_the_same_tag_id_in_two_accounts_is_two_tags(client, admin, worker, run, control):
    created = run("POST", "/api/v1/wechat/tags", "sales", {"name": "VIP"})
    assert (created["status"], created["account"]) == ("succeeded", "sales"), created
    assert run("POST", "/api/v1/wechat/tags/sync")["status"] == "succeeded"  # the default account lists it too
    tag_id = created["result"]["id"]
    sales = get(client, admin, "/api/v1/wechat/tags", "sales").json["items"]
    default = get(client, admin, "/api/v1/wechat/tags").json["items"]
    assert [(t["id"], t["account"]) for t in sales if t["id"] == tag_id] == [(tag_id, "sales")]
    assert [(t["id"], t["account"]) for t in default if t["id"] == tag_id] == [(tag_id, "default")]
    [create] = journal(control, "/cgi-bin/tags/create")
    assert create["query"]["access_token"] in sales_tokens(control)

    # Deleting the sales account's tag leaves the default account's of the same id alone.
    assert run("DELETE", f"/api/v1/wechat/tags/{tag_id}", "sales")["status"] == "succeeded"
    assert tag_id not in {t["id"] for t in get(client, admin, "/api/v1/wechat/tags", "sales").json["items"]}
    assert tag_id in {t["id"] for t in get(client, admin, "/api/v1/wechat/tags").json["items"]}


def test_followers_fetched_for_one_account_are_that_accounts(client, admin, worker, run, control):
    job = run("POST", "/api/v1/wechat/followers/fetch", "sales", {"openids": [FIRST, SECOND]})
    assert (job["status"], job["result"]["fetched"]) == ("succeeded", 2)
    listed = get(client, admin, "/api/v1/wechat/followers", "sales").json
    assert sorted((f["openid"], f["account"]) for f in listed["items"]) == [(FIRST, "sales"), (SECOND, "sales")]
    assert get(client, admin, "/api/v1/wechat/followers").json["total"] == 0
    assert get(client, admin, f"/api/v1/wechat/followers/{FIRST}", "sales").json["account"] == "sales"
    assert get(client, admin, f"/api/v1/wechat/followers/{FIRST}").status_code == 404  # not the default's openid
    [batch] = journal(control, "/cgi-bin/user/info/batchget")
    assert batch["query"]["access_token"] in sales_tokens(control)

    remark = run("POST", f"/api/v1/wechat/followers/{FIRST}/remark", "sales", {"remark": "北京 VIP"})
    assert remark["status"] == "succeeded"
    assert get(client, admin, f"/api/v1/wechat/followers/{FIRST}", "sales").json["remark"] == "北京 VIP"
    [update] = journal(control, "/cgi-bin/user/info/updateremark")
    assert update["query"]["access_token"] in sales_tokens(control)


def test_tagging_in_one_account_leaves_the_other_accounts_follower_alone(client, admin, worker, run):
    for account in ("sales", None):
        run("POST", "/api/v1/wechat/followers/fetch", account, {"openids": [FIRST]})
    tag_id = run("POST", "/api/v1/wechat/tags", "sales", {"name": "团购"})["result"]["id"]
    assert run("POST", f"/api/v1/wechat/tags/{tag_id}/members", "sales", {"openids": [FIRST]})["status"] == "succeeded"
    assert [t["id"] for t in get(client, admin, f"/api/v1/wechat/followers/{FIRST}", "sales").json["tags"]] == [tag_id]
    assert get(client, admin, f"/api/v1/wechat/followers/{FIRST}").json["tags"] == []
    for account, total in (("sales", 1), ("default", 0)):
        tagged = client.simulate_get("/api/v1/wechat/followers", params={"account": account, "tag": tag_id},
                                     headers=admin).json
        assert tagged["total"] == total, account


def test_a_follower_sync_is_one_at_a_time_per_account(client, admin, runtime):
    """No worker runs here: the first syncs stay queued."""
    path = "/api/v1/wechat/followers/sync"
    assert client.simulate_post(path, headers=admin).status_code == 202
    sales = client.simulate_post(path, params={"account": "sales"}, headers=admin)
    assert sales.status_code == 202, sales.text  # the default account's sync does not hold the sales account's up
    again = client.simulate_post(path, params={"account": "sales"}, headers=admin)
    assert again.status_code == 409
    assert again.json["error"]["details"][0]["value"] == sales.json["jobId"]
    tag_sync = client.simulate_post("/api/v1/wechat/tags/2/members/sync", params={"account": "sales"}, headers=admin)
    assert tag_sync.status_code == 409


def test_a_sync_of_one_account_marks_only_its_own_followers_gone(client, admin, worker, run, control):
    run("POST", "/api/v1/wechat/followers/fetch", None, {"openids": [FIRST]})
    run("POST", "/api/v1/wechat/followers/fetch", "sales", {"openids": [SECOND]})
    control.post("/config", json={"wechat_followers": [FIRST]}).raise_for_status()
    job = run("POST", "/api/v1/wechat/followers/sync", "sales")
    assert (job["status"], job["account"]) == ("succeeded", "sales"), job
    assert job["result"]["unsubscribed"] == 1  # the sales account's SECOND, not listed
    assert get(client, admin, f"/api/v1/wechat/followers/{SECOND}", "sales").json["subscribed"] is False
    assert get(client, admin, f"/api/v1/wechat/followers/{FIRST}").json["subscribed"] is True  # the default's
    assert get(client, admin, f"/api/v1/wechat/followers/{FIRST}", "sales").json["account"] == "sales"
    listings = journal(control, "/cgi-bin/user/get")
    assert listings and {e["query"]["access_token"] for e in listings} <= sales_tokens(control)


def test_a_message_shows_its_sender_as_a_follower_of_the_account_it_came_to(client, admin, worker, run, runtime):
    run("POST", "/api/v1/wechat/followers/fetch", "sales", {"openids": [FIRST]})
    for account in ("sales", None):
        settings = callbacks.as_account(runtime.settings, account)
        request = callbacks.build_wechat_callback(settings, callbacks.text_fields(settings, "hi", FIRST))
        assert client.simulate_post(callbacks.portal_path("wechat", account), params=request.params,
                                    body=request.body.encode(), headers={"Content-Type": "text/xml"}).status_code == 200
    def both() -> list[dict[str, Any]] | None:
        found = client.simulate_get("/api/v1/inbound", params={"from_user": FIRST}, headers=admin).json["items"]
        return found if len(found) == 2 else None

    records = wait_for(both)
    by_account = {r["account"]: r["follower"] for r in records}
    assert by_account["sales"]["openid"] == FIRST and by_account["sales"]["account"] == "sales"
    assert by_account["default"] is None  # the default account never fetched this openid


def test_a_binding_shows_the_follower_of_its_own_account(client, admin, worker, run):
    run("POST", "/api/v1/wechat/followers/fetch", "sales", {"openids": [FIRST]})
    user = client.simulate_post("/api/v1/users", json={"username": "sales-user"}, headers=admin).json
    for account in ("sales", "default"):
        bound = client.simulate_post(f"/api/v1/users/{user['id']}/bindings", headers=admin,
                                     json={"platform": "wechat", "openid": FIRST, "account": account})
        assert bound.status_code == 201, bound.text
    bindings = client.simulate_get(f"/api/v1/users/{user['id']}", headers=admin).json["bindings"]
    shown = {b["account"]: b["follower"] for b in bindings}
    assert shown["sales"]["account"] == "sales" and shown["sales"]["openid"] == FIRST
    assert shown["default"] is None  # the same openid string in the default account was never fetched


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/wechat/followers"), ("POST", "/api/v1/wechat/followers/fetch"),
    ("POST", "/api/v1/wechat/followers/sync"), ("GET", f"/api/v1/wechat/followers/{FIRST}"),
    ("POST", f"/api/v1/wechat/followers/{FIRST}/remark"), ("GET", "/api/v1/wechat/tags"),
    ("POST", "/api/v1/wechat/tags"), ("POST", "/api/v1/wechat/tags/sync"), ("DELETE", "/api/v1/wechat/tags/100"),
    ("POST", "/api/v1/wechat/tags/100/members"), ("POST", "/api/v1/wechat/tags/100/members/remove"),
    ("POST", "/api/v1/wechat/tags/100/members/sync"),
])
def test_an_unknown_account_is_422_naming_account(client, admin, runtime, method, path):
    body = {"openids": [FIRST]} if "members" in path or "fetch" in path else {"remark": "x"} \
        if "remark" in path else {"name": "x"} if method == "POST" and path.endswith("tags") else None
    result = client.simulate_request(method, path, params={"account": "nobody"}, json=body, headers=admin)
    assert result.status_code == 422, result.text
    assert result.json["error"]["details"][0]["field"] == "account"
    from models.jobs import Job

    with runtime.database.session() as session:
        assert session.query(Job).count() == 0
