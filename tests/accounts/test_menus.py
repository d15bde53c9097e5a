"""Each Official Account has its own menus: drafts saved with ``?account=``, published with that account's token,
and one published menu per account; an unknown account is a 422."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox_support import journal
from tests.waiting import wait_for

BUTTONS = [{"type": "click", "name": "帮助", "key": "HELP"}]


def finished(client, admin, job_id: str) -> dict[str, Any]:
    return wait_for(lambda: (job := client.simulate_get(f"/api/v1/jobs/{job_id}", headers=admin).json)
                    ["status"] in ("succeeded", "failed") and job)


def publish(client, admin, account: str | None) -> dict[str, Any]:
    params = {"account": account} if account else {}
    draft = client.simulate_post("/api/v1/wechat/menus", params=params, headers=admin,
                                 json={"name": f"menu of {account or 'default'}", "buttons": BUTTONS})
    assert draft.status_code == 201, draft.text
    assert draft.json["account"] == (account or "default")
    started = client.simulate_post(f"/api/v1/wechat/menus/{draft.json['id']}/publish", headers=admin)
    assert started.status_code == 202
    return finished(client, admin, started.json["jobId"])


def test_each_account_publishes_its_own_menu_with_its_own_token(client, admin, worker, control):
    assert publish(client, admin, "sales")["status"] == "succeeded"
    assert publish(client, admin, None)["status"] == "succeeded"
    for account in ("sales", "default"):
        live = client.simulate_get("/api/v1/wechat/menus/published", params={"account": account}, headers=admin)
        assert live.status_code == 200 and live.json["name"] == f"menu of {account}"  # both stay published
    listed = client.simulate_get("/api/v1/wechat/menus", params={"account": "sales"}, headers=admin).json["items"]
    assert [m["name"] for m in listed] == ["menu of sales"]
    creates = journal(control, "/cgi-bin/menu/create")
    grants = {e["response"]["access_token"]: e["json"]["appid"] for e in journal(control, "stable_token")}
    assert [grants[c["query"]["access_token"]] for c in creates] == ["wxsales000000001", "wxdemo0000000001"]


def test_clearing_one_accounts_menu_leaves_the_others(client, admin, worker, control):
    publish(client, admin, "sales")
    publish(client, admin, None)
    cleared = client.simulate_post("/api/v1/wechat/menus/clear", params={"account": "sales"}, headers=admin)
    assert finished(client, admin, cleared.json["jobId"])["status"] == "succeeded"
    assert client.simulate_get("/api/v1/wechat/menus/published", params={"account": "sales"},
                               headers=admin).status_code == 404
    assert client.simulate_get("/api/v1/wechat/menus/published", headers=admin).status_code == 200


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/wechat/menus"), ("POST", "/api/v1/wechat/menus"), ("GET", "/api/v1/wechat/menus/published"),
    ("POST", "/api/v1/wechat/menus/import"), ("POST", "/api/v1/wechat/menus/clear"),
])
def test_an_unknown_account_is_422_naming_account(client, admin, method, path):
    result = client.simulate_request(method, path, params={"account": "nobody"}, headers=admin,
                                     json={"name": "x", "buttons": BUTTONS} if method == "POST" else None)
    assert result.status_code == 422
    assert result.json["error"]["details"][0]["field"] == "account"
