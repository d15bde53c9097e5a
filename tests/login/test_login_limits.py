"""``/token/login`` and ``/user/third/bind`` need no API key, and each mini-program code they take costs a
``jscode2session`` call and an ingress thread waiting for its answer. A per-client limit (counted in Redis, like
applyQrCode's) answers the excess 429 before WeChat is asked; a per-process cap on logins waiting for WeChat
answers one more 503 at once, so a slow WeChat cannot take the threads platform callbacks need."""

from __future__ import annotations

import threading

import pytest

from ingress.login.messages import Code
from tests.login.applet import APPLET_OPENID, register_code
from tests.login.conftest import code, create_user, data, login
from tests.waiting import wait_for

EXCHANGE = "/sns/jscode2session"


def exchanges(control) -> int:
    return len(control.get("/journal", params={"path": EXCHANGE}).json()["entries"])


def applet_login(client, code: str, address: str = "203.0.113.7"):
    return client.simulate_post("/token/login", json={"loginType": "weChatApplet", "authCode": code},
                                remote_addr=address)


@pytest.mark.parametrize("login_overrides", [{"login_rate_limit": 3, "login_rate_window_seconds": 60}])
def test_a_flood_of_logins_from_one_client_is_429_and_never_reaches_wechat(client, worker, control):
    answers = [applet_login(client, f"code-flood-{n}") for n in range(6)]
    assert [code(a) for a in answers] == [Code.NOT_BOUND] * 3 + [Code.RATE_LIMITED] * 3  # accounts bound to nobody
    refused = answers[-1]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert f"{refused.headers['Retry-After']} 秒" in refused.json["msg"]
    assert exchanges(control) == 3  # the refused ones asked WeChat nothing
    # Another client is served as before.
    assert code(applet_login(client, "code-other", address="198.51.100.9")) == Code.NOT_BOUND
    assert exchanges(control) == 4


@pytest.mark.parametrize("login_overrides", [{"login_rate_limit": 2, "login_rate_window_seconds": 60}])
def test_qr_logins_count_too(client):
    answers = [login(client, f"guessed-key-{n}") for n in range(3)]
    assert [code(a) for a in answers] == [Code.QR_KEY_EXPIRED] * 2 + [Code.RATE_LIMITED]


@pytest.mark.parametrize("login_overrides", [{"bind_rate_limit": 2, "bind_rate_window_seconds": 60}])
def test_a_flood_of_binds_from_one_client_is_429_and_never_reaches_wechat(client, admin, worker, control):
    create_user(client, admin, "ivy", ("wechat_applet", APPLET_OPENID))
    register_code(control, "code-ivy", openid=APPLET_OPENID)
    bearer = {"Authorization": f"Bearer {data(applet_login(client, 'code-ivy'))}"}

    def bind(code: str):
        return client.simulate_post("/user/third/bind", headers=bearer, remote_addr="203.0.113.7",
                                    json={"loginType": "weChatApplet", "authCode": code})

    answers = [bind(f"code-bind-{n}") for n in range(4)]
    assert [code(a) for a in answers] == [0, 0, Code.RATE_LIMITED, Code.RATE_LIMITED]
    assert "Retry-After" in answers[-1].headers
    assert exchanges(control) == 1 + 2  # the login, then the two binds let through


@pytest.mark.parametrize("login_overrides", [{"max_concurrent_applet_logins": 1, "applet_wait_seconds": 10}])
def test_past_the_cap_of_waiting_logins_one_more_is_503_at_once(client, worker, control):
    # WeChat holds the next jscode2session call until the rule goes: the first login waits for its answer.
    rule = control.post("/faults", json={"pattern": f"*{EXCHANGE}", "kind": "timeout", "hold_seconds": 30}).json()
    first: list = []
    waiting = threading.Thread(target=lambda: first.append(applet_login(client, "code-slow")))
    waiting.start()
    try:
        wait_for(lambda: control.get("/faults").json()["faults"][0]["hits"] == 1)
        refused = applet_login(client, "code-next", address="198.51.100.9")
        assert refused.status_code == 503 and code(refused) == Code.TRY_AGAIN
        assert refused.headers["Retry-After"] == "1"
    finally:
        control.delete(f"/faults/{rule['id']}")  # WeChat lets the held call go (a 504)
        waiting.join(timeout=30)
    assert first and first[0].status_code == 503 and code(first[0]) == Code.TRY_AGAIN
    assert exchanges(control) == 1  # the refused login was never queued
    # The place is free again once the first login has its answer.
    assert code(applet_login(client, "code-later", address="198.51.100.9")) == Code.NOT_BOUND
