"""Website sign-in in a real browser against ``imbridge up``: the demo page's links, the sandbox's sign-in page,
the provider's redirect back (the cookie set at the start travels with it), the waiting page, and the login."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from config import demo
from sandbox.web_login import dingtalk_identity, open_identity
from tests.admin.conftest import UI_TIMEOUT_MS


def _user(imbridge, username: str, platform: str, account: str) -> None:
    with httpx.Client(base_url=imbridge.url, headers=imbridge.headers, timeout=10) as api:
        created = api.post("/api/v1/users", json={"username": username, "displayName": username.title()})
        assert created.status_code == 201, created.text
        bound = api.post(f"/api/v1/users/{created.json()['id']}/bindings",
                         json={"platform": platform, "openid": account})
        assert bound.status_code == 201, bound.text


@pytest.mark.parametrize(("link", "locale", "user", "signed_in"), [
    ("#with-wecom", "en-US", "wecomwen", "Signed in as Wecomwen"),
    ("#with-wechat-open", "zh-CN", "openzhou", "登录成功：Openzhou"),
    ("#with-dingtalk", "zh-CN", "dingzhao", "登录成功：Dingzhao"),
    ("#with-dingtalk", "en-US", "dingwen", "Signed in as Dingwen"),
])
def test_sign_in_from_the_demo_page(browser, imbridge, link, locale, user, signed_in):
    if link == "#with-wecom":
        _user(imbridge, user, "wecom", user)
    elif link == "#with-dingtalk":
        _user(imbridge, user, "dingtalk", dingtalk_identity(demo.DINGTALK_APP_KEY, user)[1])
    else:
        _user(imbridge, user, "wechat_open", open_identity(demo.WECHAT_OPEN_APP_ID, user)[0])
    context = browser.new_context(locale=locale)
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{imbridge.url}/demo/qr-login")
        page.click(link)
        page.fill("input[name=user]", user)  # the sandbox's sign-in page stands for the phone
        page.click("form button")
        expect(page.locator("#status")).to_have_text(signed_in)
        assert "code=" not in page.url and "state=" not in page.url  # dropped from the address bar
    finally:
        context.close()
