"""Subscription templates in a browser: the Official Account's and the mini-program's synced from the sandbox (a job
with progress), listed per account with their data keys and each key's rule, and their local fields edited."""

from __future__ import annotations

import httpx

from config import demo

SECTION = "#section-wechat-subscribe-templates"


def test_subscription_templates_are_synced_listed_with_their_keys_and_edited(page, imbridge, screenshot):
    page.goto(page.url.split("#")[0] + "#/wechat-subscribe-templates")
    page.click(f"{SECTION} button:has-text('Sync from WeChat')")
    page.wait_for_selector(f"{SECTION} .job-progress.job-succeeded")
    official = page.locator(f"{SECTION} div[data-app=oa] tr", has_text="工单进度通知")
    official.wait_for()
    assert official.locator(".key-chip").all_inner_texts() == ["thing1", "phrase2", "time3"]
    applet = page.locator(f"{SECTION} div[data-app=applet] tr", has_text="订单支付成功通知")
    assert applet.locator(".key-chip").all_inner_texts() == ["character_string1", "amount2", "thing3", "date4"]
    screenshot("wechat-subscribe-templates")

    official.locator("button:has-text('Data keys')").click()
    dialog = page.locator("dialog.modal")
    rules = {row.locator("td").nth(0).inner_text(): row.locator("td").nth(2).inner_text()
             for row in dialog.locator("tbody tr").all()}
    assert rules["thing1"] == "at most 20 characters"
    assert rules["phrase2"] == "at most 5 characters"
    assert "a time such as 15:01" in rules["time3"]
    assert "工单名称:打印机故障" in dialog.locator("pre").nth(1).inner_text()  # WeChat's example
    screenshot("wechat-subscribe-template-keys")
    dialog.locator(".modal-head button").click()
    dialog.wait_for(state="detached")

    official.locator("button:has-text('Edit')").click()
    dialog = page.locator("dialog.modal")
    dialog.locator("input[name=code]").fill("ticket-progress")
    dialog.locator("button[type=submit]").click()
    dialog.wait_for(state="detached")
    official.locator("code:has-text('ticket-progress')").wait_for()
    listed = httpx.get(f"{imbridge.url}/api/v1/wechat/subscribe-templates", params={"app": "oa"},
                       headers=imbridge.headers, timeout=10).json()["items"]
    assert [t["code"] for t in listed] == ["ticket-progress"]


def test_a_mini_program_account_is_in_the_switcher_and_its_list_loads(page, imbridge):
    """Subscription templates belong to mini-programs too: their accounts are offered beside the Official Accounts."""
    body = {"platform": "wechat-applet", "code": "shop-applet", "name": "商城小程序",
            "appId": demo.WECHAT_APPLET_APP_ID, "appSecret": demo.WECHAT_APPLET_APP_SECRET,
            "apiBaseUrl": f"{imbridge.sandbox_url}/wechat"}
    created = httpx.post(f"{imbridge.url}/api/v1/accounts", json=body, headers=imbridge.headers, timeout=10)
    assert created.status_code == 201, created.text
    try:
        page.goto(page.url.split("#")[0] + "#/wechat-subscribe-templates")
        switcher = page.locator(f"{SECTION} select.account-select[data-ready=true]")
        switcher.wait_for()
        assert "shop-applet · 商城小程序" in switcher.locator("option").all_inner_texts()
        with page.expect_response(lambda r: "subscribe-templates?account=shop-applet" in r.url) as listed:
            switcher.select_option("shop-applet")
        assert listed.value.status == 200
    finally:
        httpx.delete(f"{imbridge.url}/api/v1/accounts/wechat-applet/shop-applet", headers=imbridge.headers, timeout=10)
