"""DingTalk website sign-in end to end: the sandbox's ``login.dingtalk.com`` page, its redirect back with
``authCode``, the worker's ``userAccessToken`` and ``users/me`` calls, and a user bound by unionId. The attacks
every provider shares (state reused, from another browser, forged, a refused code) are in test_web_sign_in.py;
here are DingTalk's own: an expired code, a wrong app secret, a declined sign-in, ids of another platform."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import falcon.testing
import pytest

from config import demo
from core.runtime import Runtime
from imbridge.checks import sign_in_lines
from ingress import create_app
from ingress.login.messages import Code
from ingress.login.web import COOKIE
from sandbox.web_login import CODE_SECONDS, dingtalk_identity
from tests.login.conftest import code, create_user, data
from tests.login.web import callback, sign_in, start, web_login, web_status


def _bindings(client, admin, user_id: int) -> list[dict]:
    return client.simulate_get(f"/api/v1/users/{user_id}/bindings", headers=admin).json["items"]


def _journal(control, path: str) -> list[dict]:
    return control.get("/journal", params={"path": path}).json()["entries"]


def test_dingtalk_sign_in_logs_in_the_user_bound_by_unionid(client, admin, worker, control):
    _, union_id = dingtalk_identity(demo.DINGTALK_APP_KEY, "lily")
    user = create_user(client, admin, "lily", ("dingtalk", union_id))
    back = sign_in(client, "dingtalk", "lily")
    assert back.path == "/token/dingtalk/callback"
    page = callback(client, back)
    assert page.status_code == 200 and "dingTalk" in page.text
    assert web_status(client, back.state) == "ok"
    result = web_login(client, "dingTalk", back.state, back.cookie)
    assert code(result) == 0 and result.json["user"]["id"] == user["id"]
    assert code(client.simulate_post("/token/logout", headers={"AccessToken": result.json["data"]})) == 0
    # The worker exchanged the code once, with the app's credentials, then asked who it is with the user's token.
    (exchange,) = _journal(control, "/v1.0/oauth2/userAccessToken")
    assert exchange["json"] == {"clientId": demo.DINGTALK_APP_KEY, "clientSecret": demo.DINGTALK_APP_SECRET,
                                "code": back.code, "grantType": "authorization_code"}
    assert exchange["status"] == 200 and exchange["response"]["accessToken"]
    (me,) = _journal(control, "/v1.0/contact/users/me")
    assert me["status"] == 200 and me["response"]["unionId"] == union_id and me["response"]["nick"] == "lily"
    # A used state logs nobody in again.
    assert code(web_login(client, "dingTalk", back.state, back.cookie)) == Code.STATE_INVALID


def test_the_authorize_redirect_is_dingtalks_oauth2_page(client, runtime):
    url, cookie = start(client, "dingtalk")
    parts = urlsplit(url)
    assert parts.path.endswith("/dingtalk-login/oauth2/auth") and cookie
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert query.pop("state")
    assert query == {"redirect_uri": "http://falconframework.org/token/dingtalk/callback", "response_type": "code",
                     "client_id": demo.DINGTALK_APP_KEY, "scope": "openid", "prompt": "consent"}


def test_an_expired_code_is_refused_and_binds_nothing(client, admin, worker, control):
    user = create_user(client, admin, "mia")
    back = sign_in(client, "dingtalk", "mia")
    control.post("/clock", json={"advance": CODE_SECONDS + 1}).raise_for_status()
    assert callback(client, back).status_code == 200
    assert web_status(client, back.state) == "refused"
    assert code(web_login(client, "dingTalk", back.state, back.cookie)) == Code.WEB_CODE_REFUSED
    (exchange,) = _journal(control, "/v1.0/oauth2/userAccessToken")
    assert exchange["status"] == 400 and exchange["response"]["code"] == "invalidParameter.authCode.notFound"
    assert _journal(control, "/v1.0/contact/users/me") == []
    assert _bindings(client, admin, user["id"]) == []


@pytest.fixture
def sections(request, sandbox) -> dict:
    """This module's deployment: the demo's DingTalk, or (``indirect`` parameter ``wrong-secret``) one whose app
    secret is not the app's, the sandbox's DingTalk otherwise."""
    if getattr(request, "param", None) != "wrong-secret":
        return {}
    return {"third": {"ding_talk": {
        "app_key": demo.DINGTALK_APP_KEY, "app_secret": "not-the-apps-dingtalk-secret",
        "agent_id": demo.DINGTALK_AGENT_ID, "api_base_url": f"{sandbox.url}/dingtalk",
        "login_url": f"{sandbox.url}/dingtalk-login/oauth2/auth"}}}


@pytest.mark.parametrize("sections", ["wrong-secret"], indirect=True)
def test_a_wrong_app_secret_signs_nobody_in(client, worker, control, sections):
    back = sign_in(client, "dingtalk", "nina")
    assert callback(client, back).status_code == 200
    assert web_status(client, back.state) == "refused"
    result = web_login(client, "dingTalk", back.state, back.cookie)
    assert code(result) == Code.WEB_CODE_REFUSED and result.json["data"] is None
    (exchange,) = _journal(control, "/v1.0/oauth2/userAccessToken")
    assert exchange["status"] == 400 and exchange["response"]["code"] == "invalidClientIdOrSecret"
    assert _journal(control, "/v1.0/contact/users/me") == []


def test_a_declined_sign_in_queues_nothing(client, worker, control):
    url, cookie = start(client, "dingtalk")
    state = parse_qs(urlsplit(url).query)["state"][0]
    # DingTalk sends the browser back with error= and no authCode when the user declines.
    declined = client.simulate_get("/token/dingtalk/callback", params={"error": "user_cancel", "state": state},
                                   cookies={COOKIE: cookie})
    assert declined.status_code == 400 and f'data-code="{Code.WEB_SIGN_IN_DECLINED.value}"' in declined.text
    assert "登录已取消" in declined.text  # Chinese first; English when the browser ranks it first:
    in_english = client.simulate_get("/token/dingtalk/callback", params={"error": "user_cancel", "state": state},
                                     cookies={COOKIE: cookie}, headers={"Accept-Language": "en"})
    assert "The sign-in was cancelled" in in_english.text
    assert web_status(client, state, wait=0) == "wait"
    assert _journal(control, "/v1.0/oauth2/userAccessToken") == []


def test_a_wechat_unionid_equal_to_the_dingtalk_unionid_finds_nobody(client, admin, worker, control):
    _, union_id = dingtalk_identity(demo.DINGTALK_APP_KEY, "oscar")
    user = create_user(client, admin, "oscar")
    bound = client.simulate_post(f"/api/v1/users/{user['id']}/bindings", headers=admin,
                                 json={"platform": "wechat_applet", "openid": "oOscarApplet00000000000001",
                                       "unionid": union_id})
    assert bound.status_code == 201
    back = sign_in(client, "dingtalk", "oscar")
    callback(client, back)
    assert web_status(client, back.state) == "ok"
    # A DingTalk unionId names a person in DingTalk only: it never matches a WeChat binding's unionid.
    assert code(web_login(client, "dingTalk", back.state, back.cookie)) == Code.NOT_BOUND


def test_the_logged_in_user_binds_a_dingtalk_sign_in(client, admin, worker, control):
    create_user(client, admin, "pia", ("wecom", "pia"))
    first = sign_in(client, "wecom", "pia")
    callback(client, first)
    assert web_status(client, first.state) == "ok"
    token = data(web_login(client, "weCom", first.state, first.cookie))
    second = sign_in(client, "dingtalk", "pia")
    callback(client, second)
    assert web_status(client, second.state) == "ok"
    bound = client.simulate_post("/user/third/bind", json={"loginType": "dingTalk", "authCode": second.state},
                                 headers={"AccessToken": token}, cookies={COOKIE: second.cookie})
    binding = data(bound)
    assert binding["platform"] == "dingtalk" and binding["openid"] == dingtalk_identity(demo.DINGTALK_APP_KEY,
                                                                                           "pia")[1]
    assert binding["unionid"] is None
    third = sign_in(client, "dingtalk", "pia")
    callback(client, third)
    assert web_status(client, third.state) == "ok"
    assert code(web_login(client, "dingTalk", third.state, third.cookie)) == 0


def test_an_unconfigured_dingtalk_says_so(login_settings):
    settings = login_settings(sandbox={"enabled": False})
    runtime = Runtime.from_settings(settings)
    try:
        answer = falcon.testing.TestClient(create_app(settings, runtime)).simulate_get("/token/dingtalk/authorize")
        assert answer.status_code == 404 and "third.ding-talk.app-key" in answer.text
    finally:
        runtime.close()


def test_config_check_names_the_redirect_url_to_register(login_settings):
    settings = login_settings(login={"public_url": "https://sso.example.com/"})
    lines = [line.split() for line in sign_in_lines(settings)]
    assert ["dingtalk", "https://sso.example.com/token/dingtalk/callback"] in [line[:2] for line in lines]


def test_an_exchange_that_fails_unexpectedly_refuses_at_once_and_logs_no_code(client, worker, control, monkeypatch,
                                                                              caplog):
    def broken(clients, provider, code):
        raise RuntimeError("an answer nobody expected")

    monkeypatch.setattr("workers.actors.login.web_account", broken)
    back = sign_in(client, "dingtalk", "quinn")
    with caplog.at_level(logging.INFO):
        assert callback(client, back).status_code == 200
        # The browser is told now, not when the state expires; the code never reaches a log (Dramatiq's own
        # "Failed to process message" line would quote the actor's arguments).
        assert web_status(client, back.state) == "refused"
    assert code(web_login(client, "dingTalk", back.state, back.cookie)) == Code.WEB_CODE_REFUSED
    assert "exchanging the code failed" in caplog.text and back.code not in caplog.text


def test_an_unbound_dingtalk_user_is_told_their_dingtalk_account_is_not_bound(client, worker, control):
    answers = {}
    for lang in ("zh-CN", "en"):
        back = sign_in(client, "dingtalk", "rita")
        callback(client, back)
        assert web_status(client, back.state) == "ok"
        answers[lang] = client.simulate_post("/token/login", params={"loginType": "dingTalk", "authCode": back.state},
                                             cookies={COOKIE: back.cookie}, headers={"Accept-Language": lang}).json
    assert answers["zh-CN"]["code"] == answers["en"]["code"] == Code.NOT_BOUND
    assert answers["zh-CN"]["msg"] == "该钉钉账号尚未绑定用户，请先绑定后再登录"
    assert answers["en"]["msg"] == "This DingTalk account is not bound to any user; bind it first, then log in"
