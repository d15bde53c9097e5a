"""Routes acting on a stored row (publish a menu, confirm a mass send) check the credentials of the row's own
account, not the default's: a row of an account that lost its app id is refused at the door, as ``?account=`` is
on the collection routes, and the default account's rows still go through."""

from __future__ import annotations

import pytest

from models.accounts import StoredAccount
from models.jobs import Job

BUTTONS = [{"type": "click", "name": "帮助", "key": "HELP"}]
TEXT = {"msgtype": "text", "text": {"content": "本周活动 / this week's event"}}


def _rows(client, admin, account: str | None) -> dict[str, int]:
    """A menu draft and a mass-send draft of ``account``: their ids."""
    params = {"account": account} if account else {}
    menu = client.simulate_post("/api/v1/wechat/menus", params=params, headers=admin,
                                json={"name": "menu", "buttons": BUTTONS})
    mass = client.simulate_post("/api/v1/wechat/mass-sends", params=params, headers=admin,
                                json={"audience": {"all": True}, "message": TEXT})
    assert (menu.status_code, mass.status_code) == (201, 201), (menu.text, mass.text)
    return {"menu": menu.json["id"], "mass": mass.json["id"]}


@pytest.fixture
def halfway(client, admin, runtime) -> dict[str, int]:
    """Rows of account ``halfway``, whose stored settings then lost their app id (a key rotation gone wrong)."""
    created = client.simulate_post("/api/v1/accounts", headers=admin, json={
        "platform": "wechat", "code": "halfway", "appId": "wxhalfway0000001", "appSecret": "x-secret-value"})
    assert created.status_code == 201, created.text
    rows = _rows(client, admin, "halfway")
    with runtime.database.session() as session:
        row = session.query(StoredAccount).one()
        row.settings = {**row.settings, "app_id": ""}
    runtime.accounts.changed()
    return rows


def test_a_rows_own_account_without_credentials_is_refused_and_nothing_is_queued(client, admin, runtime, halfway):
    for path in (f"/api/v1/wechat/menus/{halfway['menu']}/publish",
                 f"/api/v1/wechat/mass-sends/{halfway['mass']}/confirm"):
        result = client.simulate_post(path, headers=admin)
        assert result.status_code == 422, (path, result.text)
        assert "app-id of account 'halfway'" in result.json["error"]["message"]
    assert client.simulate_get(f"/api/v1/wechat/mass-sends/{halfway['mass']}", headers=admin).json["status"] == "draft"
    with runtime.database.session() as session:
        assert session.query(Job).count() == 0


def test_the_default_accounts_rows_still_go_through(client, admin, halfway):
    rows = _rows(client, admin, None)
    assert client.simulate_post(f"/api/v1/wechat/menus/{rows['menu']}/publish", headers=admin).status_code == 202
    assert client.simulate_post(f"/api/v1/wechat/mass-sends/{rows['mass']}/confirm", headers=admin).status_code == 202


def test_a_missing_row_is_still_a_404(client, admin):
    assert client.simulate_post("/api/v1/wechat/mass-sends/999999/confirm", headers=admin).status_code == 404
    assert client.simulate_post("/api/v1/wechat/menus/999999/publish", headers=admin).status_code == 404
