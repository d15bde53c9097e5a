"""Subscription messages per account: ``?account=`` syncs and lists that account's subscription templates (its
Official Account's and, where the code also names a mini-program, the mini-program's), a code names a template of
its account, and the ``wechat_subscribe`` / ``applet_subscribe`` channels send through that account's token; an
unknown account is a 422."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.wechat.seeds import APPLET_SUBSCRIBE_TEMPLATE_ID, SUBSCRIBE_TEMPLATE_ID
from tests.accounts.conftest import CRM_APP, HR, OPS, SALES, SUPPORT, sandbox_knowing
from tests.sandbox_support import ServedSandbox, journal
from tests.waiting import wait_for

#: The ``sales`` code names a mini-program too: its own app id and secret.
SALES_APPLET: dict[str, Any] = {"code": "sales", "platform": "wechat-applet", "app_id": "wxsalesapplet001",
                                "app_secret": "sales-applet-secret"}
TEMPLATES = "/api/v1/wechat/subscribe-templates"
TICKET = {"thing1": "打印机故障", "phrase2": "已完成", "time3": "2024-05-01 10:00"}
ORDER = {"character_string1": "20240501001", "amount2": "¥99.00", "thing3": "年度会员", "date4": "2024年5月1日 10:00"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ServedSandbox]:
    """The sandbox, knowing the ``sales`` Official Account and mini-program besides the demo apps."""
    with sandbox_knowing(SALES, SALES_APPLET, CRM_APP, OPS, HR) as served:
        yield served


@pytest.fixture
def extra_accounts(sandbox) -> list[dict[str, Any]]:
    wechat = f"{sandbox.url}/wechat"
    return [{**SALES, "api_base_url": wechat}, {**SALES_APPLET, "api_base_url": wechat},
            {**SUPPORT, "api_base_url": f"{sandbox.url}/wecom"}]


def tokens_of(control, appid: str) -> set[str]:
    return {e["response"]["access_token"] for e in journal(control, "stable_token") if e["json"]["appid"] == appid}


def finished(client, admin, job_id: str) -> dict[str, Any]:
    return wait_for(lambda: (job := client.simulate_get(f"/api/v1/jobs/{job_id}", headers=admin).json)
                    ["status"] in ("succeeded", "failed") and job)


def listed(client, admin, account: str | None = None) -> dict[str, dict[str, Any]]:
    params = {"account": account} if account else {}
    return {t["templateId"]: t for t in client.simulate_get(TEMPLATES, params=params, headers=admin).json["items"]}


@pytest.fixture
def sales_synced(client, admin, worker) -> dict[str, dict[str, Any]]:
    """The sales account's templates synced and coded ``ticket`` (Official Account) and ``order`` (mini-program)."""
    accepted = client.simulate_post(f"{TEMPLATES}/sync", params={"account": "sales"}, headers=admin)
    assert accepted.status_code == 202, accepted.text
    job = finished(client, admin, accepted.json["jobId"])
    assert (job["status"], job["account"], job["result"]["apps"]) == ("succeeded", "sales", ["applet", "oa"]), job
    local = listed(client, admin, "sales")
    for template_id, code in ((SUBSCRIBE_TEMPLATE_ID, "ticket"), (APPLET_SUBSCRIBE_TEMPLATE_ID, "order")):
        patched = client.simulate_patch(f"{TEMPLATES}/{local[template_id]['id']}", json={"code": code}, headers=admin)
        assert patched.status_code == 200, patched.text
    return local


def test_a_sync_for_one_account_takes_its_apps_templates_with_their_own_tokens(client, admin, sales_synced, control):
    assert {(t["account"], t["app"]) for t in sales_synced.values()} == {("sales", "oa"), ("sales", "applet")}
    assert listed(client, admin) == {}  # the default account synced nothing
    calls = journal(control, "/wxaapi/newtmpl/gettemplate")
    assert {c["query"]["access_token"] for c in calls} == (
        {next(iter(tokens_of(control, SALES["app_id"]))), next(iter(tokens_of(control, SALES_APPLET["app_id"])))})


def test_the_same_code_in_two_accounts_names_each_accounts_template(client, admin, worker, sales_synced):
    accepted = client.simulate_post(f"{TEMPLATES}/sync", headers=admin)
    assert finished(client, admin, accepted.json["jobId"])["status"] == "succeeded"
    default = listed(client, admin)[SUBSCRIBE_TEMPLATE_ID]
    patched = client.simulate_patch(f"{TEMPLATES}/{default['id']}", json={"code": "ticket"}, headers=admin)
    assert patched.status_code == 200, patched.text  # "ticket" is the sales account's too: each has its own


def test_subscription_messages_of_an_account_go_with_its_tokens(client, admin, sales_synced, control):
    official = client.simulate_post("/api/v1/wechat/subscribe-messages", params={"account": "sales"}, headers=admin,
                                    json={"touser": "oSalesFollower1", "template_code": "ticket", "data": TICKET})
    applet = client.simulate_post("/api/v1/notifications", headers=admin, json={
        "channel": "applet_subscribe", "account": "sales",
        "message": {"touser": "oSalesApplet1", "template_code": "order", "data": ORDER}})
    for accepted in (official, applet):
        assert accepted.status_code == 202, accepted.text
        record = wait_for(lambda a=accepted: (r := client.simulate_get(f"/api/v1/notifications/{a.json['id']}",
                                                                        headers=admin).json)["status"] == "sent" and r)
        assert record["account"] == "sales"
    [bizsend] = journal(control, "/cgi-bin/message/subscribe/bizsend")
    assert bizsend["query"]["access_token"] in tokens_of(control, SALES["app_id"])
    assert bizsend["json"]["template_id"] == SUBSCRIBE_TEMPLATE_ID
    [send] = journal(control, "/cgi-bin/message/subscribe/send")
    assert send["query"]["access_token"] in tokens_of(control, SALES_APPLET["app_id"])


def test_a_code_of_another_account_is_not_found(client, admin, sales_synced):
    """``ticket`` is the sales account's code: the default account has no template by that code."""
    refused = client.simulate_post("/api/v1/wechat/subscribe-messages", headers=admin,
                                   json={"touser": "oFollower1", "template_code": "ticket", "data": TICKET})
    assert refused.status_code == 422
    assert [d["field"] for d in refused.json["error"]["details"]] == ["template_code"]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", TEMPLATES, None), ("POST", f"{TEMPLATES}/sync", None),
    ("POST", "/api/v1/wechat/subscribe-messages", {"touser": "o1", "template_code": "ticket", "data": TICKET}),
    ("POST", "/api/v1/wechat/applet-subscribe-messages", {"touser": "o1", "template_code": "order", "data": ORDER}),
])
def test_an_unknown_account_is_422_naming_account(client, admin, runtime, method, path, body):
    result = client.simulate_request(method, path, params={"account": "nobody"}, json=body, headers=admin)
    assert result.status_code == 422, result.text
    assert "account" in [d["field"] for d in result.json["error"]["details"]]
    from models.jobs import Job

    with runtime.database.session() as session:
        assert session.query(Job).count() == 0


def test_the_scheduler_syncs_every_official_accounts_subscription_templates(runtime, tasks):
    from models.jobs import Job
    from scheduler.jobs.admin_jobs import sync_subscribe_templates

    assert sync_subscribe_templates(runtime, tasks) is not None
    assert sync_subscribe_templates(runtime, tasks) is None  # each one still pending: none started twice
    with runtime.database.session() as session:
        started = sorted((job.kind, job.account) for job in session.query(Job))
    assert started == [("wechat.subscribe_templates.sync", "default"), ("wechat.subscribe_templates.sync", "sales")]
