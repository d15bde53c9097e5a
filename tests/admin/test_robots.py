"""Robots on the admin page: add one with the sandbox robot's credentials, see them masked, send a test message
that reaches ``sent`` (and the sandbox's robot endpoint), edit, disable, delete; a bad form shows the API's 422."""

from __future__ import annotations

from playwright.sync_api import expect

from config import demo


def test_add_a_robot_and_send_a_test_message(page, imbridge, screenshot):
    page.click("#nav a[data-section=robots]")
    page.click("#add-robot")
    dialog = page.locator("dialog.modal")
    dialog.locator("[name=code]").fill("ops-alerts")
    dialog.locator("[name=name]").fill("Ops alerts")
    dialog.locator("[name=accessToken]").fill(demo.DINGTALK_ROBOT_TOKEN)
    dialog.locator("[name=secret]").fill(demo.DINGTALK_ROBOT_SECRET)
    screenshot("robots-add")
    dialog.locator("button[type=submit]").click()
    row = page.locator("tr[data-code=ops-alerts]")
    expect(row).to_contain_text("Ops alerts")
    assert demo.DINGTALK_ROBOT_TOKEN not in row.inner_text(), "credentials are only ever shown masked"
    assert demo.DINGTALK_ROBOT_SECRET not in page.content()
    screenshot("robots")

    before = len(imbridge.journal("robot/send"))
    row.locator("[data-action=test]").click()
    page.locator("dialog.modal button[type=submit]").click()
    expect(page.locator("dialog.modal .delivery-status")).to_have_attribute("data-status", "sent")
    screenshot("robots-test-message")
    calls = imbridge.journal("robot/send")[before:]
    assert len(calls) == 1 and "Test message from the imbridge admin page" in str(calls[0])
    page.keyboard.press("Escape")

    row.locator("[data-action=edit]").click()
    page.locator("dialog.modal [name=name]").fill("Ops alerts (night)")
    page.locator("dialog.modal button[type=submit]").click()
    expect(row).to_contain_text("Ops alerts (night)")
    row.locator("[data-action=toggle]").click()
    expect(row).to_contain_text("disabled")
    expect(row.locator("[data-action=test]")).to_be_disabled()
    row.locator("[data-action=delete]").click()
    page.locator("dialog.modal button.danger").click()
    expect(row).to_have_count(0)


def test_the_robot_form_shows_the_api_validation_errors_inline(page, screenshot):
    page.goto(page.url.split("#")[0] + "#/robots/dingtalk")
    page.click("#add-robot")
    dialog = page.locator("dialog.modal")
    dialog.locator("[name=code]").fill("not a code")
    dialog.locator("[name=secret]").fill("plain")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator(".field[data-field=code] .field-error")).to_contain_text("String should match pattern")
    expect(dialog.locator(".field[data-field=secret] .field-error")).to_contain_text("starts with SEC")
    expect(dialog.locator(".field[data-field=name] .field-error")).to_contain_text("Field required")
    expect(dialog.locator(".form-error")).to_contain_text("the request is not valid")
    screenshot("robots-form-errors")
