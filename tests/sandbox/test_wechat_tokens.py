"""WeChat access tokens: shapes, credentials, expiry, classic invalidation, stable tokens, IP whitelist."""

from __future__ import annotations

import pytest
from falcon.testing import TestClient

from sandbox import SandboxOptions, SandboxState
from tests.sandbox.conftest import errcode, last_entry


@pytest.fixture
def options() -> SandboxOptions:
    return SandboxOptions(token_lifetime_seconds=60, classic_grace_seconds=5)


def _classic(client: TestClient, settings, **overrides):
    params = {"grant_type": "client_credential", "appid": settings.third.wechat.app_id,
              "secret": settings.third.wechat.app_secret, **overrides}
    return client.simulate_get("/wechat/cgi-bin/token", params=params)


def _stable(client: TestClient, settings, **overrides):
    body = {"grant_type": "client_credential", "appid": settings.third.wechat.app_id,
            "secret": settings.third.wechat.app_secret, "force_refresh": False, **overrides}
    return client.simulate_post("/wechat/cgi-bin/stable_token", json=body)


def _menu_get(client: TestClient, token: str):
    return client.simulate_get("/wechat/cgi-bin/menu/get", params={"access_token": token})


def test_classic_token_answers_token_and_lifetime_without_errcode(client, settings):
    result = _classic(client, settings)
    assert set(result.json) == {"access_token", "expires_in"}
    assert result.json["expires_in"] == 60
    entry = last_entry(client, "/cgi-bin/token")
    assert entry["path"] == "/wechat/cgi-bin/token" and entry["platform"] == "wechat"
    assert entry["query"]["grant_type"] == "client_credential"
    assert entry["response"] == result.json


def test_wrong_credentials_get_platform_codes(client, settings):
    assert errcode(_classic(client, settings, appid="wxunknown")) == 40013
    assert errcode(_classic(client, settings, secret="wrong")) == 40125
    assert errcode(_classic(client, settings, grant_type="password")) == 40002
    assert errcode(_stable(client, settings, secret="wrong")) == 40125


def test_errmsg_carries_a_rid_like_wechat(client, settings):
    assert " rid: " in _classic(client, settings, secret="wrong").json["errmsg"]


def test_expired_token_answers_42001_and_unknown_40001(client, settings, state: SandboxState):
    token = _classic(client, settings).json["access_token"]
    assert errcode(_menu_get(client, "not-a-token")) == 40001
    assert errcode(_menu_get(client, token)) == 46003
    state.clock.advance(61)
    assert errcode(_menu_get(client, token)) == 42001


def test_missing_token_answers_41001(client):
    assert errcode(client.simulate_get("/wechat/cgi-bin/menu/get")) == 41001


def test_classic_fetch_invalidates_previous_token_after_grace(client, settings, state: SandboxState):
    first = _classic(client, settings).json["access_token"]
    second = _classic(client, settings).json["access_token"]
    assert first != second
    assert errcode(_menu_get(client, first)) == 46003  # still inside the grace period
    state.clock.advance(6)
    assert errcode(_menu_get(client, first)) == 40001
    assert errcode(_menu_get(client, second)) == 46003


def test_stable_token_is_the_same_for_its_life_and_not_disturbed_by_classic(client, settings, state):
    first = _stable(client, settings).json
    _classic(client, settings)
    state.clock.advance(10)
    again = _stable(client, settings).json
    assert again["access_token"] == first["access_token"]
    assert again["expires_in"] == 50
    state.clock.advance(51)
    assert _stable(client, settings).json["access_token"] != first["access_token"]


def test_stable_force_refresh_revokes_old_and_is_rationed(client, settings, state):
    old = _stable(client, settings).json["access_token"]
    new = _stable(client, settings, force_refresh=True).json["access_token"]
    assert new != old
    assert errcode(_menu_get(client, old)) == 40001
    assert errcode(_stable(client, settings, force_refresh=True)) == 45011  # 30 s apart
    state.clock.advance(31)
    assert "access_token" in _stable(client, settings, force_refresh=True).json


def test_ip_whitelist_failure_on_demand(client, settings):
    client.simulate_post("/_sandbox/config", json={"ip_whitelist_fail": ["wechat"]})
    assert errcode(_classic(client, settings)) == 40164
    client.simulate_post("/_sandbox/config", json={"ip_whitelist_fail": []})
    assert "access_token" in _classic(client, settings).json


def test_wrong_method_answers_43001_and_43002(client, settings):
    assert errcode(client.simulate_post("/wechat/cgi-bin/token")) == 43001
    assert errcode(client.simulate_get("/wechat/cgi-bin/stable_token")) == 43002


def test_revoking_tokens_through_control_api(client, settings):
    token = _classic(client, settings).json["access_token"]
    assert client.simulate_delete("/_sandbox/tokens", params={"platform": "wechat"}).json["revoked"] == 1
    assert errcode(_menu_get(client, token)) == 40001
