"""The seed's own front end (bootx-platform-ui) against imbridge, unchanged: its calls replayed one for one.

:class:`SeedFrontEnd` does what its files do, and only that:

* ``src/utils/request.js``: every call carries the stored token in the ``AccessToken`` header; an answer whose
  ``code`` is non-zero is a failure whose ``msg`` is shown (a notification) and the promise rejected; an HTTP
  401 shows "授权验证失败", logs out and reloads the page; an HTTP 403 shows ``msg``; a success resolves to the
  body, which the callers read as ``res.data``;
* ``src/api/login/login.js``: ``applyQrCode`` is a POST with no parameters, ``getQrStatus`` a GET with
  ``?qrCodeKey=``, ``login`` a POST whose parameters travel as query parameters with no body, ``logout`` a POST;
* ``src/api/system/user.js``: ``bindThird`` posts its object as a JSON body;
* ``src/store/modules/user.js``: ``Login`` stores ``res.data`` as the token; ``Logout`` calls logout, ignores how
  it ends and forgets the token;
* ``src/views/login/QrCodeLogin.vue``: apply, poll the status every second, on ``ok`` log in with
  ``{client, loginType: 'weChat', authCode: qrCodeKey}``, on ``expired`` apply for a new code;
* ``src/views/account/bind/WeChatQrBind.vue`` + ``Binding.vue``: the same polling, then ``bindThird({authCode,
  clientCode: 'weChat'})`` and "绑定成功".

The phone is the sandbox: it finds the ticket behind the ``qrCodeUrl`` the page shows, and WeChat posts the
follower's scan of it to the portal.
"""


from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import falcon.testing
import pytest

from ingress.login.messages import Code
from sandbox import callbacks
from tests.login.conftest import OPENID, STRANGER, create_user

#: What a browser set to Chinese sends, as the seed's users' browsers do.
CHINESE_BROWSER = "zh-CN,zh;q=0.9,en;q=0.8"
#: ``VUE_APP_CLIENT`` of the seed's admin front end.
CLIENT = "admin"


class Rejected(Exception):
    """The promise the seed's ``request`` returns was rejected."""


class SeedFrontEnd:
    def __init__(self, client: falcon.testing.TestClient, accept_language: str = CHINESE_BROWSER) -> None:
        self.client = client
        self.accept_language = accept_language
        self.token: str | None = None  # storage ACCESS_TOKEN
        self.notifications: list[str] = []
        self.reloaded = False
        self.calls: list[tuple[str, str, dict[str, str] | None, Any]] = []

    # -- src/utils/request.js --------------------------------------------------------------------------------
    def request(self, method: str, url: str, *, params: dict[str, str] | None = None, data: Any = None) -> Any:
        headers = {"Accept-Language": self.accept_language}
        if self.token:
            headers["AccessToken"] = self.token
        self.calls.append((method, url, params, data))
        result = self.client.simulate_request(method, url, params=params, headers=headers,
                                              json=data if data is not None else None)
        if result.status_code >= 400:  # axios rejects; the error handler looks at the status only
            if result.status_code == 403:
                self.notifications.append(result.json.get("msg"))
            if result.status_code == 401:
                self.notifications.append("授权验证失败")
                if self.token:
                    self.store_logout()
                    self.reloaded = True
            raise Rejected(result.status_code)
        body = result.json
        if body["code"]:
            self.notifications.append(body["msg"])
            assert body["traceId"]  # console.error('TraceId:', ...)
            raise Rejected(body["code"])
        return body

    # -- src/api/login/login.js, src/api/system/user.js --------------------------------------------------------
    def login(self, parameter: dict[str, str]) -> Any:
        return self.request("POST", "/token/login", params=parameter)

    def apply_qr_code(self) -> Any:
        return self.request("POST", "/token/wechat/qr/applyQrCode")

    def get_qr_status(self, qr_code_key: str) -> Any:
        return self.request("GET", "/token/wechat/qr/getStatus", params={"qrCodeKey": qr_code_key})

    def logout(self) -> Any:
        return self.request("POST", "/token/logout")

    def bind_third(self, obj: dict[str, str]) -> Any:
        return self.request("POST", "/user/third/bind", data=obj)

    # -- src/store/modules/user.js ---------------------------------------------------------------------------
    def store_login(self, user_info: dict[str, str]) -> None:
        self.token = self.login(user_info)["data"]

    def store_logout(self) -> None:
        with contextlib.suppress(Rejected):
            self.logout()
        self.token = None

    # -- src/views/login/QrCodeLogin.vue and src/views/account/bind/WeChatQrBind.vue ----------------------------
    def poll_qr_code(self, phone: Callable[[str], None], on_ok: Callable[[dict[str, str]], None],
                     form: dict[str, str], max_polls: int = 10) -> None:
        """Apply, show the code, poll once a tick (the phone scans when it sees the code); ``on_ok`` at ``ok``."""
        res = self.apply_qr_code()
        form["authCode"] = res["data"]["qrCodeKey"]
        qr_code_url = res["data"]["qrCodeUrl"]
        for tick in range(max_polls):
            status = self.get_qr_status(form["authCode"])["data"]
            if status == "ok":
                on_ok(form)
                return
            if status == "expired":
                res = self.apply_qr_code()
                form["authCode"] = res["data"]["qrCodeKey"]
                qr_code_url = res["data"]["qrCodeUrl"]
                continue
            assert status == "wait"
            if tick == 0:
                phone(qr_code_url)
        raise AssertionError("the status never became ok")

    def qr_code_login(self, phone: Callable[[str], None]) -> None:
        self.poll_qr_code(phone, self.store_login, {"client": CLIENT, "loginType": "weChat", "authCode": ""})

    def wechat_qr_bind(self, phone: Callable[[str], None]) -> None:
        def bind(form: dict[str, str]) -> None:
            self.bind_third({"authCode": form["authCode"], "clientCode": form["loginType"]})
            self.notifications.append("绑定成功")

        self.poll_qr_code(phone, bind, {"client": "", "loginType": "weChat", "authCode": ""})


@pytest.fixture
def phone(client, runtime, control) -> Callable[[str], Callable[[str], None]]:
    """``phone(openid)(qrCodeUrl)``: that WeChat follower scans the code the page shows."""

    def of(openid: str) -> Callable[[str], None]:
        def scan(qr_code_url: str) -> None:
            tickets = control.get("/wechat/qrcodes").json()["qrcodes"]
            ticket = next(t for t in tickets if t["url"] == qr_code_url)
            key = ticket["scene"].removeprefix("login_")
            fields = callbacks.scan_fields(runtime.settings, key, openid, existing=True, ticket=ticket["ticket"])
            request = callbacks.build_wechat_callback(runtime.settings, fields)
            posted = client.simulate_post(callbacks.WECHAT_PORTAL, params=request.params, body=request.body,
                                          headers={"Content-Type": "text/xml"})
            assert posted.status_code == 200, posted.text

        return scan

    return of


def test_the_seed_front_end_logs_in_binds_and_logs_out_unchanged(client, admin, filled_pool, phone):
    user = create_user(client, admin, "mei", ("wechat", OPENID))
    page = SeedFrontEnd(client)

    page.qr_code_login(phone(OPENID))
    assert isinstance(page.token, str) and len(page.token) >= 40  # res.data is the token itself
    assert page.notifications == []
    method, url, params, body = page.calls[-1]
    assert (method, url, body) == ("POST", "/token/login", None)
    assert params is not None and params["loginType"] == "weChat" and params["client"] == CLIENT

    page.wechat_qr_bind(phone(STRANGER))  # the user's second WeChat account, with the AccessToken header
    assert page.notifications == ["绑定成功"]
    bindings = client.simulate_get(f"/api/v1/users/{user['id']}/bindings", headers=admin).json["items"]
    assert sorted(b["openid"] for b in bindings) == sorted([OPENID, STRANGER])

    stale = page.token
    page.store_logout()
    assert page.token is None and page.notifications == ["绑定成功"]
    # The token is gone: a page that still holds it is told so, and is not thrown out by an HTTP 401.
    page.token = stale
    with pytest.raises(Rejected, match=str(Code.NOT_LOGGED_IN.value)):
        page.wechat_qr_bind(phone(STRANGER))
    assert page.notifications[-1] == "未登录或登录已失效，请重新登录" and not page.reloaded

    # The bound second account logs the same user in.
    again = SeedFrontEnd(client)
    again.qr_code_login(phone(STRANGER))
    assert again.token and again.token != stale


def test_a_used_code_reads_expired_and_the_page_applies_for_a_new_one(client, admin, filled_pool, phone):
    create_user(client, admin, "ned", ("wechat", OPENID))
    page = SeedFrontEnd(client)
    page.qr_code_login(phone(OPENID))
    used = page.calls[-1][2]
    assert used is not None
    assert page.get_qr_status(used["authCode"])["data"] == "expired"
    with pytest.raises(Rejected, match=str(Code.QR_KEY_EXPIRED.value)):
        page.store_login(used)
    assert page.notifications == ["二维码已过期或已使用，请重新获取二维码"] and not page.reloaded


def test_the_failures_are_shown_never_a_logout(client, admin, filled_pool, phone):
    page = SeedFrontEnd(client)
    # Logging in before the scan.
    waiting = page.apply_qr_code()["data"]["qrCodeKey"]
    with pytest.raises(Rejected):
        page.store_login({"client": CLIENT, "loginType": "weChat", "authCode": waiting})
    # A follower nobody bound scans: the page logs in as the seed's does, and is told to bind first.
    with pytest.raises(Rejected):
        page.qr_code_login(phone(STRANGER))
    # A bad parameter.
    with pytest.raises(Rejected):
        page.login({"client": CLIENT, "loginType": "password", "authCode": "x"})
    # Binding without having logged in.
    with pytest.raises(Rejected):
        page.bind_third({"authCode": waiting, "clientCode": "weChat"})
    assert page.notifications == ["二维码尚未扫描，请先用微信扫码", "该微信账号尚未绑定用户，请先绑定后再登录",
                                  "参数缺失或无效：loginType", "未登录或登录已失效，请重新登录"]
    assert page.token is None and not page.reloaded
    # Logging out without a token succeeds, as in the seed.
    page.logout()
    assert len(page.notifications) == 4


@pytest.mark.parametrize("login_overrides", [{"login_rate_limit": 1, "login_rate_window_seconds": 60}])
def test_a_rate_limit_is_shown_in_the_browsers_language(client, filled_pool):
    page = SeedFrontEnd(client, accept_language="en-US,en;q=0.9")
    form = {"client": CLIENT, "loginType": "weChat", "authCode": page.apply_qr_code()["data"]["qrCodeKey"]}
    for _ in range(2):
        with pytest.raises(Rejected):
            page.store_login(form)
    assert page.notifications[0] == "The QR code has not been scanned yet; scan it with WeChat first"
    assert page.notifications[1].startswith("Too many requests; try again in ") and not page.reloaded
