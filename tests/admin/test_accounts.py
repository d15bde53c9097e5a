"""The Accounts screen: the config's accounts listed read-only, each WeChat and WeCom account's callback URL ready to
copy; an account added through the form, changed (a secret replaced, another removed) and deleted after a
confirmation; secrets never on the page, only whether each is set; the API's 422 shown at the field."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from config import demo

SECTION = "#section-accounts"


def account(imbridge, platform: str, code: str) -> httpx.Response:
    return httpx.get(f"{imbridge.url}/api/v1/accounts/{platform}/{code}", headers=imbridge.headers, timeout=10)


def open_tab(page, platform: str) -> None:
    page.goto(page.url.split("#")[0] + f"#/accounts/{platform}")
    page.locator(f"{SECTION} .tabs button[data-platform={platform}].active").wait_for()
    page.locator(f"{SECTION} :is(table, .empty)").wait_for()


def test_config_accounts_are_read_only_and_show_their_callback_url(page, imbridge, screenshot):
    page.click("#nav a[data-section=accounts]")
    row = page.locator(f"{SECTION} tr[data-code=default]")
    expect(row).to_have_attribute("data-source", "config")
    expect(row.locator("[data-action=edit], [data-action=delete]")).to_have_count(0)
    expect(row.locator("input.portal-url")).to_have_value(f"{imbridge.url}/wechat/portal")
    expect(row.locator("[data-secret=appSecret]")).to_have_attribute("data-set", "true")
    row.locator("[data-action=copy]").click()
    expect(page.locator(".toast-success")).to_contain_text(f"{imbridge.url}/wechat/portal")
    assert demo.WECHAT_APP_SECRET not in page.content()
    screenshot("accounts")

    open_tab(page, "wecom")
    wecom = page.locator(f"{SECTION} tr[data-code=default] input.portal-url")
    expect(wecom).to_have_value(f"{imbridge.url}/wecom/portal")
    open_tab(page, "ding-talk")
    expect(page.locator(f"{SECTION} tr[data-code=default]")).to_have_attribute("data-source", "config")
    expect(page.locator(f"{SECTION} input.portal-url")).to_have_count(0)  # DingTalk apps have no callback portal


def test_add_change_and_delete_an_official_account(page, imbridge, screenshot):
    open_tab(page, "wechat")
    page.click("#add-account")
    dialog = page.locator("dialog.modal")
    dialog.locator("[name=code]").fill("page-crm")
    dialog.locator("[name=name]").fill("CRM 服务号")
    dialog.locator("[name=appId]").fill(demo.WECHAT_APP_ID)
    dialog.locator("[name=appSecret]").fill(demo.WECHAT_APP_SECRET)
    dialog.locator("[name=token]").fill(demo.WECHAT_TOKEN)
    dialog.locator("[name=apiBaseUrl]").fill(f"{imbridge.sandbox_url}/wechat")
    screenshot("accounts-add")
    dialog.locator("button[type=submit]").click()

    row = page.locator(f"{SECTION} tr[data-code=page-crm]")
    expect(row).to_contain_text("CRM 服务号")
    expect(row).to_have_attribute("data-source", "api")
    expect(row.locator("input.portal-url")).to_have_value(f"{imbridge.url}/wechat/portal/page-crm")
    for secret, state in {"appSecret": "true", "token": "true", "encodingAesKey": "false"}.items():
        expect(row.locator(f"[data-secret={secret}]")).to_have_attribute("data-set", state)
    assert demo.WECHAT_APP_SECRET not in page.content() and demo.WECHAT_TOKEN not in page.content()

    # Change it: a new name, the token removed; the AppSecret's field is empty and leaving it so keeps it.
    row.locator("[data-action=edit]").click()
    expect(dialog.locator("[name=appSecret]")).to_have_value("")
    expect(dialog.locator("[name=appId]")).to_have_value(demo.WECHAT_APP_ID)
    dialog.locator("[name=name]").fill("CRM 服务号（新）")
    dialog.locator("[data-field='remove.token'] input").check()
    screenshot("accounts-edit")
    dialog.locator("button[type=submit]").click()
    expect(row).to_contain_text("CRM 服务号（新）")
    expect(row.locator("[data-secret=token]")).to_have_attribute("data-set", "false")
    stored = account(imbridge, "wechat", "page-crm").json()
    assert stored["name"] == "CRM 服务号（新）"
    assert stored["secretsSet"] == {"appSecret": True, "token": False, "encodingAesKey": False}
    assert stored["settings"]["appId"] == demo.WECHAT_APP_ID

    # Deleting asks first: cancelling keeps it.
    row.locator("[data-action=delete]").click()
    expect(page.locator("dialog.modal")).to_contain_text("page-crm")
    page.locator("dialog.modal button:not(.danger):not(.link)").click()
    expect(row).to_have_count(1)
    row.locator("[data-action=delete]").click()
    page.locator("dialog.modal button.danger").click()
    expect(row).to_have_count(0)
    assert account(imbridge, "wechat", "page-crm").status_code == 404


def test_the_account_form_shows_the_api_validation_errors_inline(page, screenshot):
    open_tab(page, "ding-talk")
    page.click("#add-account")
    dialog = page.locator("dialog.modal")
    dialog.locator("[name=code]").fill("Not A Code")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator(".field[data-field=code] .field-error")).to_contain_text("String should match pattern")

    dialog.locator("[name=code]").fill("page-hr")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator(".field[data-field=appKey] .field-error")).to_contain_text("is required")
    expect(dialog.locator(".field[data-field=appSecret] .field-error")).to_contain_text("is required")
    expect(dialog.locator(".field[data-field=code] .field-error")).to_be_empty()
    screenshot("accounts-form-errors")


def test_a_webhook_may_hear_of_some_accounts_only(page, imbridge):
    page.goto(page.url.split("#")[0] + "#/webhooks")
    page.click("#section-webhooks button:has-text('New webhook')")
    dialog = page.locator("dialog.modal")
    dialog.locator("input[name=name]").fill("default-only")
    dialog.locator("input[name=url]").fill("http://127.0.0.1:9/hooks")
    dialog.locator("input[name=events]").fill("text")
    dialog.locator("input[name=secret]").fill("a-long-enough-signing-key")
    dialog.locator("input[name=accounts]").fill("default, nobody")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator("[data-field=accounts] .field-error")).to_contain_text("no account has the code 'nobody'")
    dialog.locator("input[name=accounts]").fill("default")
    dialog.locator("button[type=submit]").click()
    row = page.locator("#section-webhooks tbody tr", has_text="default-only")
    expect(row.locator(".webhook-accounts")).to_have_text("default")
    hooks = httpx.get(f"{imbridge.url}/api/v1/webhooks", headers=imbridge.headers, timeout=10).json()["items"]
    [made] = [w for w in hooks if w["name"] == "default-only"]
    assert made["accounts"] == ["default"]
    httpx.delete(f"{imbridge.url}/api/v1/webhooks/{made['id']}", headers=imbridge.headers, timeout=10)
