"""Mini-program login through the worker, login tokens (logout, disabled users), and binding by the user."""

from __future__ import annotations

import logging

import pytest

from ingress.login.messages import Code
from tests.login.applet import APPLET_OPENID, register_code
from tests.login.conftest import OPENID, STRANGER, apply, code, create_user, data, login, scan, status, token
from tests.worker_support import running_worker


def test_a_good_mini_program_code_logs_in_its_bound_user(client, admin, worker, control):
    user = create_user(client, admin, "amy", ("wechat_applet", APPLET_OPENID))
    register_code(control, "code-good-1", openid=APPLET_OPENID)
    result = login(client, "code-good-1", "weChatApplet")
    assert code(result) == 0
    assert result.json["user"]["id"] == user["id"]
    exchanges = control.get("/journal", params={"path": "/sns/jscode2session"}).json()["entries"]
    assert len(exchanges) == 1  # by the worker; the ingress calls no platform


def test_a_bad_mini_program_code_is_refused_clearly(client, admin, worker, control, caplog):
    caplog.set_level(logging.INFO, "imbridge")
    create_user(client, admin, "ben", ("wechat_applet", APPLET_OPENID))
    register_code(control, "code-once", openid=APPLET_OPENID)
    assert code(login(client, "code-once", "weChatApplet")) == 0
    reused = login(client, "code-once", "weChatApplet")  # a wx.login code works once
    assert code(reused) == Code.APPLET_CODE_REFUSED and "40029" in caplog.text  # the detail: in the log
    assert reused.json["traceId"] in caplog.text
    register_code(control, "code-risky", errcode=40226)
    assert code(login(client, "code-risky", "weChatApplet")) == Code.USER_BLOCKED


def test_a_mini_program_user_is_found_by_unionid(client, admin, runtime, worker, control):
    user = create_user(client, admin, "cleo")
    bound = client.simulate_post(f"/api/v1/users/{user['id']}/bindings", headers=admin,
                                 json={"platform": "wechat", "openid": OPENID, "unionid": "uUnion1"})
    assert bound.status_code == 201
    register_code(control, "code-union", openid=APPLET_OPENID, unionid="uUnion1")
    result = login(client, "code-union", "weChatApplet")
    assert code(result) == 0 and result.json["user"]["id"] == user["id"]


def test_an_unbound_mini_program_user_gets_the_bind_flow(client, worker, control):
    register_code(control, "code-stranger", openid=STRANGER)
    result = login(client, "code-stranger", "weChatApplet")
    assert code(result) == Code.NOT_BOUND and "绑定" in result.json["msg"]


@pytest.mark.parametrize("login_overrides", [{"applet_wait_seconds": 0.3}])
def test_no_worker_means_a_bounded_wait_then_a_503(client, runtime, control, caplog):
    result = login(client, "code-unanswered", "weChatApplet")
    assert result.status_code == 503 and code(result) == Code.TRY_AGAIN
    assert "Retry-After" in result.headers
    # The message waited past its request's deadline: a late worker skips it and the code stays usable.
    with running_worker(runtime, threads=1) as late:
        late.join()  # until the queue is empty and the message handled
    assert [r.levelname for r in caplog.records if r.name == "imbridge.workers.actors.login"] == ["WARNING"]
    assert control.get("/journal", params={"path": "/sns/jscode2session"}).json()["entries"] == []


def test_the_session_key_is_never_stored_or_logged(client, admin, runtime, worker, control, caplog):
    caplog.set_level(logging.DEBUG)
    create_user(client, admin, "dora", ("wechat_applet", APPLET_OPENID))
    register_code(control, "code-secret", openid=APPLET_OPENID)
    assert code(login(client, "code-secret", "weChatApplet")) == 0
    answer = control.get("/journal", params={"path": "/sns/jscode2session"}).json()["entries"][0]["response"]
    session_key = answer["session_key"]
    assert session_key
    stored = b"".join(runtime.redis.dump(key) or b"" for key in runtime.redis.scan_iter("*"))
    assert session_key.encode() not in stored
    assert session_key not in caplog.text


def test_logout_revokes_the_token(client, runtime, admin, filled_pool):
    create_user(client, admin, "eve", ("wechat", OPENID))
    key = apply(client)["qrCodeKey"]
    scan(client, runtime.settings, key)
    sent = token(login(client, key))
    value = sent["AccessToken"]
    bearer = {"Authorization": f"Bearer {value}"}
    bind = {"loginType": "weChat", "authCode": "k" * 22}
    assert code(client.simulate_post("/user/third/bind", headers=bearer, json=bind)) == Code.QR_KEY_EXPIRED
    assert data(client.simulate_post("/token/logout", headers=bearer)) is None
    assert code(client.simulate_post("/user/third/bind", headers=bearer, json=bind)) == Code.NOT_LOGGED_IN
    assert code(client.simulate_post("/user/third/bind", headers=sent, json=bind)) == Code.NOT_LOGGED_IN
    # Logging out again, or with no token, is a success as in the seed (its front end ignores the answer anyway).
    assert code(client.simulate_post("/token/logout", headers=sent)) == 0
    assert code(client.simulate_post("/token/logout")) == 0
    # Only a digest is stored: the token itself appears nowhere in Redis.
    assert not any(value.encode() in key for key in runtime.redis.scan_iter("*"))


def test_a_logged_in_user_binds_the_account_that_scanned(client, runtime, admin, filled_pool):
    create_user(client, admin, "fay", ("wechat", OPENID))
    first = apply(client)["qrCodeKey"]
    scan(client, runtime.settings, first)
    bearer = {"Authorization": f"Bearer {data(login(client, first))}"}

    second = apply(client)["qrCodeKey"]
    scan(client, runtime.settings, second, STRANGER)  # the user's second WeChat account
    assert code(login(client, second)) == Code.NOT_BOUND
    bound = data(client.simulate_post("/user/third/bind", headers=bearer,
                                      json={"loginType": "weChat", "authCode": second}))
    assert bound["openid"] == STRANGER and bound["platform"] == "wechat"
    # The bind used the key up; a new scan of the second account now logs in as the same user.
    assert code(login(client, second)) == Code.QR_KEY_EXPIRED
    third = apply(client)["qrCodeKey"]
    scan(client, runtime.settings, third, STRANGER)
    assert login(client, third).json["user"]["username"] == "fay"


def test_binding_needs_a_login_token_not_an_api_key(client, admin, runtime, filled_pool):
    key = apply(client)["qrCodeKey"]
    scan(client, runtime.settings, key, STRANGER)
    body = {"loginType": "weChat", "authCode": key}
    assert code(client.simulate_post("/user/third/bind", json=body)) == Code.NOT_LOGGED_IN
    assert code(client.simulate_post("/user/third/bind", json=body, headers=admin)) == Code.NOT_LOGGED_IN
    assert status(client, key) == "ok"  # refused before anything was used


def test_a_login_token_is_not_an_api_key(client, runtime, admin, filled_pool):
    create_user(client, admin, "gus", ("wechat", OPENID))
    key = apply(client)["qrCodeKey"]
    scan(client, runtime.settings, key)
    value = data(login(client, key))
    assert client.simulate_get("/api/v1/users", headers={"Authorization": f"Bearer {value}"}).status_code == 401
    assert client.simulate_get("/api/v1/users", headers={"AccessToken": value}).status_code == 401


def test_disabling_a_user_ends_its_tokens(client, runtime, admin, filled_pool):
    user = create_user(client, admin, "hal", ("wechat", OPENID))
    key = apply(client)["qrCodeKey"]
    scan(client, runtime.settings, key)
    sent = token(login(client, key))
    client.simulate_patch(f"/api/v1/users/{user['id']}", headers=admin, json={"enabled": False})
    body = {"loginType": "weChat", "authCode": apply(client)["qrCodeKey"]}
    assert code(client.simulate_post("/user/third/bind", headers=sent, json=body)) == Code.NOT_LOGGED_IN


def test_an_unconfigured_deployment_says_what_is_missing(login_settings):
    import falcon.testing

    from core.runtime import Runtime
    from ingress import create_app

    settings = login_settings(sandbox={"enabled": False})
    runtime = Runtime.from_settings(settings)
    try:
        client = falcon.testing.TestClient(create_app(settings, runtime))
        applied = client.simulate_post("/token/wechat/qr/applyQrCode", headers={"Accept-Language": "en"})
        assert code(applied) == Code.NOT_CONFIGURED and "not configured" in applied.json["msg"]
        applet = login(client, "any-code", "weChatApplet")
        assert code(applet) == Code.NOT_CONFIGURED and "未配置" in applet.json["msg"]
    finally:
        runtime.close()
