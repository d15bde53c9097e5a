"""DingTalk website sign-in in the SDK: what goes out, what a success must look like, and the user's credentials
kept out of errors and logs."""

from __future__ import annotations

import logging

import httpx
import pytest

from platforms.dingtalk import SignIn
from platforms.errors import PermanentError, UnexpectedAnswer
from platforms.transport import DINGTALK_V1, Transport
from tests.platforms.fakes import FakePlatform, json_body

SECRET = "the-apps-dingtalk-secret"
USER_TOKEN = "0123456789abcdef0123456789abcdef"


def sign_in(fake: FakePlatform, secret: str | None = SECRET) -> SignIn:
    transport = Transport("dingtalk", "https://api.test", dialect=DINGTALK_V1,
                          client=httpx.Client(transport=httpx.MockTransport(fake)))
    return SignIn(transport, "dingappkey", secret)


def test_the_code_goes_out_in_camel_case_and_the_grant_hides_its_tokens():
    fake = FakePlatform({"accessToken": USER_TOKEN, "refreshToken": "r" * 32, "expireIn": 7200})
    grant = sign_in(fake).exchange_code("the-auth-code")
    assert json_body(fake.last("/v1.0/oauth2/userAccessToken")) == {
        "clientId": "dingappkey", "clientSecret": SECRET, "code": "the-auth-code", "grantType": "authorization_code"}
    assert (grant.access_token, grant.expire_in, grant.corp_id) == (USER_TOKEN, 7200, None)
    assert USER_TOKEN not in repr(grant) and "r" * 32 not in repr(grant)


def test_users_me_sends_the_users_token_in_the_header():
    fake = FakePlatform({"nick": "li", "unionId": "u1", "openId": "o1", "avatarUrl": "", "mobile": "",
                         "extra": "ignored"})
    assert sign_in(fake).me(USER_TOKEN) == {"nick": "li", "unionId": "u1", "openId": "o1"}
    request = fake.last("/v1.0/contact/users/me")
    assert request.headers["x-acs-dingtalk-access-token"] == USER_TOKEN and not request.url.params


@pytest.mark.parametrize("answer", [{"accessToken": ""}, {"expireIn": 7200}])
def test_an_exchange_without_a_token_is_no_success(answer):
    with pytest.raises((PermanentError, UnexpectedAnswer)):
        sign_in(FakePlatform(answer)).exchange_code("c")


def test_users_me_without_a_union_id_is_no_success():
    with pytest.raises(PermanentError):
        sign_in(FakePlatform({"nick": "li", "unionId": ""})).me(USER_TOKEN)


def test_an_unconfigured_app_calls_nothing():
    fake = FakePlatform()
    with pytest.raises(PermanentError):
        sign_in(fake, secret=None).exchange_code("c")
    assert fake.requests == []


def test_an_answer_quoting_the_credentials_is_masked(caplog):
    echoed = {"clientSecret": SECRET, "refreshToken": "r" * 32, "accessToken": USER_TOKEN, "note": "odd"}
    with caplog.at_level(logging.INFO), pytest.raises(UnexpectedAnswer) as info:
        sign_in(FakePlatform(echoed)).me(USER_TOKEN)
    for secret in (SECRET, "r" * 32, USER_TOKEN):
        assert secret not in str(info.value) and secret not in caplog.text
