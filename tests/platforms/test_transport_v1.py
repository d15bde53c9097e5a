"""The transport in DingTalk's v1.0 dialect: token in a header, HTTP 4xx ``{code, message}`` classified by table."""

from __future__ import annotations

import httpx
import pytest

from platforms.errors import (
    Outcome,
    PermanentError,
    PlatformUnreachable,
    RetryLaterError,
    TokenExpiredError,
    UnexpectedAnswer,
    classify_code,
)
from platforms.transport import DINGTALK_V1, Transport
from tests.platforms.fakes import FakePlatform

HEADER = "x-acs-dingtalk-access-token"


class Tokens:
    """A TokenSource handing out t1, t2, ... and recording invalidations."""

    def __init__(self) -> None:
        self.issued, self.current, self.invalidated = 0, None, []

    def get(self) -> str:
        if self.current is None:
            self.issued += 1
            self.current = f"t{self.issued}"
        return self.current

    def invalidate(self, token: str) -> None:
        self.invalidated.append(token)
        self.current = None if token == self.current else self.current


def v1(fake: FakePlatform) -> Transport:
    return Transport("dingtalk", "https://api.test", dialect=DINGTALK_V1,
                     client=httpx.Client(transport=httpx.MockTransport(fake)))


def test_the_token_goes_in_the_header_never_the_query():
    fake = FakePlatform({"processQueryKey": "k"})
    body = v1(fake).request("POST", "/v1.0/robot/groupMessages/send", json={}, token=Tokens(),
                            success=("processQueryKey",))
    assert body == {"processQueryKey": "k"}
    request = fake.requests[0]
    assert request.headers[HEADER] == "t1"
    assert "access_token" not in request.url.params


def test_invalid_authentication_refreshes_the_token_once():
    tokens = Tokens()
    fake = FakePlatform((400, {"code": "InvalidAuthentication", "message": "不合法的access_token"}),
                        {"processQueryKey": "k"})
    v1(fake).request("POST", "/v1.0/x", json={}, token=tokens, success=("processQueryKey",))
    assert tokens.invalidated == ["t1"]
    assert [r.headers[HEADER] for r in fake.requests] == ["t1", "t2"]


def test_a_second_rejection_propagates():
    rejected = (400, {"code": "InvalidAuthentication", "message": "no"})
    with pytest.raises(TokenExpiredError) as info:
        v1(FakePlatform(rejected, rejected)).request("POST", "/v1.0/x", json={}, token=Tokens(), success=("a",))
    assert info.value.code == "InvalidAuthentication" and info.value.errcode is None


@pytest.mark.parametrize(("status", "code", "raised"), [
    (429, "Throttling.Api", RetryLaterError),
    (403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", RetryLaterError),
    (403, "Forbidden.AccessDenied.QpsLimitForApi", RetryLaterError),
    (403, "Forbidden.AccessDenied.AccessTokenPermissionDenied", PermanentError),
    (403, "Forbidden.AccessDenied.IpNotInWhiteList", PermanentError),
    (400, "invalidClientIdOrSecret", PermanentError),
    (400, "system.error", RetryLaterError),
    (400, "InvalidParameter.MsgParam", PermanentError),
    (400, "SomethingNobodyDocumented", PermanentError),
])
def test_codes_are_classified_by_table_and_kept(status, code, raised):
    fake = FakePlatform((status, {"code": code, "message": "m", "requestid": "R"}))
    with pytest.raises(raised) as info:
        v1(fake).request("POST", "/v1.0/x", json={}, success=("a",))
    assert info.value.code == code
    assert code in str(info.value) and f"HTTP {status}" in str(info.value)


def test_throttling_waits_before_retrying():
    fake = FakePlatform((400, {"code": "Throttling", "message": "slow down"}))
    with pytest.raises(RetryLaterError) as info:
        v1(fake).request("POST", "/v1.0/x", json={}, success=("a",))
    assert info.value.retry_after and info.value.retry_after > 0


@pytest.mark.parametrize(("code", "wait"), [("Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", 1.0),
                                            ("Forbidden.AccessDenied.QpsLimitForApi", 1.0),
                                            ("Forbidden.AccessDenied.QpmLimitForAppkeyAndApi", 60.0)])
def test_the_qps_limits_wait_as_dingtalk_says(code, wait):
    """DingTalk's throttling appendix: a QPS limit lasts a second; the per-minute one a minute."""
    with pytest.raises(RetryLaterError) as info:
        v1(FakePlatform((403, {"code": code, "message": "m"}))).request("POST", "/v1.0/x", json={}, success=("a",))
    assert info.value.retry_after == wait


def test_the_monthly_call_quota_is_a_spent_quota_not_a_retry():
    fake = FakePlatform((403, {"code": "Forbidden.AccessDenied.ApiCountLimitForOrg", "message": "m"}))
    with pytest.raises(PermanentError) as info:
        v1(fake).request("POST", "/v1.0/x", json={}, success=("a",))
    assert info.value.quota == "month"


def test_dotted_codes_fall_back_to_their_listed_prefix():
    assert classify_code("Throttling.User") is Outcome.RETRY_LATER
    assert classify_code("Forbidden.AccessDenied.Anything") is Outcome.PERMANENT
    assert classify_code("InvalidAuthentication") is Outcome.REFRESH_TOKEN
    assert classify_code("Unknown") is Outcome.PERMANENT


def test_a_4xx_without_a_code_is_permanent_and_5xx_is_unreachable():
    with pytest.raises(PermanentError):
        v1(FakePlatform((404, {"message": "no route"}))).request("POST", "/v1.0/x", json={}, success=("a",))
    with pytest.raises(PlatformUnreachable):
        v1(FakePlatform((503, {"code": "ServiceUnavailable"}))).request("POST", "/v1.0/x", json={}, success=("a",))


@pytest.mark.parametrize(("body", "wait"), [({}, None), ({"status": 1111, "wait": 5}, 5.0), ({"errcode": 0}, None)])
def test_a_2xx_without_the_documented_shape_is_unexpected(body, wait):
    with pytest.raises(UnexpectedAnswer) as info:
        v1(FakePlatform(body)).request("POST", "/v1.0/x", json={}, success=("processQueryKey",))
    assert info.value.retry_after == wait
