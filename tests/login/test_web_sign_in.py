"""Website sign-in with WeChat's open platform, WeCom web login and DingTalk: a state bound to one browser, used
once, codes exchanged by a worker, and the same login token as the QR login."""

from __future__ import annotations

import logging

import falcon.testing
import pytest

from config import demo
from core.runtime import Runtime
from ingress import create_app
from ingress.login.messages import Code
from ingress.login.web import COOKIE
from sandbox.web_login import open_identity
from tests.login.conftest import code, create_user, data
from tests.login.web import Return, callback, sign_in, start, web_login, web_status
from tests.waiting import wait_for

OPEN = ("wechat-open", "weChatOpen")
WECOM = ("wecom", "weCom")
DING = ("dingtalk", "dingTalk")
#: Where each provider's code is exchanged (by the worker, never the ingress).
EXCHANGES = ("/sns/oauth2/access_token", "/cgi-bin/auth/getuserinfo", "/v1.0/oauth2/userAccessToken")


def _bindings(client, admin, user_id: int) -> list[dict]:
    return client.simulate_get(f"/api/v1/users/{user_id}/bindings", headers=admin).json["items"]


def test_wechat_open_sign_in_logs_in_the_user_bound_by_unionid(client, admin, worker, control):
    openid, unionid = open_identity(demo.WECHAT_OPEN_APP_ID, "alice")
    user = create_user(client, admin, "alice")
    # Bound through the Official Account with the same unionid: the website app's openid differs.
    bound = client.simulate_post(f"/api/v1/users/{user['id']}/bindings", headers=admin,
                                 json={"platform": "wechat", "openid": "oOfficialAlice00000000001",
                                       "unionid": unionid})
    assert bound.status_code == 201
    back = sign_in(client, OPEN[0], "alice")
    assert back.path == "/token/wechat-open/callback"
    page = callback(client, back)
    assert page.status_code == 200 and "weChatOpen" in page.text
    assert web_status(client, back.state) == "ok"
    result = web_login(client, "weChatOpen", back.state, back.cookie)
    assert code(result) == 0 and result.json["user"]["id"] == user["id"]
    me = client.simulate_post("/token/logout", headers={"AccessToken": result.json["data"]})
    assert code(me) == 0
    exchanges = control.get("/journal", params={"path": "/sns/oauth2/access_token"}).json()["entries"]
    assert len(exchanges) == 1  # by the worker; the ingress calls no platform
    assert not any(b["openid"] == openid for b in _bindings(client, admin, user["id"]))  # found by unionid


def test_wecom_sign_in_logs_in_the_user_bound_by_userid(client, admin, worker, control):
    user = create_user(client, admin, "bob", ("wecom", "bob"))
    back = sign_in(client, WECOM[0], "bob")
    assert callback(client, back).status_code == 200
    assert web_status(client, back.state) == "ok"
    result = web_login(client, "weCom", back.state, back.cookie)
    assert code(result) == 0 and result.json["user"]["id"] == user["id"]


def test_the_authorize_redirect_names_the_registered_callback(client, runtime):
    url, _ = start(client, "wecom")
    assert "login_type=CorpApp" in url and f"agentid={demo.WECOM_AGENT_ID}" in url
    assert "redirect_uri=http%3A%2F%2Ffalconframework.org%2Ftoken%2Fwecom%2Fcallback" in url
    url, _ = start(client, "wechat-open")
    assert "scope=snsapi_login" in url and url.endswith("#wechat_redirect")


@pytest.mark.parametrize("provider", [OPEN, WECOM, DING])
def test_a_state_is_used_once(client, admin, worker, control, provider):
    back = sign_in(client, provider[0], "carol")
    assert callback(client, back).status_code == 200
    again = callback(client, back)
    assert again.status_code == 400 and f'data-code="{Code.STATE_INVALID.value}"' in again.text
    assert web_status(client, back.state) in ("ok", "wait")


@pytest.mark.parametrize("provider", [OPEN, WECOM, DING])
def test_a_state_from_another_browser_is_refused_and_binds_nothing(client, admin, worker, control, provider):
    user = create_user(client, admin, "dave")
    victim = sign_in(client, provider[0], "mallory")  # the attacker's own sign-in, sent to the victim
    for cookie in (None, "another-browsers-nonce"):
        refused = callback(client, victim, cookie=cookie)
        assert refused.status_code == 403 and f'data-code="{Code.OTHER_BROWSER.value}"' in refused.text
    assert web_status(client, victim.state, wait=0) == "wait"  # nothing was exchanged
    # The rightful browser can still finish; a login from another browser cannot use the state.
    assert callback(client, victim).status_code == 200
    assert web_status(client, victim.state) == "ok"
    stolen = web_login(client, provider[1], victim.state, "another-browsers-nonce")
    assert code(stolen) == Code.OTHER_BROWSER
    assert _bindings(client, admin, user["id"]) == []


@pytest.mark.parametrize("provider", [OPEN, WECOM, DING])
def test_a_forged_state_is_refused(client, worker, control, provider):
    _, cookie = start(client, provider[0])
    forged = Return(f"/token/{provider[0]}/callback", "any-code", "ForgedStateForgedState00", cookie)
    refused = callback(client, forged)
    assert refused.status_code == 400 and f'data-code="{Code.STATE_INVALID.value}"' in refused.text
    assert code(web_login(client, provider[1], forged.state, cookie)) == Code.STATE_INVALID
    for path in EXCHANGES:
        assert control.get("/journal", params={"path": path}).json()["entries"] == []


@pytest.mark.parametrize("login_overrides", [{"web_login_seconds": 1}])
def test_an_expired_state_is_refused(client, worker, control, login_overrides):
    back = sign_in(client, "wechat-open", "erin")
    wait_for(lambda: web_status(client, back.state, wait=0) == "expired", timeout=5)
    refused = callback(client, back)
    assert refused.status_code == 400 and f'data-code="{Code.STATE_INVALID.value}"' in refused.text


@pytest.mark.parametrize("provider", [OPEN, WECOM, DING])
def test_a_code_the_provider_refuses_binds_nothing(client, admin, worker, control, provider):
    user = create_user(client, admin, "frank")
    back = sign_in(client, provider[0], "frank")
    assert callback(client, back, code="not-a-code-the-provider-made").status_code == 200
    assert web_status(client, back.state) == "refused"
    result = web_login(client, provider[1], back.state, back.cookie)
    assert code(result) == Code.WEB_CODE_REFUSED
    # The state is spent: the real code cannot be replayed through it.
    assert callback(client, back).status_code == 400
    assert _bindings(client, admin, user["id"]) == []


def test_the_logged_in_user_binds_a_website_sign_in(client, admin, worker, control):
    create_user(client, admin, "gina", ("wecom", "gina"))
    first = sign_in(client, "wecom", "gina")
    callback(client, first)
    assert web_status(client, first.state) == "ok"
    token = data(web_login(client, "weCom", first.state, first.cookie))
    second = sign_in(client, "wechat-open", "gina")
    callback(client, second)
    assert web_status(client, second.state) == "ok"
    bound = client.simulate_post("/user/third/bind", json={"loginType": "weChatOpen", "authCode": second.state},
                                 headers={"AccessToken": token}, cookies={COOKIE: second.cookie})
    binding = data(bound)
    openid, unionid = open_identity(demo.WECHAT_OPEN_APP_ID, "gina")
    assert binding["platform"] == "wechat_open" and binding["openid"] == openid and binding["unionid"] == unionid


def test_an_unbound_account_is_told_to_bind(client, worker, control):
    back = sign_in(client, "wecom", "stranger")
    callback(client, back)
    assert web_status(client, back.state) == "ok"
    assert code(web_login(client, "weCom", back.state, back.cookie)) == Code.NOT_BOUND


def test_a_login_before_the_exchange_is_told_to_wait(client, control):
    back = sign_in(client, "wecom", "hana")
    assert callback(client, back).status_code == 200  # no worker runs: the code waits on the broker
    assert web_status(client, back.state, wait=0) == "wait"
    assert code(web_login(client, "weCom", back.state, back.cookie)) == Code.WEB_PENDING


@pytest.mark.parametrize("query", [{}, {"state": "x", "wait": "26"}, {"state": "x", "wait": "²"},
                                   {"state": "x", "wait": "-1"}])
def test_the_status_names_a_bad_parameter(client, query):
    answer = client.simulate_get("/token/web/status", params=query)
    assert code(answer) == Code.INVALID_PARAMETER
    assert ("state" if not query else "wait") in answer.json["msg"]


def test_an_unconfigured_provider_says_so(login_settings):
    settings = login_settings(sandbox={"enabled": False})
    runtime = Runtime.from_settings(settings)
    try:
        answer = falcon.testing.TestClient(create_app(settings, runtime)).simulate_get("/token/wechat-open/authorize")
        assert answer.status_code == 404 and "third.wechat-open.app-id" in answer.text
    finally:
        runtime.close()


@pytest.mark.parametrize("provider", [OPEN, WECOM, DING])
def test_no_sign_in_code_reaches_a_log(client, admin, worker, control, provider, caplog):
    """A code is a credential for minutes: the exchange's request line (httpx logs every URL at INFO, and WeChat
    and WeCom take the code in the query string) shows it masked."""
    create_user(client, admin, "gina")
    back = sign_in(client, provider[0], "gina")
    # httpx's own level too: a test before this one in the process may have configured imbridge's logging, which
    # quiets httpx (``logging.levels``), and this test must see the line it checks.
    with caplog.at_level(logging.INFO), caplog.at_level(logging.INFO, logger="httpx"):
        assert callback(client, back).status_code == 200
        assert web_status(client, back.state) == "ok"
    exchanges = [r.getMessage() for r in caplog.records if any(path in r.getMessage() for path in EXCHANGES)]
    assert exchanges or provider is DING, "the exchange's request line was logged"
    assert back.code not in caplog.text
