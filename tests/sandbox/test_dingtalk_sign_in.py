"""The sandbox's DingTalk website sign-in: the ``login.dingtalk.com/oauth2/auth`` page refuses what DingTalk refuses,
and ``userAccessToken``/``users/me`` answer as the v1.0 API does (HTTP 4xx ``{code, message}``, one-shot codes)."""

from __future__ import annotations

import pytest
from falcon.testing import TestClient

from sandbox.web_login import CODE_SECONDS, dingtalk_identity

PAGE = "/dingtalk-login/oauth2/auth"
EXCHANGE = "/dingtalk/v1.0/oauth2/userAccessToken"
ME = "/dingtalk/v1.0/contact/users/me"


def _query(settings, **changes: str) -> dict[str, str]:
    query = {"redirect_uri": "https://site.example/cb?x=1", "response_type": "code",
             "client_id": settings.third.ding_talk.app_key, "scope": "openid", "state": "st", "prompt": "consent"}
    return {name: value for name, value in {**query, **changes}.items() if value}


def _approve(client: TestClient, settings, user: str = "li") -> str:
    back = client.simulate_get(f"{PAGE}/approve", params={**_query(settings), "user": user})
    assert back.status_code == 302, back.text
    assert back.headers["location"].startswith("https://site.example/cb?x=1&authCode=")
    return back.headers["location"].split("authCode=", 1)[1].split("&", 1)[0]


def _exchange(client: TestClient, settings, auth_code: str, **changes: str):
    d = settings.third.ding_talk
    body = {"clientId": d.app_key, "clientSecret": d.app_secret, "code": auth_code,
            "grantType": "authorization_code", **changes}
    return client.simulate_post(EXCHANGE, json=body)


def test_the_page_offers_approval_with_the_query_it_was_given(client, settings):
    page = client.simulate_get(PAGE, params=_query(settings))
    assert page.status_code == 200 and 'class="approve"' in page.text and "prompt=consent" in page.text


@pytest.mark.parametrize(("change", "field"), [
    ({"client_id": "dingSomeoneElse"}, "client_id"), ({"client_id": ""}, "client_id"),
    ({"response_type": "token"}, "response_type"), ({"scope": "snsapi_login"}, "scope"),
    ({"scope": "corpid"}, "scope"), ({"prompt": ""}, "prompt"), ({"redirect_uri": "javascript:alert(1)"},
                                                                   "redirect_uri")])
def test_the_page_refuses_what_dingtalk_refuses(client, settings, change, field):
    page = client.simulate_get(PAGE, params=_query(settings, **change))
    assert page.status_code == 400 and field in page.text


def test_a_code_works_once_for_the_user_who_approved(client, settings):
    code = _approve(client, settings, "li")
    answer = _exchange(client, settings, code)
    assert answer.status_code == 200 and set(answer.json) == {"accessToken", "refreshToken", "expireIn"}
    me = client.simulate_get(ME, headers={"x-acs-dingtalk-access-token": answer.json["accessToken"]})
    open_id, union_id = dingtalk_identity(settings.third.ding_talk.app_key, "li")
    assert me.status_code == 200 and me.json == {"nick": "li", "unionId": union_id, "openId": open_id,
                                                 "avatarUrl": ""}
    again = _exchange(client, settings, code)
    assert again.status_code == 400 and again.json["code"] == "invalidParameter.authCode.notFound"


def test_a_code_expires(client, settings, state):
    code = _approve(client, settings)
    state.clock.advance(CODE_SECONDS + 1)
    answer = _exchange(client, settings, code)
    assert answer.status_code == 400 and answer.json["code"] == "invalidParameter.authCode.notFound"


def test_a_wrong_secret_is_refused_and_leaves_the_code_unused(client, settings):
    code = _approve(client, settings)
    wrong = _exchange(client, settings, code, clientSecret="not-the-apps-secret")
    assert wrong.status_code == 400 and wrong.json["code"] == "invalidClientIdOrSecret"
    assert set(wrong.json) == {"code", "message", "requestid"}
    assert _exchange(client, settings, code).status_code == 200


@pytest.mark.parametrize(("change", "status", "error"), [
    ({"code": ""}, 400, "MissingParameter"), ({"grantType": "refresh_token"}, 400, "InvalidParameter.GrantType"),
    ({"clientId": "dingSomeoneElse"}, 400, "invalidClientIdOrSecret")])
def test_a_bad_exchange_names_its_problem(client, settings, change, status, error):
    answer = _exchange(client, settings, "any-code", **change)
    assert (answer.status_code, answer.json["code"]) == (status, error)


def test_users_me_takes_only_a_live_user_token(client, settings, state, dingtalk_v1_token):
    assert client.simulate_get(ME).json["code"] == "MissingAuthentication"
    for token in ("unknown", dingtalk_v1_token):  # the app's own token names no user
        refused = client.simulate_get(ME, headers={"x-acs-dingtalk-access-token": token})
        assert refused.status_code == 401 and refused.json["code"] == "InvalidAuthentication"
    token = _exchange(client, settings, _approve(client, settings)).json["accessToken"]
    state.clock.advance(7201)
    expired = client.simulate_get(ME, headers={"x-acs-dingtalk-access-token": token})
    assert expired.status_code == 401 and expired.json["code"] == "InvalidAuthentication"
