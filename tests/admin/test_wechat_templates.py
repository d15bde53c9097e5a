"""Templates in a browser: synced from the sandbox (a job with progress), edited, and a test message sent with the
platform's answer shown."""

from __future__ import annotations

from playwright.sync_api import expect

TEMPLATES = "#section-wechat-templates"


def test_templates_are_synced_edited_and_sent_a_test(page, imbridge, screenshot):
    page.goto(page.url.split("#")[0] + "#/wechat-templates")
    page.click(f"{TEMPLATES} button:has-text('Sync from WeChat')")
    page.wait_for_selector(f"{TEMPLATES} .job-progress.job-succeeded")
    row = page.locator(f"{TEMPLATES} tr", has_text="登录提醒")
    row.wait_for()
    assert page.locator(f"{TEMPLATES} tbody tr").count() == 3
    screenshot("wechat-templates")

    row.locator("button:has-text('Edit')").click()
    dialog = page.locator("dialog.modal")
    dialog.locator("input[name=code]").fill("not a code")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator("[data-field=code] .field-error")).to_contain_text("String should match pattern")
    dialog.locator("input[name=code]").fill("login")
    dialog.locator("button[type=submit]").click()
    dialog.wait_for(state="detached")
    row.locator("code:has-text('login')").wait_for()

    row.locator("button:has-text('Send test')").click()
    dialog = page.locator("dialog.modal")
    dialog.locator("input[name=touser]").fill("oDemoFollower000000000000001")
    dialog.locator("input[name='data.first']").fill("您的账号刚刚登录")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator("[data-field='data.keyword1'] .field-error")).to_contain_text("needs a value for keyword1")
    for key in ("keyword1", "keyword2", "remark"):
        dialog.locator(f"input[name='data.{key}']").fill(f"{key} value")
    dialog.locator("button[type=submit]").click()
    dialog.locator(".send-outcome .badge-sent").wait_for()
    assert '"msgid"' in dialog.locator(".send-outcome pre").inner_text()
    screenshot("wechat-templates-test-send")
    [send] = [entry for entry in imbridge.journal("message/template/send")
              if entry["json"]["data"]["first"]["value"] == "您的账号刚刚登录"]
    assert send["json"]["touser"] == "oDemoFollower000000000000001"
