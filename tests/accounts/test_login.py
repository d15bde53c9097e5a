"""QR login and bindings per account, through the ingress, the worker and the sandbox: each Official Account with
QR login has its own pool of codes minted with its token, a scan counts only at the portal of the account whose
code it is, and a binding holds one account's openid (the same openid string of another account is somebody
else). Mini-program login takes the mini-program's ``account``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import falcon.testing
import pytest

from config.settings import WeChatSettings
from core.login import QrPool
from core.runtime import Runtime
from ingress import create_app
from ingress.login.messages import Code
from sandbox import callbacks
from scheduler.jobs.qr_pool import top_up_qr_pools
from tests.accounts.conftest import CRM_APP, CRM_SECRET, CRM_TOKEN, FAST, SALES, SECRET_KEY, sandbox_knowing
from tests.login.applet import APPLET_OPENID, register_code
from tests.sandbox_support import ServedSandbox
from tests.waiting import wait_for

OPENID = "oAcctLogin000000000000000001"
APPLY = "/token/wechat/qr/applyQrCode"
#: A second mini-program, known to the sandbox and the config.
SHOP: dict[str, Any] = {"code": "shop", "platform": "wechat-applet", "app_id": "wxshop0000000001",
                        "app_secret": "shop-applet-secret"}
#: An Official Account of the config that says nothing of QR login: it has none.
NEWS: dict[str, Any] = {**CRM_APP, "code": "news"}
POOL = {"pool_size": 2, "pool_min_size": 2, "apply_wait_seconds": 2.0}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ServedSandbox]:
    """The sandbox, knowing the demo apps, the ``sales`` Official Account, ``crm`` and the ``shop`` mini-program."""
    with sandbox_knowing(SALES, CRM_APP, SHOP) as served:
        yield served


@pytest.fixture
def login_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def runtime(make_settings, database_url, sandbox, control, redis_client, login_overrides) -> Iterator[Runtime]:
    wechat = f"{sandbox.url}/wechat"
    accounts = [{**SALES, "api_base_url": wechat, "qr_login": True}, {**NEWS, "api_base_url": wechat},
                {**SHOP, "api_base_url": wechat}]
    settings = make_settings(database_url, sandbox=sandbox.section, security={"secret_key": SECRET_KEY},
                             notifications=FAST, third={"accounts": accounts}, login={**POOL, **login_overrides})
    runtime = Runtime.from_settings(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def client(runtime) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(create_app(runtime.settings, runtime))


# -- the browser's and the phone's side ----------------------------------------------------------------------

def answer(result: falcon.testing.Result) -> tuple[int, Any]:
    """The seed envelope's code and data."""
    assert result.status_code in (200, 503), result.text
    return result.json["code"], result.json["data"]


def apply(client, account: str | None = None) -> str:
    params = {"account": account} if account else None
    code, data = answer(client.simulate_post(APPLY, params=params))
    assert code == 0, data
    return data["qrCodeKey"]


def status(client, key: str) -> str:
    return answer(client.simulate_get("/token/wechat/qr/getStatus", params={"qrCodeKey": key}))[1]


def login(client, key: str) -> falcon.testing.Result:
    return client.simulate_post("/token/login", json={"loginType": "weChat", "authCode": key})


def scan_at(client, runtime, portal_account: str | None, key: str, openid: str = OPENID) -> str | None:
    """The scan event of ``key``'s code by ``openid``, posted to ``portal_account``'s portal signed with its keys
    (as WeChat would report it had that account made the code); the chat reply's text."""
    settings = callbacks.as_account(runtime.settings, portal_account)
    request = callbacks.build_wechat_callback(settings, callbacks.scan_fields(settings, key, openid, existing=True))
    result = client.simulate_post(callbacks.portal_path("wechat", portal_account), params=request.params,
                                  body=request.body, headers={"Content-Type": "text/xml"})
    assert result.status_code == 200, result.text
    return (callbacks.read_reply(result, settings) or {}).get("Content")


def user_bound(client, admin, username: str, platform: str, openid: str, account: str | None = None) -> int:
    user = client.simulate_post("/api/v1/users", headers=admin, json={"username": username}).json
    body = {"platform": platform, "openid": openid, **({"account": account} if account else {})}
    bound = client.simulate_post(f"/api/v1/users/{user['id']}/bindings", headers=admin, json=body)
    assert bound.status_code == 201, bound.text
    assert bound.json["account"] == (account or "default")
    return int(user["id"])


def tickets(control, key: str) -> list[dict[str, Any]]:
    return control.get("/wechat/qrcodes", params={"scene": f"login_{key}"}).json()["qrcodes"]


# -- QR login -------------------------------------------------------------------------------------------------

def test_a_code_of_another_account_scanned_at_its_portal_logs_in(client, runtime, admin, worker, control):
    user = user_bound(client, admin, "sally", "wechat", OPENID, "sales")
    key = apply(client, "sales")
    assert [t["app_id"] for t in tickets(control, key)] == [SALES["app_id"]]  # minted with sales' token
    assert scan_at(client, runtime, "sales", key) == runtime.settings.login.scan_reply_text
    assert status(client, key) == "ok"
    result = login(client, key)
    assert answer(result)[0] == 0 and result.json["user"]["id"] == user


def test_the_sandbox_phone_reports_a_scan_to_the_account_that_made_the_code(client, runtime, admin, worker,
                                                                             sandbox_url):
    import httpx

    user = user_bound(client, admin, "sally", "wechat", OPENID, "sales")
    key = apply(client, "sales")
    mounts = {"http://ingress.test": httpx.WSGITransport(app=client.app), "all://": httpx.HTTPTransport()}
    with httpx.Client(mounts=mounts, timeout=10) as http:
        response = callbacks.scan("http://ingress.test", runtime.settings, key, OPENID, existing=True,
                                  sandbox_url=sandbox_url, client=http)  # no account named: the sandbox knows
    assert response.status_code == 200 and response.request.url.path == "/wechat/portal/sales"
    assert status(client, key) == "ok"
    result = login(client, key)
    assert answer(result)[0] == 0 and result.json["user"]["id"] == user


def test_the_same_scan_at_another_accounts_portal_does_not_log_in(client, runtime, admin, worker, control):
    user_bound(client, admin, "sally", "wechat", OPENID, "sales")
    user_bound(client, admin, "dora", "wechat", OPENID)  # the default account's follower of that openid string
    sales_key, default_key = apply(client, "sales"), apply(client)
    expired = runtime.settings.login.scan_expired_text
    assert scan_at(client, runtime, None, sales_key) == expired
    assert scan_at(client, runtime, "sales", default_key) == expired
    assert status(client, sales_key) == status(client, default_key) == "wait"
    assert answer(login(client, sales_key))[0] == Code.NOT_SCANNED
    # Each key still works where its code was made.
    assert scan_at(client, runtime, "sales", sales_key) == runtime.settings.login.scan_reply_text
    assert answer(login(client, sales_key))[0] == 0


def test_a_binding_of_one_accounts_openid_does_not_log_in_anothers_follower(client, runtime, admin, worker):
    user_bound(client, admin, "dora", "wechat", OPENID)  # bound for the default account only
    key = apply(client, "sales")
    assert scan_at(client, runtime, "sales", key) == runtime.settings.login.scan_unbound_text
    refused = login(client, key)
    assert answer(refused)[0] == Code.NOT_BOUND
    # Bound for sales, the very same scan logs in (the key stayed usable).
    sally = user_bound(client, admin, "sally", "wechat", OPENID, "sales")
    result = login(client, key)
    assert answer(result)[0] == 0 and result.json["user"]["id"] == sally


@pytest.mark.parametrize("login_overrides", [{"apply_wait_seconds": 0.3}])
def test_each_account_has_its_own_pool(client, runtime, tasks, worker, control):
    default_pool = QrPool.from_settings(runtime.redis, runtime.settings.login)
    sales_pool = QrPool.from_settings(runtime.redis, runtime.settings.login, account="sales")
    assert set(top_up_qr_pools(runtime, tasks)) == {"default", "sales"}  # not news: it has no QR login
    wait_for(lambda: default_pool.size() == sales_pool.size() == 2)
    worker.stop()  # no more mints: what follows is served from the pools alone
    apply(client)
    assert answer(client.simulate_post(APPLY, json={"account": ""}))[0] == 0  # empty: the default
    assert default_pool.size() == 0
    empty = client.simulate_post(APPLY)
    assert empty.status_code == 503 and answer(empty)[0] == Code.TRY_AGAIN
    key = apply(client, "sales")  # the default's empty pool is no concern of sales'
    assert sales_pool.size() == 1
    assert [t["app_id"] for t in tickets(control, key)] == [SALES["app_id"]]


def test_an_account_added_through_the_api_with_qr_login_hands_out_its_codes(client, runtime, admin, worker,
                                                                              control, sandbox_url):
    body = {"platform": "wechat", "code": "crm", "appId": CRM_APP["app_id"], "appSecret": CRM_SECRET,
            "token": CRM_TOKEN, "apiBaseUrl": f"{sandbox_url}/wechat", "qrLogin": True}
    created = client.simulate_post("/api/v1/accounts", json=body, headers=admin)
    assert created.status_code == 201 and created.json["settings"]["qrLogin"] is True, created.text
    user = user_bound(client, admin, "carl", "wechat", OPENID, "crm")
    key = apply(client, "crm")  # no restart
    assert [t["app_id"] for t in tickets(control, key)] == [CRM_APP["app_id"]]
    crm = runtime.settings.model_copy(update={"third": runtime.settings.third.model_copy(update={
        "wechat": WeChatSettings(app_id=CRM_APP["app_id"], app_secret=CRM_SECRET, token=CRM_TOKEN)})})
    request = callbacks.build_wechat_callback(crm, callbacks.scan_fields(crm, key, OPENID), safe=False)
    scanned = client.simulate_post("/wechat/portal/crm", params=request.params, body=request.body,
                                   headers={"Content-Type": "text/xml"})
    assert scanned.status_code == 200 and status(client, key) == "ok"
    result = login(client, key)
    assert answer(result)[0] == 0 and result.json["user"]["id"] == user


def test_a_user_binds_a_scan_of_another_accounts_code_to_that_account(client, runtime, admin, worker):
    dora = user_bound(client, admin, "dora", "wechat", OPENID)
    default_key = apply(client)
    scan_at(client, runtime, None, default_key)
    headers = {"AccessToken": answer(login(client, default_key))[1]}
    key = apply(client, "sales")
    scan_at(client, runtime, "sales", key)
    bound = client.simulate_post("/user/third/bind", json={"loginType": "weChat", "authCode": key}, headers=headers)
    assert answer(bound)[0] == 0 and bound.json["data"]["account"] == "sales"
    listed = client.simulate_get(f"/api/v1/users/{dora}/bindings", headers=admin).json["items"]
    assert sorted((b["account"], b["openid"]) for b in listed) == [("default", OPENID), ("sales", OPENID)]


@pytest.mark.parametrize(("how", "account", "expected"), [
    ("query", "nobody", Code.UNKNOWN_ACCOUNT), ("json", "nobody", Code.UNKNOWN_ACCOUNT),
    ("form", "shop", Code.UNKNOWN_ACCOUNT),  # a mini-program: no QR codes
    ("query", "news", Code.NOT_CONFIGURED), ("json", "Not A Code", Code.INVALID_PARAMETER)])
def test_apply_names_a_bad_account(client, runtime, control, how, account, expected):
    if how == "query":
        result = client.simulate_post(APPLY, params={"account": account}, headers={"Accept-Language": "en"})
    elif how == "json":
        result = client.simulate_post(APPLY, json={"account": account}, headers={"Accept-Language": "en"})
    else:
        result = client.simulate_post(APPLY, body=f"account={account}", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"})
    assert result.status_code == 200 and result.json["code"] == expected
    if expected is Code.UNKNOWN_ACCOUNT:
        assert result.json["msg"] == f"There is no account '{account}'; check the account parameter"
        chinese = client.simulate_post(APPLY, params={"account": account}).json["msg"]
        assert chinese == f"账号“{account}”不存在，请检查参数 account"
    elif expected is Code.INVALID_PARAMETER:
        assert "account" in result.json["msg"]
    assert control.get("/journal", params={"path": "/cgi-bin/qrcode/create"}).json()["entries"] == []


# -- mini-program login -------------------------------------------------------------------------------------

def test_mini_program_login_takes_its_account(client, runtime, admin, worker, control):
    user_bound(client, admin, "amy", "wechat_applet", APPLET_OPENID)  # the default mini-program's user
    register_code(control, "shop-code-1", openid=APPLET_OPENID)
    body = {"loginType": "weChatApplet", "authCode": "shop-code-1", "account": "shop"}
    assert answer(client.simulate_post("/token/login", json=body))[0] == Code.NOT_BOUND
    exchange = control.get("/journal", params={"path": "/sns/jscode2session"}).json()["entries"][-1]
    assert exchange["query"]["appid"] == SHOP["app_id"]
    shopper = user_bound(client, admin, "sam", "wechat_applet", APPLET_OPENID, "shop")
    register_code(control, "shop-code-2", openid=APPLET_OPENID)
    result = client.simulate_post("/token/login", params={**body, "authCode": "shop-code-2"})
    assert answer(result)[0] == 0 and result.json["user"]["id"] == shopper
    unknown = client.simulate_post("/token/login", json={**body, "account": "sales"})  # not a mini-program
    assert answer(unknown)[0] == Code.UNKNOWN_ACCOUNT


def test_a_binding_names_an_account_of_its_kind(client, admin):
    user = client.simulate_post("/api/v1/users", headers=admin, json={"username": "bea"}).json
    path = f"/api/v1/users/{user['id']}/bindings"
    for body in ({"platform": "wechat", "openid": OPENID, "account": "shop"},
                 {"platform": "wechat_applet", "openid": OPENID, "account": "sales"},
                 {"platform": "wecom", "openid": "bea", "account": "sales"}):
        refused = client.simulate_post(path, headers=admin, json=body)
        assert refused.status_code == 422 and "account" in str(refused.json), refused.text
    # One openid string, bound for two accounts: two bindings.
    for account in ("default", "sales"):
        assert client.simulate_post(path, headers=admin, json={"platform": "wechat", "openid": OPENID,
                                                               "account": account}).status_code == 201
    listed = client.simulate_get(path, headers=admin).json["items"]
    assert sorted(b["account"] for b in listed) == ["default", "sales"]


# -- the migration ------------------------------------------------------------------------------------------

def test_the_migration_moves_existing_bindings_to_the_default_account(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import text

    from models import Base, Database
    from models.migrate import upgrade

    database = Database(f"sqlite:///{tmp_path / 'before.db'}")
    try:
        upgrade(database, "users_0001")  # bindings as they were before accounts
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO users (id, username, display_name, enabled, created_at, updated_at) "
                                    "VALUES (1, 'old', '', 1, '2026-01-01', '2026-01-01')"))
            connection.execute(text("INSERT INTO third_party_bindings (user_id, platform, openid, created_at) "
                                    "VALUES (1, 'wechat', :openid, '2026-01-01')"), {"openid": OPENID})
        upgrade(database)
        with database.engine.connect() as connection:
            rows = connection.execute(text("SELECT platform, account, openid FROM third_party_bindings")).all()
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert [tuple(row) for row in rows] == [("wechat", "default", OPENID)]
        assert [d for d in differences if "third_party_bindings" in str(d)] == []
    finally:
        database.dispose()
