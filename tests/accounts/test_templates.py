"""Each Official Account has its own templates: ``?account=`` syncs and lists one account's, a template message
names its account's template by code and is sent with that account's token; an unknown account is a 422."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.wechat.seeds import LOGIN_TEMPLATE_ID
from tests.sandbox_support import journal
from tests.waiting import wait_for

OPENID = "oTemplatesFollower0000000001"


@pytest.fixture
def run(client, admin):
    """POST a job route, wait for the job to finish; its record."""
    def start(path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        accepted = client.simulate_post(path, params=params or {}, headers=admin)
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json["jobId"]
        return wait_for(lambda: (job := client.simulate_get(f"/api/v1/jobs/{job_id}", headers=admin).json)
                        ["status"] in ("succeeded", "failed") and job)
    return start


def listed(client, admin, account: str | None = None) -> dict[str, dict[str, Any]]:
    params = {"account": account} if account else {}
    items = client.simulate_get("/api/v1/wechat/templates", params=params, headers=admin).json["items"]
    return {t["templateId"]: t for t in items}


def test_a_sync_for_one_account_fills_that_accounts_templates_only(client, admin, worker, run, control):
    job = run("/api/v1/wechat/templates/sync", {"account": "sales"})
    assert (job["status"], job["account"]) == ("succeeded", "sales")
    sales = listed(client, admin, "sales")
    assert LOGIN_TEMPLATE_ID in sales and sales[LOGIN_TEMPLATE_ID]["account"] == "sales"
    assert listed(client, admin) == {}  # the default account has synced nothing
    [call] = journal(control, "get_all_private_template")
    [grant] = [e for e in journal(control, "stable_token") if e["json"]["appid"] == "wxsales000000001"]
    assert call["query"]["access_token"] == grant["response"]["access_token"]


def test_the_same_code_in_two_accounts_names_each_accounts_template(client, admin, worker, run, control):
    run("/api/v1/wechat/templates/sync", {"account": "sales"})
    run("/api/v1/wechat/templates/sync")
    for account in ("sales", None):
        template = listed(client, admin, account)[LOGIN_TEMPLATE_ID]
        assert client.simulate_patch(f"/api/v1/wechat/templates/{template['id']}", json={"code": "login"},
                                     headers=admin).status_code == 200
    control.post("/wechat/interactions", json={"openid": OPENID})
    data = {"first": "登录提醒", "keyword1": "admin", "keyword2": "10:00", "remark": "-"}
    sent = client.simulate_post("/api/v1/wechat/template-messages", params={"account": "sales"}, headers=admin,
                                json={"touser": OPENID, "template_code": "login", "data": data})
    assert sent.status_code == 202, sent.text
    record = wait_for(lambda: (r := client.simulate_get(f"/api/v1/notifications/{sent.json['id']}",
                                                        headers=admin).json)["status"] == "sent" and r)
    assert record["account"] == "sales"
    [send] = journal(control, "/cgi-bin/message/template/send")
    sales_tokens = {e["response"]["access_token"] for e in journal(control, "stable_token")
                    if e["json"]["appid"] == "wxsales000000001"}
    assert send["query"]["access_token"] in sales_tokens


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/v1/wechat/templates"),
                                              ("POST", "/api/v1/wechat/templates/sync")])
def test_an_unknown_account_is_422_naming_account(client, admin, runtime, method, path):
    result = client.simulate_request(method, path, params={"account": "nobody"}, headers=admin)
    assert result.status_code == 422
    assert result.json["error"]["details"][0]["field"] == "account"
    with runtime.database.session() as session:
        from models.jobs import Job

        assert session.query(Job).count() == 0


def test_an_accounts_sync_is_refused_while_the_account_lacks_credentials(client, admin, runtime):
    """An account without its app id (here: its stored settings lost it) is off, like an unconfigured platform."""
    created = client.simulate_post("/api/v1/accounts", headers=admin, json={
        "platform": "wechat", "code": "halfway", "appId": "wxhalfway0000001", "appSecret": "x-secret-value"})
    assert created.status_code == 201
    from models.accounts import StoredAccount

    with runtime.database.session() as session:  # a secret lost to a key rotation leaves it without one
        row = session.query(StoredAccount).one()
        row.settings = {**row.settings, "app_id": ""}
    runtime.accounts.changed()
    result = client.simulate_post("/api/v1/wechat/templates/sync", params={"account": "halfway"}, headers=admin)
    assert result.status_code == 422
    assert "account 'halfway'" in result.json["error"]["message"]
