"""The WeChat sections' account switcher: an account added through the API appears in it, and the templates and
menus pages then list, sync and save for that account only."""

from __future__ import annotations

import httpx
import pytest

from config import demo

TEMPLATES = "#section-wechat-templates"
MENUS = "#section-wechat-menus"


@pytest.fixture
def second_account(imbridge):
    """A second Official Account added through the API (the sandbox's demo app under another code)."""
    body = {"platform": "wechat", "code": "second", "name": "第二个公众号", "appId": demo.WECHAT_APP_ID,
            "appSecret": demo.WECHAT_APP_SECRET, "apiBaseUrl": f"{imbridge.sandbox_url}/wechat"}
    created = httpx.post(f"{imbridge.url}/api/v1/accounts", json=body, headers=imbridge.headers, timeout=10)
    assert created.status_code == 201, created.text
    yield "second"
    httpx.delete(f"{imbridge.url}/api/v1/accounts/wechat/second", headers=imbridge.headers, timeout=10)


def listed(imbridge, path: str, account: str) -> list[dict]:
    answer = httpx.get(f"{imbridge.url}/api/v1/{path}", params={"account": account}, headers=imbridge.headers,
                       timeout=10)
    return answer.json()["items"]


def test_the_switcher_makes_the_templates_page_work_on_the_chosen_account(page, imbridge, second_account,
                                                                          screenshot):
    page.goto(page.url.split("#")[0] + "#/wechat-templates")
    switcher = page.locator(f"{TEMPLATES} select.account-select[data-ready=true]")
    switcher.wait_for()
    switcher.select_option("second")
    page.locator(f"{TEMPLATES} select.account-select[data-account=second][data-ready=true]").wait_for()
    page.locator(f"{TEMPLATES} p.empty").wait_for()  # the second account has synced nothing yet
    page.click(f"{TEMPLATES} button:has-text('Sync from WeChat')")
    page.wait_for_selector(f"{TEMPLATES} .job-progress.job-succeeded")
    page.locator(f"{TEMPLATES} tr", has_text="登录提醒").wait_for()
    screenshot("wechat-templates-account")
    assert {t["account"] for t in listed(imbridge, "wechat/templates", "second")} == {"second"}
    assert len(listed(imbridge, "wechat/templates", "second")) == 3


def test_the_chosen_account_is_kept_across_the_wechat_pages(page, imbridge, second_account):
    page.goto(page.url.split("#")[0] + "#/wechat-templates")
    page.locator(f"{TEMPLATES} select.account-select[data-ready=true]").select_option("second")
    page.goto(page.url.split("#")[0] + "#/wechat-menus")
    page.locator(f"{MENUS} select.account-select[data-account=second][data-ready=true]").wait_for()
