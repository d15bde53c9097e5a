"""Each Official Account has its own media: uploads, lists, counts and syncs take ``?account=`` and use that
account's token; an unknown account is a 422."""

from __future__ import annotations

import pytest

from tests.notifications.media import PNG
from tests.sandbox_support import journal
from tests.waiting import wait_for


def finished(client, admin, job_id: str) -> dict:
    return wait_for(lambda: (job := client.simulate_get(f"/api/v1/jobs/{job_id}", headers=admin).json)
                    ["status"] in ("succeeded", "failed") and job)


def upload(client, admin, account: str | None):
    body, content_type = _multipart()
    return client.simulate_post("/api/v1/wechat/media", params={"account": account} if account else {},
                                body=body, headers={**admin, "Content-Type": content_type})


def _multipart() -> tuple[bytes, str]:
    boundary = "accountsboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\nimage\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="permanent"\r\n\r\ntrue\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="media"; filename="logo.png"\r\n'
        f"Content-Type: image/png\r\n\r\n".encode() + PNG + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_an_upload_for_one_account_is_that_accounts_material(client, admin, worker, control):
    accepted = upload(client, admin, "sales")
    assert accepted.status_code == 202, accepted.text
    assert accepted.json["media"]["account"] == "sales"
    assert finished(client, admin, accepted.json["jobId"])["status"] == "succeeded"
    sales = client.simulate_get("/api/v1/wechat/media", params={"account": "sales"}, headers=admin).json
    assert [m["account"] for m in sales["items"]] == ["sales"]
    assert client.simulate_get("/api/v1/wechat/media", headers=admin).json["items"] == []
    counts = client.simulate_get("/api/v1/wechat/media/counts", params={"account": "sales"}, headers=admin).json
    assert counts["local"]["permanent"]["image"] == 1
    [added] = journal(control, "/cgi-bin/material/add_material")
    grants = {e["response"]["access_token"]: e["json"]["appid"] for e in journal(control, "stable_token")}
    assert grants[added["query"]["access_token"]] == "wxsales000000001"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/wechat/media"), ("GET", "/api/v1/wechat/media/counts"), ("POST", "/api/v1/wechat/media/sync"),
])
def test_an_unknown_account_is_422_naming_account(client, admin, method, path):
    result = client.simulate_request(method, path, params={"account": "nobody"}, headers=admin)
    assert result.status_code == 422
    assert result.json["error"]["details"][0]["field"] == "account"


def test_an_upload_to_an_unknown_account_is_refused(client, admin, runtime):
    result = upload(client, admin, "nobody")
    assert result.status_code == 422 and result.json["error"]["details"][0]["field"] == "account"
