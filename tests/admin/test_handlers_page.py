"""Handlers & plugins in a browser: the running system's plugins and handlers, what each matches, and a plugin that
failed to load shown with its error."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from ingress.resources.system_handlers import EXAMPLE

HANDLERS = "#section-system-handlers"


def test_the_installed_plugin_and_every_handler_are_listed_in_routing_order(page, screenshot):
    page.click("#nav a[data-section=system-handlers]")
    plugins = page.locator(f"{HANDLERS} table").nth(0)
    expect(plugins.locator("tr", has_text="imbridge_hours.handlers")).to_contain_text("loaded")
    expect(plugins).to_contain_text("installed package (entry point)")
    handlers = page.locator(f"{HANDLERS} table").nth(1)
    hours = handlers.locator("tbody tr", has_text="OpeningHours")
    expect(hours).to_contain_text("营业时间|opening hours")
    expect(hours).to_contain_text("Platform: WeChat, WeCom")
    expect(hours).to_contain_text("hours (imbridge_hours.handlers)")
    scenes = handlers.locator("tbody tr", has_text="QrSceneDispatch")
    expect(scenes).to_contain_text("Event: subscribe, scan")
    expect(scenes).to_contain_text("and a check of its own")
    expect(scenes).to_contain_text("built in")
    expect(handlers.locator("tbody tr").last).to_contain_text("fallback")
    expect(page.locator(HANDLERS)).to_contain_text("login_")
    expect(page.locator(HANDLERS)).to_contain_text("hours.asked")
    expect(page.locator(f"{HANDLERS} .plugin-failed")).to_have_count(0)
    screenshot("handlers")


def test_a_plugin_that_failed_to_load_is_named_with_its_error(page, screenshot):
    """The page as it shows the API's documented answer (the API test makes a plugin really fail)."""
    page.route("**/api/v1/system/handlers", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(EXAMPLE)))
    page.click("#nav a[data-section=system-handlers]")
    banner = page.locator(f"{HANDLERS} .plugin-failed[data-plugin=broken_handlers]")
    expect(banner).to_contain_text("The handler plugin broken_handlers failed to load")
    expect(banner).to_contain_text("ModuleNotFoundError: No module named 'a_module'")
    expect(page.locator(f"{HANDLERS} table").nth(0).locator("tr", has_text="broken_handlers")).to_contain_text("failed")
    screenshot("handlers-plugin-failed")


def test_the_screen_reads_in_chinese(browser, imbridge):
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{imbridge.url}/admin")
        page.fill("#login-key", imbridge.api_key)
        page.click("#login-form button[type=submit]")
        page.click("#nav a[data-section=system-handlers]")
        expect(page.locator(f"{HANDLERS} h1")).to_have_text("处理器与插件")
        expect(page.locator(f"{HANDLERS} tbody tr", has_text="OpeningHours")).to_contain_text("平台： 微信, 企业微信")
        page.click("#nav a[data-section=wechat-followers]")
        expect(page.locator("#section-wechat-followers h1")).to_have_text("粉丝与标签")
    finally:
        context.close()
