"""``/api/v1/accounts``: operators add, change and remove accounts; each works at once in every process, its
secrets sealed and never answered back; the config's accounts are listed and cannot be changed here."""

from __future__ import annotations

import time
from typing import Any

import pytest

from core.runtime import Runtime
from models.accounts import StoredAccount
from tests.accounts.conftest import CRM_SECRET, CRM_TOKEN

AES = "oYYDCG5b3534jMyfWgg/7Qk+gZl26HRWt02vy9cBERQ"


def crm(sandbox_url: str, **changes: Any) -> dict[str, Any]:
    return {"platform": "wechat", "code": "crm", "name": "CRM 服务号", "appId": "wxcrm00000000001",
            "appSecret": CRM_SECRET, "token": CRM_TOKEN, "encodingAesKey": AES,
            "apiBaseUrl": f"{sandbox_url}/wechat", **changes}


def signed_url_check(client, path: str, token: str) -> int:
    from sandbox.crypto import Signer

    stamp, nonce = str(int(time.time())), "5151"
    params = {"signature": Signer(token).signature(stamp, nonce), "timestamp": stamp, "nonce": nonce, "echostr": "99"}
    return client.simulate_get(path, params=params).status_code


def test_an_added_account_answers_without_its_secrets_and_works_at_once(client, admin, runtime, sandbox_url):
    created = client.simulate_post("/api/v1/accounts", json=crm(sandbox_url), headers=admin)
    assert created.status_code == 201, created.text
    view = created.json
    assert (view["code"], view["source"], view["settings"]["appId"]) == ("crm", "api", "wxcrm00000000001")
    assert view["secretsSet"] == {"appSecret": True, "token": True, "encodingAesKey": True}
    assert view["portalUrl"] == "/wechat/portal/crm"
    assert CRM_SECRET not in created.text and CRM_TOKEN not in created.text and AES not in created.text
    with runtime.database.session() as session:
        sealed = session.query(StoredAccount).one().secrets_sealed
    assert CRM_SECRET not in sealed and CRM_TOKEN not in sealed

    assert signed_url_check(client, "/wechat/portal/crm", CRM_TOKEN) == 200
    other = Runtime.from_settings(runtime.settings)  # another process: it reads the table, no restart
    try:
        issued = other.clients.wechat_for("crm").token.get()
        assert issued and issued != other.clients.wechat.token.get()
    finally:
        other.close()


def test_the_list_shows_config_accounts_read_only(client, admin, sandbox_url):
    client.simulate_post("/api/v1/accounts", json=crm(sandbox_url), headers=admin)
    items = client.simulate_get("/api/v1/accounts", headers=admin).json["items"]
    listed = {(i["platform"], i["code"]): i["source"] for i in items}
    assert listed[("wechat", "default")] == "config" and listed[("wechat", "sales")] == "config"
    assert listed[("wecom", "support")] == "config" and listed[("wechat", "crm")] == "api"
    wechat_only = client.simulate_get("/api/v1/accounts", params={"platform": "wechat"}, headers=admin).json
    assert {i["platform"] for i in wechat_only["items"]} == {"wechat"}
    for item in items:
        assert "sales-wechat-secret" not in str(item) and "support-wecom-secret" not in str(item)


@pytest.mark.parametrize(("method", "path"), [
    ("PATCH", "/api/v1/accounts/wechat/sales"), ("DELETE", "/api/v1/accounts/wechat/sales"),
    ("PATCH", "/api/v1/accounts/wechat/default"), ("DELETE", "/api/v1/accounts/ding-talk/default"),
])
def test_config_accounts_cannot_be_changed_here(client, admin, method, path):
    result = client.simulate_request(method, path, json={"name": "x"}, headers=admin)
    assert result.status_code == 409
    assert result.json["error"]["code"] == "account_from_config"
    assert "config file" in result.json["error"]["message"]


@pytest.mark.parametrize("code", ["default", "sales"])
def test_a_config_accounts_code_cannot_be_added(client, admin, sandbox_url, code):
    result = client.simulate_post("/api/v1/accounts", json=crm(sandbox_url, code=code), headers=admin)
    assert result.status_code == 409 and result.json["error"]["code"] == "account_from_config"


@pytest.mark.parametrize(("changes", "field"), [
    ({"corpId": "ww1"}, "corpId"),
    ({"appSecret": None}, "appSecret"),
    ({"code": "CRM_1"}, "code"),
    ({"encodingAesKey": "short"}, "encodingAesKey"),
    ({"platform": "weibo"}, "platform"),
    ({"agentId": -1}, "agentId"),
])
def test_a_bad_account_is_422_naming_the_field(client, admin, runtime, sandbox_url, changes, field):
    body = {k: v for k, v in crm(sandbox_url, **changes).items() if v is not None}
    if changes.get("appSecret", 1) is None:
        body.pop("appSecret", None)
    result = client.simulate_post("/api/v1/accounts", json=body, headers=admin)
    assert result.status_code == 422, result.text
    assert field in {d["field"].split(".")[0] for d in result.json["error"]["details"]}
    with runtime.database.session() as session:
        assert session.query(StoredAccount).count() == 0


def test_a_second_account_with_the_same_code_is_409(client, admin, sandbox_url):
    assert client.simulate_post("/api/v1/accounts", json=crm(sandbox_url), headers=admin).status_code == 201
    again = client.simulate_post("/api/v1/accounts", json=crm(sandbox_url), headers=admin)
    assert again.status_code == 409


def test_a_changed_token_is_used_at_once_and_a_removed_account_is_gone(client, admin, sandbox_url):
    client.simulate_post("/api/v1/accounts", json=crm(sandbox_url), headers=admin)
    changed = client.simulate_patch("/api/v1/accounts/wechat/crm", json={"token": "crmtoken2"}, headers=admin)
    assert changed.status_code == 200 and changed.json["secretsSet"]["appSecret"] is True
    assert signed_url_check(client, "/wechat/portal/crm", "crmtoken2") == 200
    assert signed_url_check(client, "/wechat/portal/crm", CRM_TOKEN) == 401
    assert client.simulate_delete("/api/v1/accounts/wechat/crm", headers=admin).status_code == 204
    assert signed_url_check(client, "/wechat/portal/crm", "crmtoken2") == 404
    assert client.simulate_get("/api/v1/accounts/wechat/crm", headers=admin).status_code == 404


def test_an_unknown_account_or_platform_is_404(client, admin):
    assert client.simulate_get("/api/v1/accounts/wechat/nobody", headers=admin).status_code == 404
    assert client.simulate_get("/api/v1/accounts/weibo/default", headers=admin).status_code == 404
    assert client.simulate_get("/api/v1/accounts", params={"platform": "weibo"}, headers=admin).status_code == 422


def test_accounts_need_an_admin_key(client, keys):
    from tests.keys import bearer

    assert client.simulate_get("/api/v1/accounts", headers=bearer(keys["notify"])).status_code == 403


def test_a_notification_of_a_removed_account_fails_with_the_reason(client, admin, keys, runtime, sandbox_url,
                                                                   control):
    from tests.keys import bearer
    from tests.waiting import wait_for
    from tests.worker_support import running_worker

    assert client.simulate_post("/api/v1/accounts", json=crm(sandbox_url), headers=admin).status_code == 201
    control.post("/wechat/interactions", json={"openid": "oRemoved000000000000000001"})
    accepted = client.simulate_post("/api/v1/notifications", headers=bearer(keys["notify"]), json={
        "channel": "wechat_custom", "account": "crm",
        "message": {"touser": "oRemoved000000000000000001", "msgtype": "text", "text": {"content": "late"}}})
    assert accepted.status_code == 202, accepted.text
    assert client.simulate_delete("/api/v1/accounts/wechat/crm", headers=admin).status_code == 204
    with running_worker(runtime):
        record = wait_for(lambda: (r := client.simulate_get(f"/api/v1/notifications/{accepted.json['id']}",
                                                            headers=admin).json)["status"] == "failed" and r)
    assert "no wechat account has the code 'crm' any more" in record["lastError"]
    assert not [e for e in control.get("/journal").json()["entries"] if "custom/send" in e["path"]]
